"""The clinician's visit column: patient picker, visit history and the visit editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.core.records import Patient, Visit
from companion.ui.app_state import AppState
from companion.ui.patient_picker import NewPatientDialog, PatientPicker, patient_line
from companion.ui.region_panel import resolve_selection
from companion.ui.visit_editor import VisitEditor, assessment_line
from companion.ui.visit_session import VisitSession


def visit_line(visit: Visit) -> str:
    pain = "—" if visit.pain is None else f"{visit.pain}/10"
    where = ", ".join(visit.levels or visit.regions)
    return f"{visit.visit_date.isoformat()} · {pain} · {where}".rstrip(" ·")


class ClinicPanel(QWidget):
    """Picks the patient and visit; the editor below saves as the clinician works."""

    def __init__(self, state: AppState, session: VisitSession, parent=None):
        super().__init__(parent)
        self.setObjectName("clinicPanel")
        self.state = state
        self.session = session
        self.picker = PatientPicker(session, state.strings)
        self.patient_label = QLabel(objectName="currentPatient")
        self.visit_list = QListWidget(objectName="visitList")
        self.visit_list.setMaximumHeight(96)
        self.new_visit_button = QPushButton(objectName="newVisit")
        self.editor = VisitEditor(state, session)
        scroll = QScrollArea(objectName="visitScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)

        row = QHBoxLayout()
        row.addWidget(self.patient_label, 1)
        row.addWidget(self.new_visit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addLayout(row)
        layout.addWidget(self.visit_list)
        layout.addWidget(scroll, 1)

        self.picker.new_patient_requested.connect(self.new_patient)
        self.new_visit_button.clicked.connect(self.new_visit)
        self.visit_list.itemActivated.connect(self._open_visit_item)
        self.visit_list.itemClicked.connect(self._open_visit_item)
        session.patient_changed.connect(self._on_patient_changed)
        session.patient_changed.connect(lambda _p: self.picker.refresh())
        session.visits_changed.connect(self.refresh_visits)
        session.visit_changed.connect(lambda _v: self._mark_current_visit())
        state.language_changed.connect(lambda _lang: self.retranslate())
        self.retranslate()
        self.picker.refresh()
        self._on_patient_changed(None)

    def retranslate(self) -> None:
        t = self.state.strings.t
        self.picker.set_strings(self.state.strings)
        self.new_visit_button.setText(t("visit.new"))
        self._on_patient_changed(self.session.patient)

    def new_patient(self) -> None:
        """Ask for a chart number or initials and open the new patient."""
        self.editor.autosave.flush()
        dialog = NewPatientDialog(self.session, self.state.strings, self)
        if dialog.exec() and dialog.created is not None:
            self.picker.refresh()

    def new_visit(self) -> None:
        """Start today's visit, filled from the diagram's selection if any."""
        if self.session.patient is None:
            return
        self.editor.autosave.flush()
        fields: dict[str, object] = {}
        code = self.state.selection
        assessment = ""
        if code is not None:
            region, level, _muscle = resolve_selection(self.state.content, code)
            fields = {"regions": [region.id], "levels": [level] if level else []}
            assessment = assessment_line(
                self.state.content, self.state.strings, level, region.id
            )
        if self.session.start_visit(**fields) is not None and assessment:
            self.editor.notes["A"].setPlainText(assessment)

    def refresh_visits(self) -> None:
        self.visit_list.clear()
        for visit in self.session.visits():
            item = QListWidgetItem(visit_line(visit))
            item.setData(Qt.ItemDataRole.UserRole, visit.id)
            self.visit_list.addItem(item)
        self._mark_current_visit()

    def _mark_current_visit(self) -> None:
        visit = self.session.visit
        for row in range(self.visit_list.count()):
            item = self.visit_list.item(row)
            if visit is not None and item.data(Qt.ItemDataRole.UserRole) == visit.id:
                self.visit_list.setCurrentRow(row)

    def _open_visit_item(self, item: QListWidgetItem) -> None:
        visit_id = item.data(Qt.ItemDataRole.UserRole)
        if self.session.visit is None or self.session.visit.id != visit_id:
            self.editor.autosave.flush()
            self.session.open_visit(visit_id)

    def _on_patient_changed(self, patient: Patient | None) -> None:
        t = self.state.strings.t
        if patient is None:
            self.patient_label.setText(t("patient.none"))
        else:
            self.patient_label.setText(f"<b>{patient_line(patient)}</b>")
        self.new_visit_button.setEnabled(patient is not None)
