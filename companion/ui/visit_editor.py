"""The visit editor: pain, onset, red-flag screen, treatments and the SOAP note."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from companion.core import spine
from companion.core.content import Content, RedFlag
from companion.core.i18n import Strings
from companion.core.records import MECHANISMS, SECTIONS, Visit
from companion.ui.app_state import AppState
from companion.ui.note_autosave import NoteAutosave
from companion.ui.region_panel import resolve_selection
from companion.ui.visit_session import VisitSession

TRAUMA_MECHANISMS = ("car_accident", "fall")
TRAUMA_FLAG = "trauma"
NO_DATE = QDate(1900, 1, 1)  # shown as the special text: "not set"


def to_qdate(value: date | None) -> QDate:
    return NO_DATE if value is None else QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date | None:
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


def assessment_line(
    content: Content, strings: Strings, level: str | None, region_id: str
) -> str:
    """The assessment a selection suggests: region, level and its muscles."""
    region = content.regions[region_id]
    muscles = ", ".join(m.name for m in content.muscles_for(region_id))
    where = f"{region.name}, {level}" if level else region.name
    return strings.t("visit.assessment", where=where, muscles=muscles)


class VisitEditor(QWidget):
    """Edits the open visit; each change is saved at once, notes within a second."""

    def __init__(self, state: AppState, session: VisitSession, parent=None):
        super().__init__(parent)
        self.setObjectName("visitEditor")
        self.state = state
        self.session = session
        self._loading = False
        self._flag_groups: dict[str, QButtonGroup] = {}
        self._treatment_boxes: dict[tuple[str, str], QCheckBox] = {}
        # (language, visit) the red-flag and treatment rows were built for.
        self._lists_shown: tuple[str, Visit | None] | None = None

        self.title = QLabel(objectName="visitTitle", wordWrap=True)
        self.save_status = QLabel(objectName="saveStatus")
        self.error_banner = QLabel(objectName="errorBanner", wordWrap=True)
        self.error_banner.hide()
        self.flag_banner = QLabel(objectName="redFlagBanner", wordWrap=True)
        self.flag_banner.hide()

        self.visit_date = self._date_edit(allow_none=False)
        self.onset_date = self._date_edit(allow_none=True)
        self.follow_up = self._date_edit(allow_none=True)
        self.mechanism = QComboBox(objectName="mechanism")
        self.pain = QSlider(Qt.Orientation.Horizontal, objectName="painSlider")
        self.pain.setRange(0, 10)
        self.pain.setPageStep(1)
        self.pain.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.pain_value = QLabel("—", objectName="painValue")
        self.pain_clear = QPushButton(objectName="painClear")
        self.levels_label = QLabel(objectName="visitLevels", wordWrap=True)
        self.add_selection = QPushButton(objectName="addSelection")
        self.clear_levels = QPushButton(objectName="clearLevels")

        self.form = QFormLayout()
        pain_row = QHBoxLayout()
        pain_row.addWidget(self.pain, 1)
        pain_row.addWidget(self.pain_value)
        pain_row.addWidget(self.pain_clear)
        levels_row = QHBoxLayout()
        levels_row.addWidget(self.levels_label, 1)
        levels_row.addWidget(self.add_selection)
        levels_row.addWidget(self.clear_levels)
        self._form_labels = [QLabel() for _ in range(6)]
        rows = (
            self.visit_date,
            self.onset_date,
            self.mechanism,
            pain_row,
            levels_row,
            self.follow_up,
        )
        for label, field in zip(self._form_labels, rows, strict=True):
            self.form.addRow(label, field)

        self.flags_box = QGroupBox(objectName="redFlagChecklist")
        self.flags_grid = QGridLayout(self.flags_box)
        self.treatments_box = QGroupBox(objectName="treatments")
        self.treatments_grid = QGridLayout(self.treatments_box)

        self.notes: dict[str, QPlainTextEdit] = {}
        self.history_buttons: dict[str, QPushButton] = {}
        self._note_labels: dict[str, QLabel] = {}
        notes_box = QVBoxLayout()
        for section in SECTIONS:
            edit = QPlainTextEdit(objectName=f"note{section}")
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(70)
            self.notes[section] = edit
            head = QHBoxLayout()
            self._note_labels[section] = QLabel()
            head.addWidget(self._note_labels[section], 1)
            button = QPushButton(objectName=f"history{section}")
            button.clicked.connect(lambda _=False, s=section: self.show_history(s))
            self.history_buttons[section] = button
            head.addWidget(button)
            notes_box.addLayout(head)
            notes_box.addWidget(edit)
        self.autosave = NoteAutosave(session, self.notes)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.save_status)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.flag_banner)
        # The form shows only with a visit open; without one, just the hint.
        self.body = QWidget(objectName="visitBody")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(self.form)
        body.addWidget(self.flags_box)
        body.addWidget(self.treatments_box)
        body.addLayout(notes_box)
        layout.addWidget(self.body)
        layout.addStretch(1)

        self.visit_date.dateChanged.connect(self._on_dates_changed)
        self.onset_date.dateChanged.connect(self._on_dates_changed)
        self.follow_up.dateChanged.connect(self._on_dates_changed)
        self.mechanism.currentIndexChanged.connect(self._on_mechanism_changed)
        self.pain.valueChanged.connect(self._on_pain_changed)
        self.pain_clear.clicked.connect(self._on_pain_cleared)
        self.add_selection.clicked.connect(self.add_current_selection)
        self.clear_levels.clicked.connect(self._on_clear_levels)
        QShortcut(QKeySequence.StandardKey.Save, self, self.autosave.flush)
        session.visit_changed.connect(self.load_visit)
        session.saved.connect(self._on_saved)
        session.save_failed.connect(self._on_save_failed)
        state.language_changed.connect(lambda _lang: self.retranslate())
        self.retranslate()
        self.load_visit(None)

    # -- construction helpers -------------------------------------------------

    def _date_edit(self, allow_none: bool) -> QDateEdit:
        edit = QDateEdit(calendarPopup=True)
        edit.setDisplayFormat("yyyy-MM-dd")
        if allow_none:
            edit.setMinimumDate(NO_DATE)
        return edit

    # -- language -------------------------------------------------------------

    def retranslate(self) -> None:
        t = self.state.strings.t
        keys = ("date", "onset", "mechanism", "pain", "levels", "follow_up")
        for label, key in zip(self._form_labels, keys, strict=True):
            label.setText(t(f"visit.{key}"))
        for edit in (self.onset_date, self.follow_up):
            edit.setSpecialValueText(t("visit.not_set"))
        self._loading = True
        current = self.mechanism.currentData()
        self.mechanism.clear()
        self.mechanism.addItem(t("visit.not_set"), None)
        for code in MECHANISMS:
            self.mechanism.addItem(t(f"mechanism.{code}"), code)
        self.mechanism.setCurrentIndex(max(self.mechanism.findData(current), 0))
        self._loading = False
        self.pain_clear.setText(t("visit.clear"))
        self.add_selection.setText(t("visit.add_selection"))
        self.clear_levels.setText(t("visit.clear"))
        self.flags_box.setTitle(t("visit.red_flags"))
        self.treatments_box.setTitle(t("visit.treatments"))
        for section in SECTIONS:
            self._note_labels[section].setText(t(f"soap.{section}"))
            self.history_buttons[section].setText(t("visit.history"))
        self._rebuild_lists()
        self._refresh_header()

    # -- loading a visit ------------------------------------------------------

    def load_visit(self, visit: Visit | None) -> None:
        """Show the open visit, or an empty, disabled form when there is none."""
        self._loading = True
        try:
            for widget in self._inputs():
                widget.setEnabled(visit is not None)
            self.body.setVisible(visit is not None)
            if visit is not None:
                self.visit_date.setDate(to_qdate(visit.visit_date))
                self.onset_date.setDate(to_qdate(visit.onset_date))
                self.follow_up.setDate(to_qdate(visit.follow_up))
                self.mechanism.setCurrentIndex(
                    max(self.mechanism.findData(visit.mechanism), 0)
                )
                self.pain.setValue(visit.pain if visit.pain is not None else 0)
            self.error_banner.hide()
            self.save_status.setText("")
        finally:
            self._loading = False
        self.autosave.load(visit.id if visit else None)
        if self._lists_shown != (self.state.language, self.session.visit):
            # Opening another patient shows the same empty rows: keep the widgets.
            self._rebuild_lists()
        self._refresh_header()

    def _inputs(self) -> list[QWidget]:
        return [
            self.visit_date,
            self.onset_date,
            self.follow_up,
            self.mechanism,
            self.pain,
            self.pain_clear,
            self.add_selection,
            self.clear_levels,
            self.flags_box,
            self.treatments_box,
            *self.history_buttons.values(),
        ]

    def _refresh_header(self) -> None:
        t = self.state.strings.t
        visit = self.session.visit
        patient = self.session.patient
        if visit is None or patient is None:
            self.title.setText(t("visit.none"))
            self.levels_label.setText("")
            self.pain_value.setText("—")
            self.flag_banner.hide()
            return
        self.title.setText(
            t("visit.title", date=visit.visit_date.isoformat(), patient=patient.label)
        )
        codes = [*visit.levels, *(r for r in visit.regions if not visit.levels)]
        self.levels_label.setText(", ".join(codes) or t("visit.no_levels"))
        self.pain_value.setText("—" if visit.pain is None else f"{visit.pain}/10")
        self._refresh_flag_banner()

    # -- red flags and treatments ---------------------------------------------

    def _visit_regions(self) -> list[str]:
        visit = self.session.visit
        if visit is None:
            return []
        regions = {spine.level(lv).region.value for lv in visit.levels}
        regions |= set(visit.regions)
        return [r.value for r in spine.REGIONS if r.value in regions]

    def _flags_for_visit(self) -> list[RedFlag]:
        content = self.state.content
        regions = self._visit_regions()
        if not regions:
            return list(content.red_flags)
        return [f for f in content.red_flags if set(f.regions) & set(regions)]

    def _clear_grid(self, grid: QGridLayout) -> None:
        while grid.count():
            widget = grid.takeAt(0).widget()
            if widget is not None:
                # Unparent now so lookups never find a row that is on its way out.
                widget.setParent(None)
                widget.deleteLater()

    def _rebuild_lists(self) -> None:
        t = self.state.strings.t
        visit = self.session.visit
        self._clear_grid(self.flags_grid)
        self._flag_groups.clear()
        answers = dict(visit.red_flags) if visit else {}
        for index, flag in enumerate(self._flags_for_visit()):
            # Name on its own row, answers below: fits a narrow dock.
            name = QLabel(flag.name, wordWrap=True)
            name.setToolTip(flag.question)
            self.flags_grid.addWidget(name, 2 * index, 0, 1, 3)
            group = QButtonGroup(self)
            for col, answer in enumerate(("", "absent", "present"), start=1):
                button = QRadioButton(t(f"visit.flag_{answer or 'not_asked'}"))
                button.setObjectName(f"flag_{flag.id}_{answer or 'not_asked'}")
                button.setToolTip(flag.question)
                button.setChecked(answers.get(flag.id, "") == answer)
                group.addButton(button, col)
                self.flags_grid.addWidget(button, 2 * index + 1, col - 1)
            group.idClicked.connect(lambda _id, f=flag.id: self._on_flag_answered(f))
            self._flag_groups[flag.id] = group

        self._clear_grid(self.treatments_grid)
        self._treatment_boxes.clear()
        regions = self._visit_regions()
        options = self.state.content.options
        if regions:
            options = tuple(o for o in options if set(o.regions) & set(regions))
        self.treatments_grid.addWidget(QLabel(t("visit.given")), 0, 1)
        self.treatments_grid.addWidget(QLabel(t("visit.recommended")), 0, 2)
        given = set(visit.treatments_given) if visit else set()
        recommended = set(visit.treatments_recommended) if visit else set()
        for row, option in enumerate(options, start=1):
            label = QLabel(option.name, wordWrap=True)
            label.setToolTip(option.evidence_note)
            self.treatments_grid.addWidget(label, row, 0)
            for col, (kind, chosen) in enumerate(
                (("given", given), ("recommended", recommended)), start=1
            ):
                box = QCheckBox(objectName=f"treat_{option.id}_{kind}")
                box.setChecked(option.id in chosen)
                box.setAccessibleName(f"{option.name}: {t('visit.' + kind)}")
                box.toggled.connect(lambda _on: self._on_treatments_changed())
                self._treatment_boxes[(option.id, kind)] = box
                self.treatments_grid.addWidget(box, row, col)
        self.treatments_grid.setColumnStretch(0, 1)
        enabled = visit is not None
        self.flags_box.setEnabled(enabled)
        self.treatments_box.setEnabled(enabled)
        self._lists_shown = (self.state.language, visit)

    def _refresh_flag_banner(self) -> None:
        visit = self.session.visit
        content = self.state.content
        flags = {f.id: f for f in content.red_flags}
        present = [
            flags[f]
            for f, a in visit.red_flags.items()
            if a == "present" and f in flags
        ]
        trauma = flags.get(TRAUMA_FLAG)
        if visit.mechanism in TRAUMA_MECHANISMS and trauma and trauma not in present:
            present.insert(0, trauma)
        if not present:
            self.flag_banner.hide()
            return
        lines = [f"⚠ <b>{f.name}</b>: {f.action}" for f in present]
        self.flag_banner.setText("<br>".join(lines))
        self.flag_banner.show()

    # -- saving ---------------------------------------------------------------

    def _save(self, **fields: object) -> None:
        if self._loading or self.session.visit is None:
            return
        if self.session.update_visit(**fields):
            self._refresh_header()

    def _on_dates_changed(self) -> None:
        self._save(
            visit_date=from_qdate(self.visit_date.date()),
            onset_date=from_qdate(self.onset_date.date()),
            follow_up=from_qdate(self.follow_up.date()),
        )

    def _on_mechanism_changed(self) -> None:
        self._save(mechanism=self.mechanism.currentData())

    def _on_pain_changed(self, value: int) -> None:
        self._save(pain=value)

    def _on_pain_cleared(self) -> None:
        self._save(pain=None)

    def _on_flag_answered(self, flag_id: str) -> None:
        visit = self.session.visit
        if visit is None:
            return
        answers = dict(visit.red_flags)
        answer = {2: "absent", 3: "present"}.get(self._flag_groups[flag_id].checkedId())
        if answer is None:
            answers.pop(flag_id, None)
        else:
            answers[flag_id] = answer
        self._save(red_flags=answers)

    def _chosen_treatments(self, kind: str) -> list[str]:
        boxes = self._treatment_boxes.items()
        return [option for (option, k), box in boxes if k == kind and box.isChecked()]

    def _on_treatments_changed(self) -> None:
        self._save(
            treatments_given=self._chosen_treatments("given"),
            treatments_recommended=self._chosen_treatments("recommended"),
        )

    def add_current_selection(self) -> None:
        """Add the diagram's selection to the visit; fill an empty assessment."""
        visit = self.session.visit
        code = self.state.selection
        if visit is None or code is None:
            return
        region, level, _muscle = resolve_selection(self.state.content, code)
        levels = list(visit.levels)
        regions = list(visit.regions)
        if level and level not in levels:
            levels.append(level)
        if region.id not in regions:
            regions.append(region.id)
        levels.sort(key=lambda c: spine.level(c).index)
        self._save(levels=levels, regions=regions)
        self._rebuild_lists()
        assessment = self.notes["A"]
        if not assessment.toPlainText().strip():
            state = self.state
            line = assessment_line(state.content, state.strings, level, region.id)
            assessment.setPlainText(line)

    def _on_clear_levels(self) -> None:
        self._save(levels=[], regions=[])
        self._rebuild_lists()

    def _on_saved(self, when: str) -> None:
        self.error_banner.hide()
        self.save_status.setText(self.state.strings.t("visit.saved", time=when))
        self.save_status.setProperty("state", "saved")

    def _on_save_failed(self, message: str) -> None:
        self._lists_shown = None  # the ticks on screen may differ from the record
        t = self.state.strings.t
        self.save_status.setText(t("visit.not_saved"))
        self.save_status.setProperty("state", "failed")
        self.error_banner.setText(t("visit.save_failed", message=message))
        self.error_banner.show()

    # -- history --------------------------------------------------------------

    def show_history(self, section: str) -> None:
        """Every saved revision of one section, oldest first, read-only."""
        t = self.state.strings.t
        self.autosave.flush()
        dialog = QDialog(self, objectName="historyDialog")
        dialog.setWindowTitle(t("visit.history_title", section=t(f"soap.{section}")))
        listing = QListWidget(objectName="historyList")
        text = QPlainTextEdit(readOnly=True, objectName="historyText")
        revisions = self.session.note_history(section)
        for revision in revisions:
            stamp = revision.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            listing.addItem(f"#{revision.revision} · {stamp}")
        listing.currentRowChanged.connect(
            lambda row: text.setPlainText(revisions[row].text if row >= 0 else "")
        )
        if revisions:
            listing.setCurrentRow(len(revisions) - 1)
        layout = QHBoxLayout(dialog)
        layout.addWidget(listing, 1)
        layout.addWidget(text, 2)
        dialog.resize(720, 420)
        dialog.open()
        self.history_dialog = dialog
