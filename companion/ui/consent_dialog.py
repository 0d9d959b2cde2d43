"""Informed consent before a thrust technique is recorded as given on a visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.core.clinical_rules import (
    ConsentProblem,
    ConsentRecord,
    thrust_consent_problem,
)
from companion.core.content import SCREEN_KINDS
from companion.core.records import Visit
from companion.ui.app_context import AppContext

# What was explained, in the order the clinician goes through it; each key is
# consent.explained_<point> and must be ticked before the consent is recorded.
POINTS = ("risks", "alternatives", "decline", "emergency")
NECK_OPTION = "cervical_manipulation"


def needs_screen(option_id: str, regions: list[str]) -> bool:
    """The pre-manipulation screen is shown for a thrust on the neck."""
    return option_id == NECK_OPTION or "cervical" in regions


class ConsentDialog(QDialog):
    """Records who consented to which thrust, what was explained, or a reason."""

    def __init__(
        self,
        context: AppContext,
        visit: Visit,
        problem: ConsentProblem,
        given: list[str],
        regions: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent or context.window, objectName="consentDialog")
        self.context = context
        self.visit = visit
        self.given = given
        content = context.state.content
        self.content = content
        t = context.t
        option = next(o for o in content.options if o.id == problem.option_id)
        self.setWindowTitle(t("consent.title", technique=option.name))
        self.setModal(True)

        intro = QLabel(t(f"consent.problem_{problem.code}"), wordWrap=True)
        self.technique = QComboBox(objectName="consentTechnique")
        for thrust in (o for o in content.options if o.thrust):
            self.technique.addItem(thrust.name, thrust.id)
        self.technique.setCurrentIndex(self.technique.findData(option.id))

        self.with_consent = QRadioButton(t("consent.record_consent"))
        self.with_consent.setObjectName("consentRecord")
        self.with_reason = QRadioButton(t("consent.record_reason"))
        self.with_reason.setObjectName("consentReasonChoice")
        self._choice = QButtonGroup(self)
        self._choice.addButton(self.with_consent)
        self._choice.addButton(self.with_reason)
        self.with_consent.setChecked(True)

        self.consent_box = QGroupBox()
        form = QFormLayout(self.consent_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.given_by = QLineEdit(objectName="consentGivenBy")
        self.given_by.setPlaceholderText(t("consent.given_by_hint"))
        self.recorded_by = QLineEdit(objectName="consentRecordedBy")
        self.when = QDateTimeEdit(QDateTime.currentDateTime(), objectName="consentWhen")
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setCalendarPopup(True)
        form.addRow(t("consent.technique"), self.technique)
        form.addRow(t("consent.given_by"), self.given_by)
        form.addRow(t("consent.recorded_by"), self.recorded_by)
        form.addRow(t("consent.when"), self.when)
        form.addRow(QLabel(t("consent.explained"), wordWrap=True))
        self.points: dict[str, QCheckBox] = {}
        self.point_labels: dict[str, QLabel] = {}
        # Their own form, so each box sits right by its text, not in the
        # column sized for the field names above.
        points_form = QFormLayout()
        form.addRow(points_form)
        for point in POINTS:
            box = QCheckBox(objectName=f"consentPoint_{point}")
            # A checkbox's own text never wraps: a label beside it does.
            label = QLabel(self._point_text(point), wordWrap=True)
            label.setBuddy(box)
            points_form.addRow(box, label)
            self.points[point] = box
            self.point_labels[point] = label
        self.technique.currentIndexChanged.connect(self._retext_points)
        self.explained_more = QPlainTextEdit(objectName="consentExplainedMore")
        self.explained_more.setPlaceholderText(t("consent.explained_more"))
        self.explained_more.setMaximumHeight(70)
        form.addRow(self.explained_more)

        self.reason = QLineEdit(objectName="consentReason")
        self.reason.setPlaceholderText(t("consent.reason_hint"))

        self.screen_boxes: list[QCheckBox] = []
        self.screen_box = self._screen(problem.option_id, regions)

        self.error = QLabel(objectName="consentError", wordWrap=True)
        self.error.setStyleSheet("color: #a1261d")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            t("consent.save")
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addWidget(intro)
        if self.screen_box is not None:
            column.addWidget(self.screen_box)
        column.addWidget(self.with_consent)
        column.addWidget(self.consent_box)
        column.addWidget(self.with_reason)
        column.addWidget(self.reason)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.with_consent.toggled.connect(self._follow_choice)
        self._follow_choice()
        screen = context.window.screen()
        height = screen.availableGeometry().height() if screen else 720
        self.resize(620, min(760, int(height * 0.9)))

    # -- building -------------------------------------------------------------

    def _point_text(self, point: str) -> str:
        key = f"consent.explained_{point}"
        if point == "risks" and self.technique.currentData() == NECK_OPTION:
            key = "consent.explained_risks_neck"
        return self.context.t(key)

    def _retext_points(self) -> None:
        # The neck's risks name the rare stroke risk; other thrusts do not.
        self.point_labels["risks"].setText(self._point_text("risks"))

    def _screen(self, option_id: str, regions: list[str]) -> QGroupBox | None:
        """The pre-manipulation screen as a checklist, for a thrust on the neck."""
        content = self.content
        if not needs_screen(option_id, regions):
            return None
        t = self.context.t
        box = QGroupBox(content.general["manipulation_screen_title"])
        box.setObjectName("manipulationScreen")
        column = QVBoxLayout(box)
        column.addWidget(QLabel(t("consent.screen_hint"), wordWrap=True))
        for kind in SCREEN_KINDS:
            items = [i for i in content.manipulation_screen if i.kind == kind]
            if not items:
                continue
            title = QLabel(f"<b>{content.general[f'screen_{kind}']}</b>")
            title.setWordWrap(True)
            column.addWidget(title)
            for item in items:
                check = QCheckBox(objectName=f"screen_{item.id}")
                label = QLabel(f"{item.name}: {item.clinician}", wordWrap=True)
                label.setBuddy(check)
                row = QFormLayout()
                row.setContentsMargins(12, 0, 0, 0)
                row.addRow(check, label)
                column.addLayout(row)
                self.screen_boxes.append(check)
        return box

    def _follow_choice(self) -> None:
        consent = self.with_consent.isChecked()
        self.consent_box.setEnabled(consent)
        self.reason.setEnabled(not consent)

    # -- the result -----------------------------------------------------------

    def record(self) -> ConsentRecord:
        """The consent as typed (it may still be incomplete)."""
        explained = [
            self._point_text(p) for p, box in self.points.items() if box.isChecked()
        ]
        more = self.explained_more.toPlainText().strip()
        if more:
            explained.append(more)
        if self.screen_boxes:
            explained.append(self.context.t("consent.screen_done"))
        when = self.when.dateTime().toPython()
        assert isinstance(when, datetime)
        return ConsentRecord(
            technique=self.technique.currentData(),
            given_by=self.given_by.text().strip(),
            recorded_by=self.recorded_by.text().strip(),
            when=when.astimezone(),
            explained="; ".join(explained),
        )

    def fields(self) -> dict[str, Any]:
        """What to save with the treatments: the visit's consents or the reason."""
        if self.with_reason.isChecked():
            return {"thrust_reason": self.reason.text().strip()}
        return {"consents": (*self.visit.consents, self.record())}

    def problem_text(self) -> str:
        """Why OK cannot save yet, or "" when everything needed is filled in."""
        t = self.context.t
        if any(not box.isChecked() for box in self.screen_boxes):
            return t("consent.screen_incomplete")
        if self.with_reason.isChecked():
            return "" if self.reason.text().strip() else t("consent.reason_missing")
        record = self.record()
        if not (record.given_by and record.recorded_by):
            return t("consent.who_missing")
        if any(not box.isChecked() for box in self.points.values()):
            return t("consent.points_missing")
        fields = self.fields()
        problem = thrust_consent_problem(self.content, self.given, fields["consents"])
        return "" if problem is None else t("consent.other_technique")

    def try_accept(self) -> None:
        """Accept only a complete consent or a reason; otherwise say what is missing."""
        message = self.problem_text()
        self.error.setText(message)
        self.error.setVisible(bool(message))
        if not message:
            self.accept()


def ask_if_needed(
    context: AppContext,
    fields: dict[str, Any],
    regions: list[str],
    save: Callable[..., bool],
    undo: Callable[[], None],
) -> QDialog | None:
    """Ask for consent when the treatments to save hold an undocumented thrust.

    Returns the dialog it opened (its OK saves fields and the consent in one
    update; Cancel calls undo, which shows the record's ticks again), or None
    when fields may be saved as they are.
    """
    visit = context.ops.visit
    if visit is None:
        return None
    # Only a thrust ticked now is asked about: one already in the record (from
    # before consent was recorded) must not make every later tick ask again.
    given = [o for o in fields["treatments_given"] if o not in visit.treatments_given]
    content = context.state.content
    problem = thrust_consent_problem(
        content, given, visit.consents, visit.thrust_reason
    )
    if problem is None:
        return None
    dialog = ConsentDialog(context, visit, problem, given, regions)

    def finished(result: int) -> None:
        # OK saves the treatments and the consent in one update; Cancel (or a
        # visit switched meanwhile) saves nothing. Either way the ticks are
        # redrawn from the record.
        current = context.ops.visit
        if result == QDialog.DialogCode.Accepted and current and current.id == visit.id:
            save(**fields, **dialog.fields())
        undo()

    dialog.finished.connect(finished)
    dialog.open()
    return dialog
