"""The open visit's home-exercise programme: tick, dose and save, or keep the last one.

The region's exercises are listed with the suggested ones first; one ruled
out by a raised red flag is shown greyed with the flag's name, never hidden,
so the clinician sees why it is missing. Space ticks, Tab moves to the dose.
Writes go through the ops only.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from companion.core import visit_rules
from companion.core.exercises import (
    DOSE_AMOUNTS,
    DOSE_LIMITS,
    Dose,
    Exercise,
    ExerciseLibrary,
    Prescription,
    ProgrammeRevision,
    available_languages,
    load_library,
    progressed_programme,
    ruled_out_by,
)
from companion.ui.app_context import AppContext
from companion.ui.flow_layout import FlowLayout
from companion.ui.ops import Changes
from companion.ui.patient_banner import PatientBanner

THUMB = QSize(68, 48)  # the frames are drawn 480 × 340


def library_for(language: str) -> ExerciseLibrary:
    """The library in language, else English (a language without its texts yet)."""
    return load_library(language if language in available_languages() else "en")


def dose_fields(dose: Dose) -> tuple[str, ...]:
    """The parts of a dose the clinician sets: sets, its amounts, times a day."""
    amounts = tuple(p for p in DOSE_AMOUNTS if getattr(dose, p) is not None)
    return ("sets", *amounts, "times_per_day")


class ExerciseRow:
    """One exercise's tick, thumbnail and dose boxes (widgets live in the grid)."""

    def __init__(self, panel: ExercisePanel, exercise: Exercise, reasons: str) -> None:
        self.exercise = exercise
        self.ruled_out = bool(reasons)
        t = panel.context.t
        self.tick = QCheckBox(exercise.name, objectName=f"tick_{exercise.id}")
        self.thumb = QSvgWidget(str(panel.library.frame_paths(exercise.id)[0]))
        self.thumb.setFixedSize(THUMB)
        self.thumb.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.spins: dict[str, QSpinBox] = {}
        for part in dose_fields(exercise.dose):
            spin = QSpinBox(objectName=f"dose_{exercise.id}_{part}")
            spin.setRange(*DOSE_LIMITS[part])
            spin.setValue(getattr(exercise.dose, part))
            spin.setPrefix(t(f"exercise_panel.{part}"))
            spin.setSuffix(t(f"exercise_panel.{part}_suffix"))
            what = f"{spin.prefix()}{spin.suffix()}".strip()
            spin.setAccessibleName(f"{exercise.name}: {what}")
            spin.setEnabled(False)
            spin.valueChanged.connect(panel.mark_dirty)
            self.spins[part] = spin
        self.reason = QLabel(reasons, objectName=f"ruledOut_{exercise.id}")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #8a8a8a;")
        if self.ruled_out:
            self.tick.setEnabled(False)
            self.tick.setToolTip(reasons)
            self.thumb.setEnabled(False)
        self.tick.toggled.connect(self._ticked)
        self.tick.toggled.connect(panel.mark_dirty)

    def _ticked(self, on: bool) -> None:
        for spin in self.spins.values():
            spin.setEnabled(on)

    def set(self, dose: Dose | None) -> None:
        """Show this exercise as prescribed with dose, or unticked (None)."""
        self.tick.setChecked(dose is not None and not self.ruled_out)
        shown = dose or self.exercise.dose
        for part, spin in self.spins.items():
            value = getattr(shown, part)
            spin.setValue(value if value is not None else getattr(
                self.exercise.dose, part))  # fmt: skip

    def prescription(self) -> Prescription | None:
        if not self.tick.isChecked() or self.ruled_out:
            return None
        values = {part: spin.value() for part, spin in self.spins.items()}
        return Prescription(self.exercise.id, Dose(**values))

    def widgets(self) -> list[QWidget]:
        return [self.tick, *self.spins.values()]


class ExercisePanel(QWidget):
    """Prescribe the open visit's programme; keep, progress or change the last one."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exercisePanel")
        self.context = context
        self.ops = context.ops
        self.library = library_for(context.state.language)
        self.rows: list[ExerciseRow] = []
        self._rows_key: list[tuple[str, str, str]] | None = None
        self._dirty = False
        self._loading = False
        self._shown_visit: str | None = None
        self._earlier: ProgrammeRevision | None = None
        self.show_action: QAction | None = None  # Ctrl+Shift+E, set with the dock

        self.hint = QLabel(objectName="exerciseHint")
        self.hint.setWordWrap(True)
        self.earlier_label = QLabel(objectName="earlierProgramme")
        self.earlier_label.setWordWrap(True)
        self.keep_button = QPushButton(objectName="keepProgramme")
        self.progress_button = QPushButton(objectName="progressProgramme")
        self.change_button = QPushButton(objectName="changeProgramme")
        self.keep_button.clicked.connect(self.keep)
        self.progress_button.clicked.connect(self.progress)
        self.change_button.clicked.connect(self.change)
        self.earlier = QWidget(objectName="earlierBar")
        bar = QVBoxLayout(self.earlier)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.earlier_label)
        buttons = QHBoxLayout()
        for button in (self.keep_button, self.progress_button, self.change_button):
            buttons.addWidget(button)
        bar.addLayout(buttons)

        self.list_widget = QWidget(objectName="exerciseList")
        self.grid = QGridLayout(self.list_widget)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.list_widget)
        self.save_button = QPushButton(objectName="saveProgramme")
        self.save_button.clicked.connect(self.save)
        self.status_label = QLabel(objectName="programmeStatus")
        self.status_label.setWordWrap(True)

        root = QVBoxLayout(self)
        # Whose programme this is, as on every panel with patient data.
        self.patient_banner = PatientBanner(context)
        root.addWidget(self.patient_banner)
        root.addWidget(self.hint)
        root.addWidget(self.earlier)
        root.addWidget(self.scroll, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.status_label, 1)
        footer.addWidget(self.save_button)
        root.addLayout(footer)

        self.ops.register_pending(self.flush)
        self.ops.changed.connect(self._on_changed)
        context.state.language_changed.connect(self._on_language)
        self._retranslate()
        self.reload()

    # -- what the clinician does ----------------------------------------------

    def mark_dirty(self, *_args: object) -> None:
        if not self._loading:
            self._dirty = True
            self.status_label.setText(self.context.t("exercise_panel.unsaved"))

    def programme(self) -> tuple[Prescription, ...]:
        """The ticked exercises with their doses, in list order."""
        return tuple(p for row in self.rows if (p := row.prescription()) is not None)

    def save(self) -> bool:
        """Save the ticked exercises as the open visit's programme."""
        if self.ops.visit is None:
            return True
        result = self.ops.save_programme(self.programme())
        if result.ok:
            self._dirty = False
            self._say_saved()
        return result.ok

    def flush(self) -> bool:
        """Before a switch, lock or close: unsaved ticks and doses are saved."""
        return self.save() if self._dirty else True

    def keep(self) -> bool:
        """At the next visit: the last programme again, unchanged."""
        return self.ops.carry_programme_forward().ok

    def progress(self) -> bool:
        """At the next visit: the last programme one dose step further."""
        if self._earlier is None:
            return False
        return self.ops.save_programme(progressed_programme(self._earlier.items)).ok

    def change(self) -> None:
        """At the next visit: start from the last programme and edit it, then save."""
        if self._earlier is None:
            return
        self._present(self._earlier.items)
        self._dirty = True
        self.earlier.hide()
        self.status_label.setText(self.context.t("exercise_panel.unsaved"))
        self.focus_first()

    def focus_first(self) -> None:
        """Put the keyboard on the first exercise that can be ticked."""
        first = next((r.tick for r in self.rows if r.tick.isEnabled()), None)
        (first or self.save_button).setFocus()

    # -- showing the open visit -----------------------------------------------

    def reload(self) -> None:
        """Rebuild the list for the open visit; unsaved edits on it stay."""
        visit = self.ops.visit
        keep_edits = self._dirty and visit is not None and visit.id == self._shown_visit
        edits = self.programme() if keep_edits else None
        if not keep_edits:
            self._dirty = False
        self._shown_visit = visit.id if visit is not None else None
        current = self.ops.current_programme() if visit is not None else None
        self._present(
            edits if edits is not None else (current.items if current else ())
        )
        latest = self.ops.latest_programme() if visit is not None else None
        self._earlier = (
            latest
            if current is None and latest is not None and latest.visit_id != visit.id
            else None
        )  # fmt: skip
        self._show_earlier()
        self._say_status()
        self.save_button.setEnabled(bool(self.rows))

    def _exercises(
        self, items: tuple[Prescription, ...] = ()
    ) -> list[tuple[Exercise, str]]:
        """The visit's exercises and why each is ruled out ('' if it is not).

        The region's exercises, plus any in the programme shown (kept from
        another region, or before the visit's region is set), so nothing
        prescribed is ever off the list.
        """
        visit = self.ops.visit
        if visit is None:
            return []
        content = self.context.state.content
        flags = [
            f.id
            for f in visit_rules.raised_flags(content, visit.red_flags, visit.mechanism)
        ]
        names = {f.id: f.name for f in content.red_flags}
        regions = set(visit_rules.visit_regions(visit.levels, visit.regions))
        kept = {p.exercise_id for p in items}
        suggested: list[tuple[Exercise, str]] = []
        ruled_out: list[tuple[Exercise, str]] = []
        for exercise in self.library.exercises:
            if exercise.id not in kept and not regions & set(exercise.regions):
                continue
            blocking = ruled_out_by(self.library, exercise, flags)
            if not blocking:
                suggested.append((exercise, ""))
                continue
            why = ", ".join(names.get(f, f) for f in blocking)
            ruled_out.append(
                (exercise, self.context.t("exercise_panel.ruled_out", flags=why))
            )
        return suggested + ruled_out

    def _build_rows(self, exercises: list[tuple[Exercise, str]]) -> None:
        key = [(e.id, e.name, why) for e, why in exercises]
        if key == self._rows_key:
            return  # the same list: keep the widgets (and the keyboard focus)
        self._rows_key = key
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = [ExerciseRow(self, e, why) for e, why in exercises]
        row_index = 0
        for row in self.rows:
            self.grid.addWidget(row.thumb, row_index, 0, 2, 1)
            self.grid.addWidget(row.tick, row_index, 1)
            doses = QWidget()
            # The dose boxes wrap in a narrow dock rather than run off its edge.
            line = FlowLayout(doses)
            line.setContentsMargins(0, 0, 0, 0)
            for spin in row.spins.values():
                line.addWidget(spin)
            self.grid.addWidget(doses, row_index + 1, 1)
            self.grid.addWidget(row.reason, row_index + 2, 1)
            row.reason.setVisible(row.ruled_out)  # once in the grid: never a window
            row_index += 3
        self.grid.setColumnStretch(1, 1)
        self.grid.setRowStretch(row_index, 1)
        # Space ticks, Tab goes to that exercise's dose, then to the next one.
        chain = [w for row in self.rows for w in row.widgets()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        if not self.rows:
            empty = QLabel(self.context.t("exercise_panel.no_region"))
            empty.setWordWrap(True)
            self.grid.addWidget(empty, 0, 0, 1, 2)

    def _present(self, items: tuple[Prescription, ...]) -> None:
        """List the visit's exercises (and these), ticked and dosed as in items."""
        self._build_rows(self._exercises(items))
        self._show(items)

    def _show(self, items: tuple[Prescription, ...]) -> None:
        doses = {p.exercise_id: p.dose for p in items}
        self._loading = True
        try:
            for row in self.rows:
                row.set(doses.get(row.exercise.id))
        finally:
            self._loading = False

    def _show_earlier(self) -> None:
        earlier = self._earlier
        self.earlier.setVisible(earlier is not None)
        if earlier is None:
            return
        names = []
        for p in earlier.items:
            try:
                names.append(self.library.exercise(p.exercise_id).name)
            except KeyError:
                names.append(p.exercise_id)
        self.earlier_label.setText(
            self.context.t("exercise_panel.earlier", exercises=", ".join(names))
        )

    def _say_status(self) -> None:
        """Not saved yet, or how many exercises are saved (in the current language)."""
        if self._dirty:
            self.status_label.setText(self.context.t("exercise_panel.unsaved"))
        elif self.ops.current_programme() is not None:
            self._say_saved()
        else:
            self.status_label.setText("")

    def _say_saved(self, revision: ProgrammeRevision | None = None) -> None:
        revision = revision or self.ops.current_programme()
        count = len(revision.items) if revision is not None else 0
        self.status_label.setText(self.context.t("exercise_panel.saved", count=count))

    def _retranslate(self) -> None:
        t = self.context.t
        self.hint.setText(t("exercise_panel.hint"))
        self.keep_button.setText(t("exercise_panel.keep"))
        self.progress_button.setText(t("exercise_panel.progress"))
        self.change_button.setText(t("exercise_panel.change"))
        self.save_button.setText(t("exercise_panel.save"))
        self.keep_button.setToolTip(t("exercise_panel.keep_tip"))
        self.progress_button.setToolTip(t("exercise_panel.progress_tip"))
        self.change_button.setToolTip(t("exercise_panel.change_tip"))

    def _on_language(self, language: str) -> None:
        edits = self.programme()
        self.library = library_for(language)
        self._retranslate()
        dirty = self._dirty
        self._present(edits)
        self._dirty = dirty
        self._show_earlier()
        self._say_status()

    def _on_changed(self, changes: Changes) -> None:
        if changes.patient or changes.visit or changes.visits or changes.programme:
            self.reload()


def fill_exercise_dock(
    context: AppContext, dock: QDockWidget, show_action: QAction | None = None
) -> ExercisePanel:
    """Build the exercise panel into the dock the window made (and titled).

    The window calls this when the dock is first shown (it starts behind the
    Progress tab), so records open without building it (15–27 ms).
    """
    panel = ExercisePanel(context)
    placeholder = dock.widget()
    dock.setWidget(panel)
    if placeholder is not None:
        placeholder.deleteLater()
    panel.show_action = show_action
    return panel
