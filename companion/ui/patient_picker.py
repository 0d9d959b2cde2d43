"""Find or create a patient, keyboard first: type, arrow down, Enter."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.core.i18n import Strings
from companion.core.records import LANGUAGES, InvalidInput, Patient
from companion.store import StoreError
from companion.ui.error_text import error_text
from companion.ui.visit_session import VisitSession


def patient_line(patient: Patient) -> str:
    """How a patient appears in the clinician's list (never on the patient screen)."""
    parts = [patient.chart_number, patient.initials, patient.display_name]
    return " · ".join(p for p in parts if p)


class NewPatientDialog(QDialog):
    """Chart number or initials (one is required), optional name and language."""

    def __init__(self, session: VisitSession, strings: Strings, parent=None):
        super().__init__(parent)
        self.setObjectName("newPatientDialog")
        self.session = session
        self.strings = strings
        t = strings.t
        self.setWindowTitle(t("patient.new_title"))
        self.chart_number = QLineEdit(objectName="chartNumber")
        self.initials = QLineEdit(objectName="initials")
        self.display_name = QLineEdit(objectName="displayName")
        self.language = QComboBox(objectName="preferredLanguage")
        for code in LANGUAGES:
            self.language.addItem(t(f"language.{code}"), code)
        self.error = QLabel(objectName="patientError", wordWrap=True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(t("patient.chart_number"), self.chart_number)
        form.addRow(t("patient.initials"), self.initials)
        form.addRow(t("patient.display_name"), self.display_name)
        form.addRow(t("patient.language"), self.language)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.created: Patient | None = None

    def save(self) -> None:
        """Create the patient; on bad input say why and keep what was typed."""
        try:
            self.created = self.session.create_patient(
                chart_number=self.chart_number.text(),
                initials=self.initials.text(),
                display_name=self.display_name.text(),
                preferred_language=self.language.currentData(),
            )
        except (InvalidInput, StoreError) as error:
            self.error.setText(error_text(error, self.strings))
            self.error.show()
            return
        self.accept()


class PatientPicker(QWidget):
    """A search box over chart numbers, initials and names, with the matches below."""

    new_patient_requested = Signal()

    def __init__(self, session: VisitSession, strings: Strings, parent=None):
        super().__init__(parent)
        self.setObjectName("patientPicker")
        self.session = session
        self.search = QLineEdit(objectName="patientSearch", clearButtonEnabled=True)
        self.results = QListWidget(objectName="patientResults")
        self.results.setMaximumHeight(96)
        self.new_button = QPushButton(objectName="newPatient")
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.results)
        self.search.textChanged.connect(self.refresh)
        self.search.installEventFilter(self)
        self.search.returnPressed.connect(self.open_current)
        self.results.itemActivated.connect(lambda _item: self.open_current())
        self.new_button.clicked.connect(self.new_patient_requested)
        self.set_strings(strings)

    def set_strings(self, strings: Strings) -> None:
        self.search.setPlaceholderText(strings.t("patient.search_hint"))
        self.new_button.setText(strings.t("patient.new"))

    def refresh(self) -> None:
        self.results.clear()
        for patient in self.session.find_patients(self.search.text().strip()):
            item = QListWidgetItem(patient_line(patient))
            item.setData(Qt.ItemDataRole.UserRole, patient.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def open_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.session.open_patient(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down in the search box move through the matches without leaving it.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None and self.results.count():
                row = min(
                    max(self.results.currentRow() + step, 0), self.results.count() - 1
                )
                self.results.setCurrentRow(row)
                return True
        return False
