"""No thrust technique is recorded as given without consent or a recorded reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QDialogButtonBox
from pytestqt.qtbot import QtBot

from companion.core.content import load_content
from companion.ui.consent_dialog import ConsentDialog
from companion.ui.main_window import MainWindow
from tests.ui.test_handout import fold, pdf_text

Launch = Callable[..., MainWindow]
NECK_THRUST = "treat_cervical_manipulation_given"


def neck_visit(window: MainWindow) -> None:
    """A patient with a visit to the neck (C5) open."""
    assert window.ops.create_patient(chart_number="CONSENT-1")
    assert window.ops.start_visit(levels=["C5"], regions=["cervical"])


def tick_neck_thrust(window: MainWindow) -> ConsentDialog:
    """Tick the neck thrust as given, as a clinician would; the dialog opens."""
    box = window.clinic.editor.findChild(QCheckBox, NECK_THRUST)
    assert box is not None
    box.click()  # as a click or Space does (the row may be scrolled out of view)
    dialog = window.clinic.editor.consent_dialog
    assert isinstance(dialog, ConsentDialog) and dialog.isVisible()
    return dialog


def press(dialog: ConsentDialog, which: QDialogButtonBox.StandardButton) -> None:
    dialog.buttons.button(which).click()


def fill_consent(dialog: ConsentDialog) -> None:
    """Everything a complete consent needs: the screen, who, and each point."""
    for box in dialog.screen_boxes:
        box.setChecked(True)
    dialog.given_by.setText("the patient")
    dialog.recorded_by.setText("Dr Ortiz")
    for box in dialog.points.values():
        box.setChecked(True)


def test_cancel_unticks_and_saves_nothing(launch: Launch, qtbot: QtBot):
    """Cancelling the consent leaves the thrust unticked and out of the record."""
    window = launch()
    neck_visit(window)
    dialog = tick_neck_thrust(window)
    assert window.ops.visit.treatments_given == ()  # nothing saved while asking
    press(dialog, QDialogButtonBox.StandardButton.Cancel)
    box = window.clinic.editor.findChild(QCheckBox, NECK_THRUST)
    assert not box.isChecked()
    stored = window.ops.store.get_visit(window.ops.visit.id)
    assert stored.treatments_given == () and stored.consents == ()


def test_incomplete_consent_is_refused_with_a_message(launch: Launch, qtbot: QtBot):
    """OK without the screen, who or the points says what is missing; stays open."""
    window = launch()
    neck_visit(window)
    dialog = tick_neck_thrust(window)
    assert dialog.screen_boxes  # the neck shows the pre-manipulation screen
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == window.context.t("consent.screen_incomplete")
    for box in dialog.screen_boxes:
        box.setChecked(True)
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.error.text() == window.context.t("consent.who_missing")
    assert window.ops.visit.treatments_given == ()


def test_ok_saves_consent_and_treatment_and_both_survive_a_restart(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """OK writes the thrust and its consent in one update; a restart shows both."""
    home = tmp_path / "clinic"
    window = launch(home)
    neck_visit(window)
    dialog = tick_neck_thrust(window)
    updates: list[object] = []
    window.ops.changed.connect(updates.append)
    fill_consent(dialog)
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert len(updates) == 1  # one update holds treatment and consent
    visit = window.ops.visit
    assert visit.treatments_given == ("cervical_manipulation",)
    (consent,) = visit.consents
    assert consent.technique == "cervical_manipulation"
    assert consent.given_by == "the patient" and consent.recorded_by == "Dr Ortiz"
    assert "stroke" in consent.explained and consent.is_complete()
    visit_id = visit.id
    window.close()
    again = launch(home)
    assert again.ops.visit is not None and again.ops.visit.id == visit_id
    assert again.ops.visit.consents == (consent,)
    box = again.clinic.editor.findChild(QCheckBox, NECK_THRUST)
    assert box.isChecked()


def test_a_recorded_reason_stands_in_for_the_consent(launch: Launch, qtbot: QtBot):
    """Choosing a reason saves the reason with the thrust and asks nothing later."""
    window = launch()
    neck_visit(window)
    dialog = tick_neck_thrust(window)
    for box in dialog.screen_boxes:
        box.setChecked(True)
    dialog.with_reason.setChecked(True)
    dialog.reason.setText("Signed consent form in the paper chart")
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    visit = window.ops.visit
    assert visit.treatments_given == ("cervical_manipulation",)
    assert visit.thrust_reason == "Signed consent form in the paper chart"
    assert visit.consents == ()


def test_treatment_tooltips_use_the_visit_regions_evidence(launch: Launch):
    """Neck visit: each treatment tooltip is the neck's evidence note."""
    window = launch()
    neck_visit(window)
    content = window.state.content
    box = window.clinic.editor.findChild(QCheckBox, "treat_muscle_relaxants_given")
    option = next(o for o in content.options if o.id == "muscle_relaxants")
    grid = window.clinic.editor.treatments_grid
    index = grid.indexOf(box)
    row = grid.getItemPosition(index)[0]
    label = grid.itemAtPosition(row, 0).widget()
    assert label.toolTip() == option.evidence_notes["cervical"]
    assert label.toolTip() != option.evidence_notes["lumbar"]


def test_handout_with_osteoporosis_lists_no_manipulation(
    launch: Launch, tmp_path: Path
):
    """Osteoporosis raised: the handout prints no manipulation, even if chosen."""
    window = launch()
    assert window.ops.create_patient(chart_number="OSTEO-1")
    assert window.ops.start_visit(levels=["L4"], regions=["lumbar"])
    assert window.ops.update_visit(
        red_flags={"osteoporosis": "present"},
        treatments_recommended=["manipulation", "heat"],
    )
    window.state.select("L4")
    path = tmp_path / "handout.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    _pages, text = pdf_text(path)
    content = load_content("en")
    options = {o.id: o for o in content.options}
    assert fold(options["heat"].patient) in text
    assert fold(options["manipulation"].patient) not in text
    assert fold(options["manipulation"].name) not in text


def test_the_dialog_asks_about_the_thrust_just_ticked(launch: Launch):
    """An older undocumented thrust on the visit neither asks on every tick nor
    takes the place of the technique just ticked."""
    window = launch()
    assert window.ops.create_patient(chart_number="CONSENT-2")
    assert window.ops.start_visit(levels=["C5", "L4"], regions=["cervical", "lumbar"])
    assert window.ops.update_visit(treatments_given=["manipulation"])
    assert window.ops.open_visit(window.ops.visit.id)  # the editor shows it
    window.clinic.editor.findChild(QCheckBox, "treat_heat_given").click()
    assert window.clinic.editor.consent_dialog is None
    assert set(window.ops.visit.treatments_given) == {"manipulation", "heat"}
    dialog = tick_neck_thrust(window)
    assert dialog.technique.currentData() == "cervical_manipulation"
