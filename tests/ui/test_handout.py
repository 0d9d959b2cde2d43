"""Tests of the take-home handout: one PDF page, the plan, no private record data."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from companion.core.content import load_all, load_content
from companion.core.handout import compose_handout
from companion.core.i18n import strings
from companion.core.records import Visit
from companion.ui.handout import handout_diagram, write_pdf
from companion.ui.handout_actions import HandoutChoice
from companion.ui.main_window import MainWindow

Launch = Callable[..., MainWindow]
CHART = "CH-HANDOUT-3317"
MARKER = "MARKER-HANDOUT-b2c9"
PLAN = ["heat", "stay_active", "exercise_therapy"]


def pdf_text(path: Path) -> tuple[int, str]:
    """(page count, text with all whitespace folded to single spaces)."""
    reader = PdfReader(str(path))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), fold(text)


def fold(text: str) -> str:
    """Ligatures undone (NFKC) and whitespace folded, as a reader would search."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def visit_with_plan(window: MainWindow, language: str = "en") -> None:
    """A patient with a visit: three recommendations, a follow-up and a private note."""
    session = window.ops
    session.create_patient(
        chart_number=CHART,
        initials="HW",
        display_name="Hilda Wexworth",
        preferred_language=language,
    )
    visit = session.start_visit(regions=["lumbar"], levels=["L4"]).value
    assert visit is not None
    assert session.update_visit(
        treatments_recommended=PLAN, follow_up=date(2031, 3, 14)
    )
    assert session.commit_note(visit.id, "P", f"Private plan note {MARKER}")
    window.state.select("L4")


def test_handout_pdf_has_the_plan_and_warnings_but_no_record(
    launch: Launch, tmp_path: Path
):
    """The PDF is one page with region, plan, warnings; no chart number or note."""
    window = launch()
    visit_with_plan(window)
    path = tmp_path / "handout.pdf"
    layout = window.patient_screen_controls.handout.save_to(path)
    assert layout is not None and layout.fits
    pages, text = pdf_text(path)
    assert pages == 1
    content = load_content("en")
    assert fold(content.region("L4").name) in text
    for option_id in PLAN:
        option = next(o for o in content.options if o.id == option_id)
        assert fold(option.patient) in text
    for flag in content.red_flags_for("lumbar"):
        if flag.urgency in ("emergency", "urgent"):
            assert fold(flag.patient) in text
    assert "March 14, 2031" in text
    assert fold(content.general["notice"]) in text
    for secret in (CHART, MARKER, "MARKER", "Wexworth", "Hilda", "HW"):
        assert secret not in text, secret


def test_handout_names_the_clinic_from_the_settings(launch: Launch, tmp_path: Path):
    """The clinic's name (setting clinic/name) heads the page."""
    window = launch()
    window.settings.set("clinic/name", "Riverside Spine Clinic")
    visit_with_plan(window)
    path = tmp_path / "clinic.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    assert "Riverside Spine Clinic" in pdf_text(path)[1]


def test_handout_is_in_the_patients_language(launch: Launch, tmp_path: Path):
    """A Spanish-speaking patient's handout is in Spanish."""
    if "es" not in load_all():
        pytest.skip("Spanish clinical content (assets/content/es.toml) not installed")
    window = launch()
    visit_with_plan(window, language="es")
    path = tmp_path / "folleto.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    _pages, text = pdf_text(path)
    es = load_content("es")
    assert fold(es.region("L4").name) in text
    assert fold(es.general["notice"]) in text
    assert "14 de marzo de 2031" in text
    assert CHART not in text and MARKER not in text


def test_handout_does_not_need_the_patient_screen(launch: Launch, tmp_path: Path):
    """The handout takes the patient's language from the record: no screen built."""
    if "es" not in load_all():
        pytest.skip("Spanish clinical content (assets/content/es.toml) not installed")
    window = launch()
    controls = window.patient_screen_controls
    visit_with_plan(window, language="es")
    assert controls.language == "es"
    path = tmp_path / "folleto.pdf"
    assert controls.handout.save_to(path) is not None
    assert fold(load_content("es").region("L4").name) in pdf_text(path)[1]
    assert controls.built_screen() is None


def test_handout_language_follows_the_patient_not_the_screen_toggle(
    launch: Launch, tmp_path: Path
):
    """L on the patient screen changes the screen only; the handout stays the
    patient's language (English here), and the save step may pick another."""
    if "es" not in load_all():
        pytest.skip("Spanish clinical content (assets/content/es.toml) not installed")
    window = launch()
    controls = window.patient_screen_controls
    visit_with_plan(window, language="en")
    controls.language_action.trigger()  # the screen now shows Spanish
    assert window.patient_screen.language == "es"
    assert window.ops.patient.preferred_language == "en"
    path = tmp_path / "handout.pdf"
    assert controls.handout.default_choice().language == "en"
    assert controls.handout.save_to(path) is not None
    text = pdf_text(path)[1]
    assert fold(load_content("en").region("L4").name) in text
    assert fold(load_content("es").general["notice"]) not in text
    # Chosen in the save step: Spanish for this one handout.
    chosen = HandoutChoice("es", "letter")
    assert controls.handout.save_to(path, chosen) is not None
    assert fold(load_content("es").general["notice"]) in pdf_text(path)[1]


def test_print_path_renders_the_same_page(launch: Launch, tmp_path: Path):
    """Printing paints the same one page (checked through a PDF-backed printer)."""
    window = launch()
    visit_with_plan(window)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    layout = window.patient_screen_controls.handout.print_to(printer)
    assert layout is not None and layout.fits
    pages, text = pdf_text(tmp_path / "printed.pdf")
    assert pages == 1
    assert "March 14, 2031" in text
    assert CHART not in text


def test_without_a_visit_the_handout_offers_to_start_one(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """With no visit open (whatever is selected), no file is written and the
    clinician is offered to start the visit."""
    window = launch()
    window.ops.create_patient(chart_number="NV-1")
    window.state.select("L4")  # a look-up is not a visit
    path = tmp_path / "none.pdf"
    handout = window.patient_screen_controls.handout
    with qtbot.waitSignal(handout.start_visit_requested, timeout=2000):
        assert handout.save_to(path) is None
    assert not path.exists()
    box = window.patient_screen_controls.no_visit_box
    assert "NV-1" in box.text()
    start = next(b for b in box.buttons() if b.text() == "Start visit")
    start.click()
    assert window.ops.visit is not None and window.ops.visit.levels == ("L4",)


@pytest.mark.parametrize("page", ["A4", "Letter"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_longest_handout_fits_one_page(
    qtbot: QtBot, tmp_path: Path, page: str, language: str
):
    """The region with the most text, every option recommended, fits on one page."""
    contents = load_all()
    if language not in contents:
        pytest.skip(f"{language} clinical content not installed")
    content = contents[language]
    handout = compose_handout(
        content,
        "cervical",
        recommended=[o.id for o in content.options],
        follow_up=date(2031, 12, 24),
        clinic_name="A Clinic With A Rather Long Name For Testing",
        given_on=date(2031, 12, 1),
    )
    diagram = handout_diagram(content, ["cervical"], handout.muscles)
    size = QPageSize(getattr(QPageSize.PageSizeId, page))
    layout = write_pdf(handout, tmp_path / "long.pdf", diagram, size)
    assert layout.fits
    assert layout.font_px >= 6.5  # still readable when printed
    pages, text = pdf_text(tmp_path / "long.pdf")
    assert pages == 1
    assert fold(content.escalation.patient) in text


def add_scored_visits(window: MainWindow, pains: list[tuple[int, int]]) -> None:
    """Visits of the open patient: (days after 2031-01-06, pain)."""
    onset = date(2031, 1, 6)
    for day, pain in pains:
        visit = window.ops.start_visit(
            visit_date=onset + timedelta(days=day),
            onset_date=onset,
            pain=pain,
            regions=["lumbar"],
            levels=["L4"],
        ).value
        assert visit is not None


def test_handout_shows_progress_of_this_patient_only(launch: Launch, tmp_path: Path):
    """2+ scored visits: "Your progress" and its sentence, from this patient alone."""
    window = launch()
    window.progress_dock.hide()
    window.ops.create_patient(chart_number="CH-OTHER-1")
    add_scored_visits(window, [(1, 9), (30, 1)])  # would read "from 9 to 1"
    visit_with_plan(window)
    add_scored_visits(window, [(3, 7), (17, 6), (38, 4)])
    window.state.select("L4")
    path = tmp_path / "progress.pdf"
    layout = window.patient_screen_controls.handout.save_to(path)
    assert layout is not None and layout.fits
    pages, text = pdf_text(path)
    assert pages == 1
    assert "Your progress" in text
    assert "Your pain has gone down from 7 to 4 since your first visit." in text
    assert "Pain (0 = none, 10 = worst)" in text
    assert "from 9 to 1" not in text
    for secret in (CHART, MARKER, "CH-OTHER-1", "Hilda"):
        assert secret not in text, secret


def test_handout_has_no_progress_with_one_scored_visit(launch: Launch, tmp_path: Path):
    """The test patient's one visit has no pain score: no progress box."""
    window = launch()
    visit_with_plan(window)
    path = tmp_path / "plain.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    assert "Your progress" not in pdf_text(path)[1]


@pytest.mark.parametrize("page", ["A4", "Letter"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_longest_handout_with_progress_fits_one_page(
    qtbot: QtBot, tmp_path: Path, page: str, language: str
):
    """The worst case plus the progress box (many visits) still fits, readable."""
    contents = load_all()
    if language not in contents:
        pytest.skip(f"{language} clinical content not installed")
    content = contents[language]
    start = datetime(2031, 1, 1, tzinfo=UTC)
    first = date(2031, 1, 6)
    visits = [
        Visit(
            id=f"v{n}", patient_id="p", visit_date=first + timedelta(days=7 * n),
            onset_date=date(2031, 1, 1), mechanism=None, pain=max(0, 9 - n % 6),
            regions=("cervical",), levels=(), red_flags={}, treatments_given=(),
            treatments_recommended=(), follow_up=None, created=start, updated=start,
        )
        for n in range(16)
    ]  # fmt: skip
    handout = compose_handout(
        content,
        "cervical",
        recommended=[o.id for o in content.options],
        follow_up=date(2031, 12, 24),
        clinic_name="A Clinic With A Rather Long Name For Testing",
        given_on=date(2031, 12, 1),
        name="Bartholomew",
        labels=strings(language),
        visits=visits,
    )
    assert handout.progress is not None
    diagram = handout_diagram(content, ["cervical"], handout.muscles)
    size = QPageSize(getattr(QPageSize.PageSizeId, page))
    layout = write_pdf(handout, tmp_path / "long.pdf", diagram, size)
    assert layout.fits
    assert layout.font_px >= 6.5
    pages, text = pdf_text(tmp_path / "long.pdf")
    assert pages == 1
    assert fold(handout.progress.sentence) in text
    assert fold(content.escalation.patient) in text
