"""Whose record is on screen: chart number, initials and the open visit's date."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from companion.core.records import Patient, Visit
from companion.ui.app_context import AppContext
from companion.ui.ops import Changes


def patient_line(patient: Patient) -> str:
    """How a patient appears in the clinician's list (never on the patient screen)."""
    parts = [patient.chart_number, patient.initials, patient.display_name]
    return " · ".join(p for p in parts if p)


def banner_text(
    patient: Patient | None, visit: Visit | None, none_text: str, visit_text: str
) -> str:
    """The banner's words: the open patient, and the open visit's date if any."""
    if patient is None:
        return none_text
    who = " · ".join(p for p in (patient.chart_number, patient.initials) if p)
    return f"{who} — {visit_text}" if visit is not None else who


class PatientBanner(QLabel):
    """On every panel that shows patient data, so nobody reads the wrong chart."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientBanner")
        self.setWordWrap(True)
        self.context = context
        context.ops.changed.connect(self._on_changed)
        context.state.language_changed.connect(lambda _lang: self.refresh())
        self.refresh()

    def _on_changed(self, changes: Changes) -> None:
        if changes.patient or changes.visit or changes.visits:
            self.refresh()

    def refresh(self) -> None:
        ops, t = self.context.ops, self.context.t
        visit = ops.visit
        text = banner_text(
            ops.patient,
            visit,
            t("patient.none"),
            t("visit.banner_visit", date=visit.visit_date.isoformat()) if visit else "",
        )
        self.setText(text if ops.patient is None else f"<b>{text}</b>")
        self.setProperty("open", ops.patient is not None)
