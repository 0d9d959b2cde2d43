"""The clinician's visit column: patient picker, visit history and the visit editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.core import visit_rules
from companion.core.records import Visit
from companion.ui.app_context import AppContext
from companion.ui.ops import Changes
from companion.ui.patient_banner import PatientBanner
from companion.ui.patient_picker import NewPatientDialog, PatientPicker
from companion.ui.visit_editor import VisitEditor

# The visit column never gets narrower than this: below it the red-flag
# answers and the treatment ticks would be cut off.
MIN_PANEL_WIDTH = 400


def visit_line(visit: Visit) -> str:
    pain = "—" if visit.pain is None else f"{visit.pain}/10"
    where = ", ".join(visit.levels or visit.regions)
    return f"{visit.visit_date.isoformat()} · {pain} · {where}".rstrip(" ·")


class ClinicPanel(QWidget):
    """Picks the patient and visit; the editor below saves as the clinician works."""

    def __init__(self, context: AppContext, parent=None):
        super().__init__(parent)
        self.setObjectName("clinicPanel")
        self.context = context
        self.state = context.state
        self.ops = context.ops
        self.picker = PatientPicker(self.ops, self.state.strings)
        self.patient_label = PatientBanner(context)
        self.visit_list = QListWidget(objectName="visitList")
        self.visit_list.setMaximumHeight(96)
        self.new_visit_button = QPushButton(objectName="newVisit")
        # A new injury or onset: a visit that starts its own episode of care.
        self.new_episode_button = QPushButton(objectName="newEpisode")
        self.editor = VisitEditor(context)
        self.scroll = QScrollArea(objectName="visitScroll")
        self.scroll.setWidgetResizable(True)
        # The form reflows to the width: it never scrolls sideways.
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.editor)
        self.setMinimumWidth(MIN_PANEL_WIDTH)

        row = QHBoxLayout()
        row.addWidget(self.patient_label, 1)
        row.addWidget(self.new_visit_button)
        row.addWidget(self.new_episode_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addLayout(row)
        layout.addWidget(self.visit_list)
        layout.addWidget(self.editor.header)
        layout.addWidget(self.scroll, 1)

        self.picker.new_patient_requested.connect(self.new_patient)
        self.new_visit_button.clicked.connect(lambda: self.new_visit())
        self.new_episode_button.clicked.connect(
            lambda: self.new_visit(new_episode=True)
        )
        self.visit_list.itemActivated.connect(self._open_visit_item)
        self.visit_list.itemClicked.connect(self._open_visit_item)
        self.ops.changed.connect(self._on_changed)
        context.locked_changed.connect(self._on_locked)
        self.state.language_changed.connect(lambda _lang: self.retranslate())
        self.retranslate()
        self.picker.refresh()
        self._on_changed(Changes(patient=True, visits=True))

    def retranslate(self) -> None:
        t = self.state.strings.t
        self.picker.set_strings(self.state.strings)
        self.new_visit_button.setText(t("visit.new"))
        self.new_visit_button.setToolTip(t("visit.new_tip"))
        self.new_episode_button.setText(t("visit.new_episode_button"))
        self.new_episode_button.setToolTip(t("visit.new_episode"))

    def new_patient(self) -> None:
        """Ask for a chart number or initials and open the new patient."""
        self.ops.flush_pending()
        dialog = NewPatientDialog(self.ops, self.state.strings, self)
        dialog.exec()

    def new_visit(self, new_episode: bool = False) -> Visit | None:
        """Start today's visit, filled from the diagram's selection if any.

        A follow-up continues the patient's episode; new_episode starts another
        (a new injury or onset). Without a patient open, the status line says why.
        """
        if self.ops.patient is None:
            self.context.status(self.context.t("visit.needs_patient"), 6000)
            return None
        fields: dict[str, object] = {}
        code = self.state.selection
        if code is not None:
            levels, regions = visit_rules.add_to_visit(self.state.content, (), (), code)
            fields = {"regions": regions, "levels": levels}
        result = self.ops.start_visit(new_episode=new_episode, **fields)
        if not result.ok or result.value is None:
            return None
        visit = result.value
        self.editor.set_auto_assessment(
            visit_rules.suggested_assessment(
                self.state.content, self.state.strings, visit.levels, visit.regions
            )
        )
        return visit

    def refresh_visits(self) -> None:
        self.visit_list.clear()
        for visit in self.ops.visits():
            item = QListWidgetItem(visit_line(visit))
            item.setData(Qt.ItemDataRole.UserRole, visit.id)
            self.visit_list.addItem(item)
        self._mark_current_visit()

    def _mark_current_visit(self) -> None:
        visit = self.ops.visit
        self.visit_list.clearSelection()
        for row in range(self.visit_list.count()):
            item = self.visit_list.item(row)
            if visit is not None and item.data(Qt.ItemDataRole.UserRole) == visit.id:
                self.visit_list.setCurrentRow(row)

    def _open_visit_item(self, item: QListWidgetItem) -> None:
        visit_id = item.data(Qt.ItemDataRole.UserRole)
        if self.ops.visit is None or self.ops.visit.id != visit_id:
            self.ops.open_visit(visit_id)

    def _on_changed(self, changes: Changes) -> None:
        if changes.visits or changes.patient:
            self.refresh_visits()
        elif changes.visit:
            self._mark_current_visit()
        has_patient = self.ops.patient is not None
        self.new_visit_button.setEnabled(has_patient)
        self.new_episode_button.setEnabled(has_patient)

    def _on_locked(self, locked: bool) -> None:
        if locked:
            self.picker.clear()
        else:
            self.picker.refresh()
