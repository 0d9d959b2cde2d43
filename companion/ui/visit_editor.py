"""The visit editor: pain, onset, red-flag screen, treatments and the SOAP note."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
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
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from companion.core import visit_rules
from companion.core.content import RedFlag
from companion.core.records import MECHANISMS, SECTIONS, Visit
from companion.ui import consent_dialog
from companion.ui.app_context import AppContext
from companion.ui.flow_layout import FlowLayout
from companion.ui.neuro_screen import NeuroScreen
from companion.ui.note_autosave import NoteAutosave
from companion.ui.ops import Changes

NO_DATE = QDate(1900, 1, 1)  # shown as the special text: "not set"
ANSWERS = ("", "absent", "present")  # the radio buttons' order: not asked first
PLAN_SAVE_MS = 600  # the patient's plan saves this long after typing stops


def first_sentences(text: str, count: int = 2) -> str:
    """The first count sentences of text (all of it when shorter)."""
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    short = " ".join(parts[:count])
    return short if len(parts) <= count else f"{short} …"


def to_qdate(value: date | None) -> QDate:
    return NO_DATE if value is None else QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date | None:
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


class WheelGuard(QObject):
    """Passes the mouse wheel over an unfocused field on to the scrolling form."""

    def watch(self, field: QWidget) -> None:
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        wheel = event.type() == QEvent.Type.Wheel
        if not wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            QApplication.sendEvent(area.viewport(), event)  # the form scrolls
        return True  # and the field keeps its value


class VisitHeader(QWidget):
    """Title, "Saved" and a failed save: kept above the scrolling form, always seen.

    The red-flag banner heads the form itself: it can run to several lines, and
    above the scroll area it would squeeze the form out of a 720-line screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitHeader")
        self.title = QLabel(objectName="visitTitle", wordWrap=True)
        self.save_status = QLabel(objectName="saveStatus")
        self.error_banner = QLabel(objectName="errorBanner", wordWrap=True)
        self.error_banner.hide()
        self.flag_banner = QLabel(objectName="redFlagBanner", wordWrap=True)
        self.flag_banner.hide()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.save_status, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.error_banner)


class VisitEditor(QWidget):
    """Edits the open visit; each change is saved at once, notes within a second."""

    def __init__(self, context: AppContext, parent=None):
        super().__init__(parent)
        self.setObjectName("visitEditor")
        self.context = context
        self.state = context.state
        self.ops = context.ops
        self._loading = False
        self._flag_groups: dict[str, QButtonGroup] = {}
        self._treatment_boxes: dict[tuple[str, str], QCheckBox] = {}
        # (language, visit id, regions) the red-flag and treatment rows show.
        self._lists_shown: tuple[str, str | None, tuple[str, ...]] | None = None
        self._undo_answers: dict[str, str] | None = None  # before "All absent"
        # The assessment this editor wrote; while the clinician has not changed
        # it, it follows the visit's levels.
        self._auto_assessment = ""
        self.consent_dialog: QDialog | None = None  # open while consent is asked

        self.header = VisitHeader()
        # Old names, kept because they say what they are.
        self.title = self.header.title
        self.save_status = self.header.save_status
        self.error_banner = self.header.error_banner
        self.flag_banner = self.header.flag_banner

        self.visit_date = self._date_edit(allow_none=False)
        self.onset_date = self._date_edit(allow_none=True)
        self.follow_up = self._date_edit(allow_none=True)
        self.mechanism = QComboBox(objectName="mechanism")
        # Scrolling the form must never change a finding: the wheel only acts
        # on a field the clinician has clicked into.
        self._wheel_guard = WheelGuard(self)
        self.mechanism.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.mechanism.setMinimumContentsLength(12)
        self.pain = QSlider(Qt.Orientation.Horizontal, objectName="painSlider")
        self.pain.setRange(0, 10)
        self.pain.setPageStep(1)
        self.pain.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.pain_value = QLabel("—", objectName="painValue")
        self.pain_clear = QPushButton(objectName="painClear")
        self.levels_box = QWidget(objectName="visitLevelTags")
        self.levels_flow = FlowLayout(self.levels_box)
        self.levels_label = QLabel(objectName="visitLevels", wordWrap=True)
        self.add_selection = QPushButton(objectName="addSelection")
        self.clear_levels = QPushButton(objectName="clearLevels")

        self.form = QFormLayout()
        # Labels above fields when the dock is narrow: nothing is ever clipped.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        pain_row = QHBoxLayout()
        pain_row.addWidget(self.pain, 1)
        pain_row.addWidget(self.pain_value)
        pain_row.addWidget(self.pain_clear)
        levels_buttons = QHBoxLayout()
        levels_buttons.addWidget(self.add_selection)
        levels_buttons.addWidget(self.clear_levels)
        levels_buttons.addStretch(1)
        levels_column = QVBoxLayout()
        levels_column.addWidget(self.levels_box)
        levels_column.addWidget(self.levels_label)
        levels_column.addLayout(levels_buttons)
        self._form_labels = [QLabel() for _ in range(6)]
        rows = (
            self.visit_date,
            self.onset_date,
            self.mechanism,
            pain_row,
            levels_column,
            self.follow_up,
        )
        for label, field in zip(self._form_labels, rows, strict=True):
            self.form.addRow(label, field)

        self.flags_box = QGroupBox(objectName="redFlagChecklist")
        flags_layout = QVBoxLayout(self.flags_box)
        self.all_absent_button = QPushButton(objectName="allAbsent")
        self.all_absent_button.clicked.connect(self.all_absent_or_undo)
        flags_layout.addWidget(self.all_absent_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.flags_grid = QGridLayout()
        flags_layout.addLayout(self.flags_grid)
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
        self.autosave = NoteAutosave(self.ops, self.notes)
        self.ops.register_pending(self.autosave.flush)
        # Today's plan in the patient's words, printed on the handout.
        self.plan_label = QLabel(objectName="patientPlanLabel", wordWrap=True)
        self.patient_plan = QPlainTextEdit(objectName="patientPlan")
        self.patient_plan.setTabChangesFocus(True)
        self.patient_plan.setMinimumHeight(60)
        self._plan_typed = False  # typed here and not saved yet
        self.plan_timer = QTimer(self, singleShot=True, interval=PLAN_SAVE_MS)
        self.plan_timer.timeout.connect(self.save_patient_plan)
        self.patient_plan.textChanged.connect(self._on_plan_typed)
        self.ops.register_pending(self.save_patient_plan)

        layout = QVBoxLayout(self)
        # The form shows only with a visit open; without one, just the hint.
        self.body = QWidget(objectName="visitBody")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.flag_banner)
        body.addLayout(self.form)
        body.addWidget(self.flags_box)
        body.addWidget(NeuroScreen(context, after_save=self._show_answers))
        body.addWidget(self.treatments_box)
        body.addWidget(self.plan_label)
        body.addWidget(self.patient_plan)
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
        self.ops.changed.connect(self._on_changed)
        self.ops.saved.connect(self._on_saved)
        self.ops.save_failed.connect(self._on_save_failed)
        self.state.language_changed.connect(lambda _lang: self.retranslate())
        for field in (
            self.visit_date,
            self.onset_date,
            self.follow_up,
            self.mechanism,
            self.pain,
        ):
            self._wheel_guard.watch(field)
        self.retranslate()
        self.load_visit(None)

    # -- construction helpers -------------------------------------------------

    def _date_edit(self, allow_none: bool) -> QDateEdit:
        edit = QDateEdit(calendarPopup=True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
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
        self.clear_levels.setText(t("visit.clear_all_levels"))
        self.flags_box.setTitle(t("visit.red_flags"))
        self.all_absent_button.setToolTip(t("visit.red_flags_hint"))
        self.treatments_box.setTitle(t("visit.treatments"))
        self.plan_label.setText(t("visit.patient_plan"))
        self._retranslate_save_status()
        self.patient_plan.setPlaceholderText(t("visit.patient_plan_hint"))
        self._refresh_all_absent()
        for section in SECTIONS:
            self._note_labels[section].setText(t(f"soap.{section}"))
            self.history_buttons[section].setText(t("visit.history"))
        self._lists_shown = None
        self._rebuild_lists()
        self._refresh_header()

    # -- following the open visit ---------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        if changes.visit:
            self.load_visit(self.ops.visit)
        elif changes.patient or changes.visits:
            self._refresh_header()
            self._follow_plan()

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
            self.plan_timer.stop()
            self._plan_typed = False
            self.patient_plan.setPlainText(visit.patient_plan if visit else "")
            self.error_banner.hide()
            self.save_status.setText("")
        finally:
            self._loading = False
        self._undo_answers = None
        self.autosave.load(visit.id if visit else None)
        # A visit opened later keeps the assessment it has: only one started
        # here and not yet edited follows its levels.
        self._auto_assessment = ""
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
            self.patient_plan,
            self.flags_box,
            self.treatments_box,
            *self.history_buttons.values(),
        ]

    def _refresh_header(self) -> None:
        t = self.state.strings.t
        visit = self.ops.visit
        patient = self.ops.patient
        if visit is None or patient is None:
            self.title.setText(
                t("visit.none_for_patient", patient=patient.label)
                if patient is not None
                else t("visit.none")
            )
            self.levels_label.setText("")
            self.levels_label.hide()
            self._show_tags([])
            self.pain_value.setText("—")
            self.flag_banner.hide()
            return
        self.title.setText(
            t("visit.title", date=visit.visit_date.isoformat(), patient=patient.label)
        )
        codes = visit_rules.visit_codes(visit.levels, visit.regions)
        self._show_tags(codes)
        self.levels_label.setText("" if codes else t("visit.no_levels"))
        self.levels_label.setVisible(not codes)
        self.pain_value.setText("—" if visit.pain is None else f"{visit.pain}/10")
        self._refresh_flag_banner()

    def _show_tags(self, codes: list[str]) -> None:
        """The visit's levels as tags that wrap; each removes itself when clicked."""
        shown = [
            self.levels_flow.itemAt(i).widget() for i in range(self.levels_flow.count())
        ]
        if [w.property("code") for w in shown] == codes:
            return
        while self.levels_flow.count():
            widget = self.levels_flow.takeAt(0).widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        t = self.state.strings.t
        for code in codes:
            tag = QToolButton(objectName=f"levelTag_{code}")
            tag.setText(f"{self.state.selection_name(code)}  ✕")
            tag.setProperty("code", code)
            tag.setToolTip(t("visit.remove_level", level=code))
            tag.setAccessibleName(t("visit.remove_level", level=code))
            tag.clicked.connect(lambda _=False, c=code: self.remove_level(c))
            self.levels_flow.addWidget(tag)
        self.levels_box.updateGeometry()

    # -- red flags and treatments ---------------------------------------------

    def _visit_regions(self) -> list[str]:
        visit = self.ops.visit
        if visit is None:
            return []
        return visit_rules.visit_regions(visit.levels, visit.regions)

    def _flags_for_visit(self) -> list[RedFlag]:
        return visit_rules.flags_to_ask(self.state.content, self._visit_regions())

    def _clear_grid(self, grid: QGridLayout) -> None:
        while grid.count():
            widget = grid.takeAt(0).widget()
            if widget is not None:
                # Unparent now so lookups never find a row that is on its way out.
                widget.setParent(None)
                widget.deleteLater()

    def _rebuild_lists(self) -> None:
        visit = self.ops.visit
        shown = (
            self.state.language,
            visit.id if visit else None,
            tuple(self._visit_regions()),
        )
        if shown == self._lists_shown:
            self._show_answers()
            return
        t = self.state.strings.t
        self._clear_grid(self.flags_grid)
        self._flag_groups.clear()
        self._clear_grid(self.treatments_grid)
        self._treatment_boxes.clear()
        enabled = visit is not None
        self.flags_box.setEnabled(enabled)
        self.treatments_box.setEnabled(enabled)
        self._lists_shown = shown
        if visit is None:
            # The form is hidden without a visit: no rows to build (every flag
            # and option, 10-15 ms at start) until one opens.
            return
        for index, flag in enumerate(self._flags_for_visit()):
            # Name on its own row, answers below: fits a narrow dock.
            name = QLabel(flag.name, wordWrap=True)
            name.setToolTip(flag.question)
            self.flags_grid.addWidget(name, 2 * index, 0, 1, 3)
            group = QButtonGroup(self)
            for col, answer in enumerate(ANSWERS, start=1):
                button = QRadioButton(t(f"visit.flag_{answer or 'not_asked'}"))
                button.setObjectName(f"flag_{flag.id}_{answer or 'not_asked'}")
                button.setToolTip(flag.question)
                group.addButton(button, col)
                self.flags_grid.addWidget(button, 2 * index + 1, col - 1)
            group.idClicked.connect(lambda _id, f=flag.id: self._on_flag_answered(f))
            self._flag_groups[flag.id] = group

        regions = self._visit_regions()
        options = self.state.content.options
        if regions:
            options = tuple(o for o in options if set(o.regions) & set(regions))
        self.treatments_grid.addWidget(QLabel(t("visit.given")), 0, 1)
        self.treatments_grid.addWidget(QLabel(t("visit.recommended")), 0, 2)
        for row, option in enumerate(options, start=1):
            label = QLabel(option.name, wordWrap=True)
            notes = [option.evidence_notes[r] for r in regions if r in option.regions]
            label.setToolTip("\n".join(dict.fromkeys(notes)) or option.evidence_note)
            self.treatments_grid.addWidget(label, row, 0)
            for col, kind in enumerate(("given", "recommended"), start=1):
                box = QCheckBox(objectName=f"treat_{option.id}_{kind}")
                box.setAccessibleName(f"{option.name}: {t('visit.' + kind)}")
                box.toggled.connect(lambda _on: self._on_treatments_changed())
                self._treatment_boxes[(option.id, kind)] = box
                self.treatments_grid.addWidget(box, row, col)
        self.treatments_grid.setColumnStretch(0, 1)
        self._show_answers()

    def _show_answers(self) -> None:
        """Tick what the open visit records, without saving anything."""
        visit = self.ops.visit
        answers = dict(visit.red_flags) if visit else {}
        given = set(visit.treatments_given) if visit else set()
        recommended = set(visit.treatments_recommended) if visit else set()
        loading, self._loading = self._loading, True
        try:
            for flag_id, group in self._flag_groups.items():
                col = ANSWERS.index(answers.get(flag_id, "")) + 1
                group.button(col).setChecked(True)
            for (option, kind), box in self._treatment_boxes.items():
                box.setChecked(option in (given if kind == "given" else recommended))
        finally:
            self._loading = loading

    def _refresh_flag_banner(self) -> None:
        visit = self.ops.visit
        raised = visit_rules.raised_flags(
            self.state.content, visit.red_flags, visit.mechanism
        )
        if not raised:
            self.flag_banner.hide()
            return
        # The first sentences of each action, so several flags fit a 720-line
        # screen; the whole action is in the tooltip and in the explanation panel.
        lines = [f"⚠ <b>{f.name}</b>: {first_sentences(f.action)}" for f in raised]
        self.flag_banner.setText("<br>".join(lines))
        self.flag_banner.setToolTip(
            "\n\n".join(f"{f.name}: {f.action}" for f in raised)
        )
        self.flag_banner.show()

    def _refresh_all_absent(self) -> None:
        t = self.state.strings.t
        undo = self._undo_answers is not None
        self.all_absent_button.setText(
            t("visit.undo_all_absent" if undo else "visit.all_absent")
        )

    def all_absent_or_undo(self) -> None:
        """Mark every unanswered flag absent in one step; pressed again, undo it."""
        visit = self.ops.visit
        if visit is None:
            return
        if self._undo_answers is not None:
            before, self._undo_answers = self._undo_answers, None
            self._save(red_flags=before)
        else:
            before = dict(visit.red_flags)
            after = visit_rules.all_absent(before, self._flags_for_visit())
            if self._save(red_flags=after):
                self._undo_answers = before
        self._show_answers()
        self._refresh_all_absent()

    # -- saving ---------------------------------------------------------------

    def _save(self, **fields: object) -> bool:
        if self._loading or self.ops.visit is None:
            return False
        episode = self.ops.visit.episode_id
        result = self.ops.update_visit(**fields)
        if result.ok:
            self._refresh_header()
            if result.value is not None and result.value.episode_id != episode:
                # Another injury than the course it followed: its own episode now.
                self.context.status(self.context.t("visit.episode_split"), 8000)
        return result.ok

    def _on_dates_changed(self) -> None:
        self._save(
            visit_date=from_qdate(self.visit_date.date()),
            onset_date=from_qdate(self.onset_date.date()),
            follow_up=from_qdate(self.follow_up.date()),
        )

    def _on_mechanism_changed(self) -> None:
        visit = self.ops.visit
        if self._loading or visit is None:
            return
        mechanism = self.mechanism.currentData()
        answers = visit_rules.answers_for_mechanism(visit.red_flags, mechanism)
        self._save(mechanism=mechanism, red_flags=answers)
        self._show_answers()

    def _on_plan_typed(self) -> None:
        if not self._loading and self.ops.visit is not None:
            self._plan_typed = True
            self.plan_timer.start()

    def save_patient_plan(self) -> bool:
        """Save the patient's plan if it was typed here since the last save.

        Only typing is saved: a plan changed elsewhere (another panel, a tool)
        is never overwritten by the text this form last showed.
        """
        self.plan_timer.stop()
        visit = self.ops.visit
        text = self.patient_plan.toPlainText()
        if visit is None or self._loading or not self._plan_typed:
            return True
        if text == visit.patient_plan:
            self._plan_typed = False
            return True
        ok = self.ops.update_visit(patient_plan=text).ok
        if ok:
            self._plan_typed = False
        else:
            self.plan_timer.start()  # keep trying quietly, like the notes
        return ok

    def _follow_plan(self) -> None:
        """Show a plan saved elsewhere, unless the clinician is typing one."""
        visit = self.ops.visit
        if visit is None or self._plan_typed:
            return
        if self.patient_plan.toPlainText() != visit.patient_plan:
            loading, self._loading = self._loading, True
            try:
                self.patient_plan.setPlainText(visit.patient_plan)
            finally:
                self._loading = loading

    def _on_pain_changed(self, value: int) -> None:
        self._save(pain=value)

    def _on_pain_cleared(self) -> None:
        self._save(pain=None)

    def _on_flag_answered(self, flag_id: str) -> None:
        visit = self.ops.visit
        if visit is None or self._loading:
            return
        answers = dict(visit.red_flags)
        answer = ANSWERS[self._flag_groups[flag_id].checkedId() - 1]
        if answer:
            answers[flag_id] = answer
        else:
            answers.pop(flag_id, None)
        self._undo_answers = None
        self._refresh_all_absent()
        self._save(red_flags=answers)

    def _chosen_treatments(self, kind: str) -> list[str]:
        """The ticked options, plus recorded ones not shown (another region's):
        a tick here never drops a treatment the form does not list."""
        boxes = self._treatment_boxes.items()
        ticked = [option for (option, k), box in boxes if k == kind and box.isChecked()]
        visit = self.ops.visit
        recorded = (
            (
                visit.treatments_given
                if kind == "given"
                else visit.treatments_recommended
            )
            if visit is not None
            else ()
        )
        shown = {option for option, _k in self._treatment_boxes}
        return [*(o for o in recorded if o not in shown), *ticked]

    def _on_treatments_changed(self) -> None:
        if self._loading:
            return
        fields = {
            "treatments_given": self._chosen_treatments("given"),
            "treatments_recommended": self._chosen_treatments("recommended"),
        }
        # A thrust given without a consent record asks for one first.
        self.consent_dialog = consent_dialog.ask_if_needed(
            self.context, fields, self._visit_regions(), self._save, self._show_answers
        )
        if self.consent_dialog is None:
            self._save(**fields)

    def add_current_selection(self) -> None:
        """Add the diagram's selection to the visit."""
        visit = self.ops.visit
        code = self.state.selection
        if visit is None or code is None:
            return
        levels, regions = visit_rules.add_to_visit(
            self.state.content, visit.levels, visit.regions, code
        )
        self._set_levels(levels, regions)

    def remove_level(self, code: str) -> None:
        """Take one level or region tag off the visit."""
        visit = self.ops.visit
        if visit is None:
            return
        levels, regions = visit_rules.remove_from_visit(
            visit.levels, visit.regions, code
        )
        self._set_levels(levels, regions)

    def _on_clear_levels(self) -> None:
        self._set_levels([], [])

    def _set_levels(self, levels: list[str], regions: list[str]) -> None:
        if self._save(levels=levels, regions=regions):
            self._rebuild_lists()
            self.follow_assessment()

    def set_auto_assessment(self, text: str) -> None:
        """Prefill the assessment; it follows the levels until the clinician edits."""
        self._auto_assessment = text
        self.notes["A"].setPlainText(text)

    def follow_assessment(self) -> None:
        """Rewrite the prefilled assessment for the levels, unless it was edited."""
        visit = self.ops.visit
        box = self.notes["A"]
        current = box.toPlainText()
        if visit is None or (current.strip() and current != self._auto_assessment):
            return
        self.set_auto_assessment(
            visit_rules.suggested_assessment(
                self.state.content, self.state.strings, visit.levels, visit.regions
            )
        )

    def _on_saved(self, when: str) -> None:
        self.error_banner.hide()
        self.save_status.setText(self.state.strings.t("visit.saved", time=when))
        self.save_status.setProperty("state", "saved")
        self.save_status.setProperty("saved_at", when)

    def _retranslate_save_status(self) -> None:
        # "Saved 10:41" must switch language with everything else around it.
        t = self.state.strings.t
        state = self.save_status.property("state")
        if state == "saved" and self.save_status.text():
            when = self.save_status.property("saved_at")
            self.save_status.setText(t("visit.saved", time=when))
        elif state == "failed":
            self.save_status.setText(t("visit.not_saved"))

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
        revisions = self.ops.note_history(section)
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
