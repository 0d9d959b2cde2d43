"""pytest-qt tests of the patient screen: privacy, live selection, language, keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from companion.core import spine, visit_rules
from companion.core.content import load_all
from companion.ui import patient_screen as patient_screen_module
from companion.ui.main_window import MainWindow
from companion.ui.patient_screen import PatientScreen, choose_screen

Launch = Callable[..., MainWindow]

OTHER = {
    "chart_number": "CH-OTHER-4471",
    "initials": "QX",
    "display_name": "Quentin Xylander",
}
THIS = {
    "chart_number": "CH-THIS-9082",
    "initials": "ZV",
    "display_name": "Zelda Vornhagen",
}
MARKER_OTHER = "MARKER-OTHER-5c1e"
MARKER_THIS = "MARKER-THIS-77ad"


def widget_texts(root: QWidget) -> list[str]:
    """Every string a widget tree shows or announces, scenes included."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.accessibleName(), widget.accessibleDescription()]
        texts.append(widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts.append(widget.text())
        if isinstance(widget, QTextEdit | QTextBrowser):
            texts.append(widget.toPlainText())
        if isinstance(widget, QGraphicsView) and widget.scene() is not None:
            for item in widget.scene().items():
                texts.append(item.toolTip())
                texts += [str(item.data(role) or "") for role in (0, 1)]
                if isinstance(item, QGraphicsTextItem):
                    texts.append(item.toPlainText())
                if isinstance(item, QGraphicsSimpleTextItem):
                    texts.append(item.text())
    return [t for t in texts if t]


def screen_texts(screen: PatientScreen) -> str:
    """All text on every page of the patient screen, one page after another."""
    texts: list[str] = []
    for page in range(len(screen.pages())):
        screen.go_to_page(page)
        texts += widget_texts(screen)
        texts.append(screen.plain_text())
    return "\n".join(texts)


def two_patients(window: MainWindow) -> None:
    """Another patient with a note, then this patient (left open) with a note."""
    session = window.ops
    session.create_patient(**OTHER)
    visit = session.start_visit().value
    assert visit is not None
    assert session.commit_note(visit.id, "S", f"Neck stiff {MARKER_OTHER}")
    session.create_patient(**THIS)
    visit = session.start_visit().value
    assert visit is not None
    assert session.commit_note(visit.id, "S", f"Low back {MARKER_THIS}")


def visit_at(window: MainWindow, *codes: str) -> None:
    """The open visit (started for a patient if need be) records these codes."""
    ops = window.ops
    if ops.patient is None:
        assert ops.create_patient(chart_number="CH-SCREEN-1")
    if ops.visit is None:
        assert ops.start_visit()
    levels = [c for c in codes if spine.is_level(c)]
    regions = visit_rules.visit_regions(levels, [c for c in codes if not levels])
    assert ops.update_visit(levels=levels, regions=regions)


def shown_screen(window: MainWindow, qtbot: QtBot) -> PatientScreen:
    screen = window.patient_screen
    screen.present()
    qtbot.waitUntil(screen.isVisible)
    return screen


def spanish_or_skip() -> None:
    if "es" not in load_all():
        pytest.skip("Spanish clinical content (assets/content/es.toml) not installed")


def test_screen_shows_no_records_of_anyone(launch: Launch, qtbot: QtBot):
    """No chart number, initials, name or note of either patient reaches the screen."""
    window = launch()
    two_patients(window)
    visit_at(window, "L4")
    screen = shown_screen(window, qtbot)
    text = screen_texts(screen)
    assert window.patient_screen_controls.show_name_action.isChecked() is False
    forbidden = [
        *OTHER.values(),
        *THIS.values(),
        *THIS["display_name"].split(),
        *OTHER["display_name"].split(),
        MARKER_OTHER,
        MARKER_THIS,
        "MARKER",
    ]
    for secret in forbidden:
        assert secret not in text, secret


def test_show_name_setting_allows_only_the_first_name(launch: Launch, qtbot: QtBot):
    """With the setting on, the first name shows; nothing else of the record does."""
    window = launch()
    two_patients(window)
    visit_at(window, "L4")
    window.patient_screen_controls.show_name_action.trigger()
    assert window.settings.get_str("patient_screen/show_name") == "true"
    screen = shown_screen(window, qtbot)
    text = screen_texts(screen)
    assert "Zelda" in text
    for secret in (
        "Vornhagen",
        THIS["chart_number"],
        *OTHER.values(),
        *OTHER["display_name"].split(),
        MARKER_THIS,
        MARKER_OTHER,
    ):
        assert secret not in text, secret
    window.patient_screen_controls.show_name_action.trigger()
    assert "Zelda" not in screen_texts(screen)


def test_screen_follows_the_open_visit(launch: Launch, qtbot: QtBot):
    """Recording L4, then C5, on the open visit re-explains the screen live."""
    window = launch()
    screen = shown_screen(window, qtbot)
    content = window.state.content_for(screen.language)
    visit_at(window, "L4")
    text = screen_texts(screen)
    assert content.region("L4").name in text
    for muscle in content.muscles_for("lumbar"):
        assert muscle.patient in text
    assert set(screen.diagram.involved_muscles()) == set(content.region("L4").muscles)
    assert screen.diagram.selected_code() == "L4"
    visit_at(window, "C5")
    text = screen_texts(screen)
    for muscle in content.muscles_for("cervical"):
        assert muscle.patient in text
    assert content.muscles["quadratus_lumborum"].patient not in text


def test_a_look_up_click_never_changes_the_screen(launch: Launch, qtbot: QtBot):
    """After a visit at C5, T6 and L4, clicking S1 to look something up leaves the
    patient screen on those three levels and their regions."""
    window = launch()
    visit_at(window, "C5", "T6", "L4")
    screen = shown_screen(window, qtbot)
    content = window.state.content_for(screen.language)
    before = screen_texts(screen)
    window.spine_view.level_clicked.emit("S1")  # the clinician's look-up click
    assert window.state.selection == "S1"
    assert window.ops.visit.levels == ("C5", "T6", "L4")
    assert screen.codes() == ["C5", "T6", "L4"]
    text = screen_texts(screen)
    assert text == before
    for region in ("cervical", "thoracic", "lumbar"):
        assert content.regions[region].name in screen.region_title.text()
    words = []
    for page in range(len(screen.pages())):
        screen.go_to_page(page)
        words.append(screen.plain_text())
    assert content.regions["sacral"].name not in "\n".join(words)
    assert screen.diagram.marked_codes() == ["C5", "T6", "L4"]
    # The clinician's diagram marks the visit apart from the look-up.
    assert window.spine_view.marked_codes() == ["C5", "T6", "L4"]
    assert window.spine_view.selected_code() == "S1"


def test_screen_explains_causes_home_care_warnings_and_the_weeks(
    launch: Launch, qtbot: QtBot
):
    """Every topic is on some page; options graded 'against' are not advised."""
    window = launch()
    visit_at(window, "lumbar")
    screen = shown_screen(window, qtbot)
    content = window.state.content_for(screen.language)
    text = screen_texts(screen)
    assert content.general["spasm_what"] in text
    assert content.escalation.patient in text
    assert content.general["notice"] in text
    for cause in content.causes_for("lumbar"):
        assert (cause.patient in text) == (cause.likelihood == "common")
    for option in content.options_for("lumbar"):
        assert (option.patient in text) == (option.evidence != "against")
    for flag in content.red_flags_for("lumbar"):
        if flag.urgency in ("emergency", "urgent"):
            assert flag.patient in text
    for tip in content.prevention_for("lumbar"):
        assert tip.patient in text


def test_notice_is_visible_on_every_page(launch: Launch, qtbot: QtBot):
    """The not-medical-advice notice stays on screen whatever the page."""
    window = launch()
    visit_at(window, "C3")
    screen = shown_screen(window, qtbot)
    notice = window.state.content_for(screen.language).general["notice"]
    assert len(screen.pages()) > 1
    for page in range(len(screen.pages())):
        screen.go_to_page(page)
        assert screen.notice.isVisible()
        assert screen.notice.text() == notice


def test_keys_page_through_the_topics(launch: Launch, qtbot: QtBot):
    """Right/Space go forward, Left goes back, Home returns to the start."""
    window = launch()
    visit_at(window, "L4")
    screen = shown_screen(window, qtbot)
    assert screen.current_page() == 0
    qtbot.keyClick(screen, Qt.Key.Key_Right)
    assert screen.current_page() == 1
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    assert screen.current_page() == 2
    qtbot.keyClick(screen, Qt.Key.Key_Left)
    assert screen.current_page() == 1
    qtbot.keyClick(screen, Qt.Key.Key_Home)
    assert screen.current_page() == 0
    window.patient_screen_controls.next_action.trigger()
    assert screen.current_page() == 1


def test_large_type_scales_with_the_screen(launch: Launch):
    """Body type is at least 28 px on a 1080-line screen and grows with a larger one."""
    window = launch()
    screen = window.patient_screen
    screen.apply_scale(1080)
    assert screen.body.font().pixelSize() >= 28
    screen.apply_scale(2160)
    assert screen.body.font().pixelSize() >= 56


def test_l_switches_the_screen_language_only(launch: Launch, qtbot: QtBot):
    """L turns the screen Spanish; the patient's language on record stays."""
    spanish_or_skip()
    window = launch()
    patient = window.ops.create_patient(chart_number="CH-L-1").value
    assert patient.preferred_language == "en"
    visit_at(window, "L4")
    screen = shown_screen(window, qtbot)
    qtbot.keyClick(screen, Qt.Key.Key_L)
    assert screen.language == "es"
    es = window.state.content_for("es")
    text = screen_texts(screen)
    assert es.region("L4").name in text
    assert es.general["notice"] in text
    for muscle in es.muscles_for("lumbar"):
        assert muscle.patient in text
    assert window.state.language == "en"  # the clinician's window stays as it was
    stored = window.ops.store.get_patient(patient.id)
    assert stored is not None and stored.preferred_language == "en"
    qtbot.keyClick(screen, Qt.Key.Key_L)
    assert screen.language == "en"


def test_opening_a_patient_uses_their_language(launch: Launch, qtbot: QtBot):
    """A patient who prefers Spanish gets the screen in Spanish when opened."""
    spanish_or_skip()
    window = launch()
    screen = shown_screen(window, qtbot)
    window.ops.create_patient(chart_number="CH-ES-1", preferred_language="es")
    assert screen.language == "es"
    assert screen.windowTitle() == "Su espalda, explicada"
    window.ops.create_patient(chart_number="CH-EN-1", preferred_language="en")
    assert screen.language == "en"


def test_f5_shows_and_esc_hides_the_screen(launch: Launch, qtbot: QtBot):
    """F5 in the clinician window opens the screen; Esc on it closes it again."""
    window = launch()
    visit_at(window, "L4")
    screen = window.patient_screen
    assert not screen.isVisible()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(screen.isVisible)
    assert screen.isFullScreen()
    assert screen.animation.running()
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert not screen.isVisible()
    assert not screen.animation.running()  # nothing animates while hidden
    qtbot.waitUntil(window.isActiveWindow)  # the keyboard is back with the clinician


def test_the_spasm_animation_tightens_and_relaxes(launch: Launch, qtbot: QtBot):
    """The drawn muscle's tension rises towards tight, then falls back to relaxed."""
    window = launch()
    screen = shown_screen(window, qtbot)
    animation = screen.animation
    seen: list[float] = []
    animation.animation.valueChanged.connect(
        lambda _v: seen.append(animation.tension())
    )
    animation.animation.setCurrentTime(round(animation.animation.duration() * 0.45))
    assert animation.tension() > 0.95
    animation.animation.setCurrentTime(round(animation.animation.duration() * 0.95))
    assert animation.tension() < 0.05
    assert seen


def test_screen_has_no_clinician_controls(launch: Launch, qtbot: QtBot):
    """No buttons, fields or editors, and the diagram ignores the mouse."""
    window = launch()
    screen = shown_screen(window, qtbot)
    for kind in (QAbstractButton, QLineEdit, QTextEdit):
        assert screen.findChildren(kind) == []
    assert screen.diagram.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert screen.diagram.objectName() == "spineView"
    assert screen.objectName() == "patientScreen"


def test_second_monitor_is_chosen_when_there_is_one():
    """The screen goes to a monitor other than the clinician's, else the same one."""
    main, tv = SimpleNamespace(name="main"), SimpleNamespace(name="tv")
    assert choose_screen([main, tv], main) is tv
    assert choose_screen([tv, main], main) is tv
    assert choose_screen([main], main) is main


def test_closing_the_main_window_hides_the_screen(launch: Launch, qtbot: QtBot):
    """The patient screen never outlives the clinician's window."""
    window = launch()
    screen = shown_screen(window, qtbot)
    window.close()
    assert not screen.isVisible()


def patient_screens(window: MainWindow) -> list[QWidget]:
    """This window's patient screens: as top-level windows, children, any widget.

    (Earlier tests' windows may not be deleted yet, so only this window's count.)
    """
    found = [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "patientScreen" and w.parentWidget() is window
    ]
    found += window.findChildren(QWidget, "patientScreen")
    found += [
        w
        for w in QApplication.allWidgets()
        if isinstance(w, PatientScreen) and w.parentWidget() is window
    ]
    return found


def test_the_screen_is_built_on_first_use(launch: Launch, qtbot: QtBot):
    """Start-up builds only the actions; F5 builds the screen, on the open visit."""
    window = launch()
    controls = window.patient_screen_controls
    assert controls.built_screen() is None
    assert patient_screens(window) == []
    assert controls.show_action.shortcut().toString() == "F5"
    assert controls.show_action in window.view_menu.actions()
    assert controls.pdf_action in window.file_menu.actions()
    visit_at(window, "T6")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    screen = controls.built_screen()
    assert screen is not None and screen is window.patient_screen
    qtbot.waitUntil(screen.isVisible)
    assert patient_screens(window)
    content = window.state.content_for(screen.language)
    assert content.region("T6").name in screen.plain_text()
    assert screen.diagram.selected_code() == "T6"


def test_hidden_screen_lays_out_only_when_shown(
    launch: Launch, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
):
    """Visit changes while hidden only mark it stale; F5 shows the latest one."""
    window = launch()
    visit_at(window, "L4")
    screen = shown_screen(window, qtbot)
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert not screen.isVisible()
    calls: list[int] = []
    real = patient_screen_module.paginate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(patient_screen_module, "paginate", counting)
    passes = screen.layout_passes
    for code in ("C2", "C5", "C7", "T2", "T6", "T11", "L1", "L3", "L5", "S1"):
        visit_at(window, code)
    assert calls == []
    assert screen.layout_passes == passes
    assert screen.is_stale()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(screen.isVisible)
    assert calls  # laid out on showing …
    assert not screen.is_stale()
    content = window.state.content_for(screen.language)
    text = screen_texts(screen)
    assert content.region("S1").name in text  # … for the visit as it is now
    assert screen.diagram.selected_code() == "S1"
    assert set(screen.diagram.involved_muscles()) == set(content.region("S1").muscles)
    for muscle in content.muscles_for("cervical"):
        if muscle.id not in content.region("S1").muscles:
            assert muscle.patient not in text


def test_reading_a_hidden_screen_catches_up(launch: Launch):
    """pages(), current_page() and plain_text() of a hidden screen are current."""
    window = launch()
    visit_at(window, "C1")
    screen = window.patient_screen
    content = window.state.content_for(screen.language)
    screen.catch_up()
    visit_at(window, "L4")
    assert screen.is_stale()
    assert content.region("L4").name in screen.plain_text()
    assert not screen.is_stale()
    visit_at(window, "C3")
    home = next(i for i, page in enumerate(screen.pages()) if "home" in page.topics)
    assert home > 0
    screen.go_to_page(home)
    assert screen.current_page() == home
    # The page's first topic may be one continued from the page before.
    topic = screen.pages()[home].topics[0]
    visit_at(window, "C4")  # same region: it stays on the same topic
    assert 0 < screen.current_page() <= home
    assert topic in screen.pages()[screen.current_page()].topics
    visit_at(window, "L4")  # another region: back to its first page
    assert screen.current_page() == 0


def test_hidden_screen_takes_the_patients_language_and_name(
    launch: Launch, qtbot: QtBot
):
    """Opening a patient while hidden: their language and (if allowed) name at F5."""
    spanish_or_skip()
    window = launch()
    screen = shown_screen(window, qtbot)
    screen.dismiss()
    window.patient_screen_controls.show_name_action.trigger()
    passes = screen.layout_passes
    window.ops.create_patient(
        chart_number="CH-ES-2", display_name="Zelda Vornhagen", preferred_language="es"
    )
    visit_at(window, "L4")
    assert screen.layout_passes == passes
    assert screen.language == "es"
    assert "Zelda" in screen.greeting.text()  # the name is never stale …
    window.ops.open_patient(None)
    assert screen.greeting.text() == ""  # … nor kept after the chart closes
    window.ops.create_patient(
        chart_number="CH-ES-3", display_name="Yolanda Quist", preferred_language="es"
    )
    visit_at(window, "L4")
    screen = shown_screen(window, qtbot)
    assert screen.windowTitle() == "Su espalda, explicada"
    text = screen_texts(screen)
    assert window.state.content_for("es").region("L4").name in text
    assert "Yolanda" in text and "Zelda" not in text


ONSET = date(2030, 1, 6)


def scored_patient(
    window: MainWindow, fields: dict[str, str], pains: list[tuple[int, int | None]]
) -> None:
    """Open a new patient with visits of these (days after onset, pain)."""
    session = window.ops
    session.create_patient(**fields)
    for day, pain in pains:
        visit = session.start_visit(
            visit_date=ONSET + timedelta(days=day),
            onset_date=ONSET,
            pain=pain,
            regions=["lumbar"],
        ).value
        assert visit is not None


def test_progress_page_shows_only_this_patients_scores(launch: Launch, qtbot: QtBot):
    """3 scored visits: a "Your progress" page, with this patient's points only."""
    window = launch()
    window.progress_dock.hide()
    # Another patient with a distinctive, unmistakable pattern: 0, 10, 1.
    scored_patient(window, OTHER, [(1, 0), (8, 10), (15, 1)])
    scored_patient(window, THIS, [(3, 7), (17, 6), (38, 4)])
    window.state.select("L4")
    screen = shown_screen(window, qtbot)
    pages = screen.pages()
    last = len(pages) - 1
    assert pages[last].topics == ("progress",)  # a page of its own
    screen.go_to_page(last)
    assert screen.progress_chart.isVisible()
    assert not screen.diagram.isVisible()
    assert screen.progress_chart.points() == ((3 / 7, 7), (17 / 7, 6), (38 / 7, 4))
    assert [p for _w, p in screen.progress_chart.points()] == [7, 6, 4]
    text = screen.plain_text()
    assert "Your progress" in text
    assert "Your pain has gone down from 7 to 4 since your first visit." in text
    every = screen_texts(screen)
    for secret in (*OTHER.values(), *THIS.values(), "from 0 to 1"):
        assert secret not in every, secret
    screen.go_to_page(0)
    assert screen.diagram.isVisible() and not screen.progress_chart.isVisible()


def test_no_progress_page_with_one_scored_visit(launch: Launch, qtbot: QtBot):
    """One pain score is not a trend: no progress page, not even the other's."""
    window = launch()
    window.progress_dock.hide()
    scored_patient(window, OTHER, [(1, 8), (8, 5), (15, 2)])
    scored_patient(window, THIS, [(3, 7), (17, None)])
    window.state.select("L4")
    screen = shown_screen(window, qtbot)
    assert screen.progress() is None
    assert all("progress" not in page.topics for page in screen.pages())
    assert screen.progress_chart.points() == ()
    assert "Your progress" not in screen_texts(screen)


def test_hidden_screen_marks_progress_stale_and_catches_up(
    launch: Launch, qtbot: QtBot
):
    """New visits or another patient while hidden: stale, read again when shown."""
    window = launch()
    window.progress_dock.hide()
    screen = shown_screen(window, qtbot)
    screen.dismiss()
    scored_patient(window, THIS, [(3, 7)])
    passes = screen.layout_passes
    visit = window.ops.start_visit(
        visit_date=ONSET + timedelta(days=40), onset_date=ONSET, pain=3
    ).value
    assert visit is not None
    assert screen.is_stale() and screen.layout_passes == passes
    screen = shown_screen(window, qtbot)
    assert not screen.is_stale()
    assert [p for _w, p in screen.progress_chart.points()] == [7, 3]
    screen.dismiss()
    scored_patient(window, OTHER, [(2, 5)])
    assert screen.is_stale()
    assert screen.progress() is None
    assert screen.progress_chart.points() == ()


def test_progress_page_speaks_spanish(launch: Launch, qtbot: QtBot):
    """A Spanish-speaking patient reads the sentence and axis in Spanish."""
    spanish_or_skip()
    window = launch()
    window.progress_dock.hide()
    scored_patient(
        window, {**THIS, "preferred_language": "es"}, [(3, 7), (17, 7), (38, 6)]
    )
    screen = shown_screen(window, qtbot)
    assert screen.language == "es"
    text = screen_texts(screen)
    assert "Su dolor no ha cambiado mucho en 5 semanas." in text
    assert screen.progress_chart.labels().pain == "Dolor (0 = nada, 10 = el peor)"
