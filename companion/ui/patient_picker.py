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
from companion.ui.ops import Changes, ClinicOps
from companion.ui.patient_banner import patient_line


class NewPatientDialog(QDialog):
    """Chart number or initials (one is required), optional name and language."""

    def __init__(self, session: ClinicOps, strings: Strings, parent=None):
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
            result = self.session.create_patient(
                chart_number=self.chart_number.text(),
                initials=self.initials.text(),
                display_name=self.display_name.text(),
                preferred_language=self.language.currentData(),
            )
        except (InvalidInput, StoreError) as error:  # e.g. a describe() in English
            self.error.setText(error_text(error, self.strings))
            self.error.show()
            return
        if not result.ok:
            self.error.setText(result.error)
            self.error.show()
            return
        self.created = result.value
        self.accept()


class PatientPicker(QWidget):
    """A search box over chart numbers, initials and names, with the matches below.

    One click (or Enter) opens a patient, and the list's selection always shows
    the open patient, whatever opened it (a search hit, unlock, a restart).
    """

    new_patient_requested = Signal()

    def __init__(self, session: ClinicOps, strings: Strings, parent=None):
        super().__init__(parent)
        self.setObjectName("patientPicker")
        self.session = session
        self.search = QLineEdit(objectName="patientSearch", clearButtonEnabled=True)
        self.results = QListWidget(objectName="patientResults")
        self.results.setMaximumHeight(110)
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
        self.results.itemClicked.connect(lambda _item: self.open_current())
        self.new_button.clicked.connect(self.new_patient_requested)
        session.changed.connect(self._on_changed)
        self.set_strings(strings)

    def set_strings(self, strings: Strings) -> None:
        self.search.setPlaceholderText(strings.t("patient.search_hint"))
        self.new_button.setText(strings.t("patient.new"))

    def refresh(self) -> None:
        """List the matches; the open patient's row (only) is selected."""
        self.results.clear()
        for patient in self.session.find_patients(self.search.text().strip()):
            item = QListWidgetItem(patient_line(patient))
            item.setData(Qt.ItemDataRole.UserRole, patient.id)
            self.results.addItem(item)
        self._select_open_patient()

    def clear(self) -> None:
        """Forget the query and the matches (the lock shows no names)."""
        self.search.blockSignals(True)
        # setText, not clear(): clear() is an undoable edit, and the query must
        # not come back with Ctrl+Z after the lock; setText drops the history.
        self.search.setText("")
        self.search.blockSignals(False)
        self.search.setModified(False)
        self.results.clear()

    def _row_of(self, patient_id: str) -> int:
        for row in range(self.results.count()):
            if self.results.item(row).data(Qt.ItemDataRole.UserRole) == patient_id:
                return row
        return -1

    def _select_open_patient(self) -> None:
        patient = self.session.patient
        row = self._row_of(patient.id) if patient is not None else -1
        self.results.setCurrentRow(row)
        if row < 0:
            self.results.clearSelection()

    def _on_changed(self, changes: Changes) -> None:
        if changes.patients:
            self.refresh()
        elif changes.patient:
            patient = self.session.patient
            if patient is not None and self._row_of(patient.id) < 0:
                # Opened from elsewhere (search hit, unlock, restart): list it.
                self.search.blockSignals(True)
                self.search.setText(patient.chart_number or patient.initials)
                self.search.blockSignals(False)
                self.refresh()
            else:
                self._select_open_patient()

    def open_current(self) -> None:
        """Open the highlighted patient, else the first match."""
        item = self.results.currentItem()
        if item is None and self.results.count():
            item = self.results.item(0)
        if item is None:
            return
        patient_id = item.data(Qt.ItemDataRole.UserRole)
        current = self.session.patient
        if current is None or current.id != patient_id:
            self.session.open_patient(patient_id)

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
