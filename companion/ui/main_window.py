"""The clinician's main window: spine diagram, explanation panel, menus and state."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeySequence,
    QShowEvent,
)

# Dialogs (message box, file and input dialogs) are imported where they are
# used: PySide builds each Qt class's Python type on first use, and none of
# them is on the first screen.
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QSplitter,
    QToolBar,
    QWidget,
)

from companion import __version__
from companion.core import visit_rules
from companion.ui.app_state import AppState
from companion.ui.region_panel import RegionPanel
from companion.ui.settings import Settings
from companion.ui.spine_view import SpineView

if TYPE_CHECKING:
    # Everything that needs the records (and so the store) loads in
    # attach_records, after the diagram and explanation have painted.
    from companion.ui.app_context import AppContext
    from companion.ui.app_lock import AppLock
    from companion.ui.backup_runner import BackupRunner
    from companion.ui.clinic_panel import ClinicPanel
    from companion.ui.clinic_server import ClinicServer
    from companion.ui.database_check import DatabaseCheck
    from companion.ui.exercise_panel import ExercisePanel
    from companion.ui.menu_slots import MenuSlots
    from companion.ui.ops import Changes, ClinicOps
    from companion.ui.patient_screen import PatientScreen
    from companion.ui.patient_screen_controls import PatientScreenControls
    from companion.ui.progress_panel import ProgressPanel
    from companion.ui.records_opener import RecordsOpener

OPEN_PATIENT_KEY = "records/open_patient"
OPEN_VISIT_KEY = "records/open_visit"


class MainWindow(QMainWindow):
    """Owns the layout and the actions; the state object owns the selection.

    It opens in two steps: the diagram, explanation, menus and an empty visit
    panel first (they need only the content), then attach_records() brings the
    records: the visit panel, progress, patient screen, lock and backups. Each
    of those is given the AppContext, never this window.
    """

    records_opened = Signal()
    # Help ▸ Check database finished: (ok, messages), once its dialog is open.
    database_checked = Signal(bool, list)

    def __init__(
        self,
        state: AppState,
        settings: Settings,
        ops: ClinicOps | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.state = state
        self.settings = settings
        self.ops: ClinicOps | None = None
        self.context: AppContext | None = None
        self.clinic: ClinicPanel | None = None
        self.patient_screen_controls: PatientScreenControls | None = None
        self.app_lock: AppLock | None = None
        self.startup_error: str | None = None
        self.startup_error_box: QWidget | None = None
        self.recovery_box: QWidget | None = None  # what start-up recovery did
        self.damage_box: QWidget | None = None  # the background check's finding
        self.background_check: QObject | None = None
        self.records_opener: RecordsOpener | None = None  # set while they open
        self.records_ready = False  # True once attach_records' last step ran
        self.backups: BackupRunner | None = None
        self.clinic_server: ClinicServer | None = None  # a turn after records open
        self._clinic_server_waiting: list[Callable[[ClinicServer], None]] = []
        self.closing = False
        self._finishing_backups = False
        self.database_check: DatabaseCheck | None = None  # made on first use
        self._progress_panel: ProgressPanel | None = None
        self._exercise_panel: ExercisePanel | None = None
        self._exercise_shortcut: QAction | None = None

        self.spine_view = SpineView(state.display_names(), cache_dir=state.cache_dir)
        self.spine_view.hold_install()  # until the records are open
        self.panel = RegionPanel(state.content, state.strings)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.splitter.addWidget(self.spine_view)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.clinic_dock = QDockWidget(objectName="clinicDock")
        self.opening_label = QLabel(objectName="openingRecords")
        self.opening_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.opening_label.setWordWrap(True)
        self.clinic_dock.setWidget(self.opening_label)
        self.clinic_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.clinic_dock)
        # The Progress dock is filled in attach_records; made now, so the saved
        # layout restores in one go and nothing moves when the records open.
        self.progress_dock = QDockWidget(objectName="progressDock")
        self.progress_dock.setWidget(QWidget())
        self.progress_dock.setFeatures(self.clinic_dock.features())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.progress_dock)
        self.tabifyDockWidget(self.clinic_dock, self.progress_dock)
        self.progress_action = self.progress_dock.toggleViewAction()
        self.progress_action.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.addAction(self.progress_action)
        self.exercise_dock = QDockWidget(objectName="exerciseDock")
        self.exercise_dock.setFeatures(self.clinic_dock.features())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.exercise_dock)
        self.tabifyDockWidget(self.progress_dock, self.exercise_dock)
        self.exercise_action = self.exercise_dock.toggleViewAction()
        self.selection_label = QLabel(objectName="selectionStatus")
        self.statusBar().addPermanentWidget(self.selection_label)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._retranslate()

        self.spine_view.level_clicked.connect(state.select)
        self.spine_view.region_clicked.connect(state.select)
        self.spine_view.muscle_clicked.connect(state.select)
        state.selection_changed.connect(self._on_selection_changed)
        state.language_changed.connect(lambda _lang: self._retranslate())

        self._default_size()
        self._layout_restored = False
        self._restore_state()
        if ops is not None:
            self.attach_records(ops)

    def attach_records(self, ops: ClinicOps, stepwise: bool = False) -> None:
        """Bring in the records: visit panel, backups, patient screen, lock.

        stepwise spreads the work over a few turns of the event loop, so clicks
        on the diagram are still answered while the window fills in;
        records_opened is emitted (and records_ready set) after the last step.
        """
        steps = [
            self._import_visit_panel,
            lambda: self._build_visit_panel(ops),
            self._attach_visit_panel,
            self._attach_progress,
            self._attach_patient_screen,
            self._attach_lock,
        ]
        if not stepwise:
            for step in steps:
                step()
            return

        def run_next() -> None:
            if self.closing:
                return
            steps.pop(0)()
            if steps:
                QTimer.singleShot(0, self, run_next)

        run_next()

    def _import_visit_panel(self) -> None:
        import companion.ui.clinic_panel  # noqa: F401  (its widget types, one turn)

    def _build_visit_panel(self, ops: ClinicOps) -> None:
        from companion.ui.app_context import AppContext
        from companion.ui.clinic_panel import ClinicPanel
        from companion.ui.error_text import error_text

        # Save failures read in the language chosen now, not the one at start.
        ops.describe = lambda error: error_text(error, self.state.strings)
        ops.translate = lambda key: self.state.strings.t(key)
        self.context = AppContext(self.state, ops, self.settings, self, self.menu_slots)
        self._new_clinic = ClinicPanel(self.context)

    def _attach_visit_panel(self) -> None:
        from companion.ui.backup_runner import install_backups

        assert self.context is not None
        self.ops = self.context.ops
        self.ops.changed.connect(self._on_records_changed)
        self.clinic = self._new_clinic
        self.clinic_dock.setWidget(self.clinic)
        self._keep_visit_panel_usable()
        self.opening_label.deleteLater()
        for action in self.records_actions:
            action.setEnabled(True)
        # Verified backups, made on a worker thread so the window never waits.
        self.backups = install_backups(self.context)

    def _attach_progress(self) -> None:
        from companion.ui.exercise_shortcut import bring_up_action

        assert self.context is not None
        self._exercise_shortcut = bring_up_action(
            self.context, self.exercise_dock, lambda: self.exercise_panel
        )
        # Built when its tab is first shown; it starts behind Progress (both
        # docks say isVisible() then), so it is built just after records open.
        self.exercise_dock.visibilityChanged.connect(self._on_exercise_visible)
        dock = self.exercise_dock
        on_screen = dock.isVisible() and not dock.visibleRegion().isEmpty()
        self._on_exercise_visible(on_screen)
        self.progress_dock.visibilityChanged.connect(self._on_progress_visible)
        self._on_progress_visible(self.progress_dock.isVisible())

    def _warm_up_handout(self) -> None:
        """Import what F5 and the handout need, so their first use is quick."""
        if self.closing or self.patient_screen_controls is None:
            return
        _ = self.patient_screen_controls.handout
        import companion.ui.patient_screen  # noqa: F401

    def _attach_patient_screen(self) -> None:
        from companion.ui.patient_screen_controls import PatientScreenControls

        assert self.context is not None
        self.patient_screen_controls = PatientScreenControls(self.context)
        self.patient_screen_controls.start_visit_requested.connect(self.new_visit)

    def _attach_lock(self) -> None:
        from companion.ui.app_lock import install_app_lock
        from companion.ui.background_check import install_background_check

        assert self.context is not None and self.ops is not None
        # Last, so its menu entries and idle watch cover everything above.
        self.app_lock = install_app_lock(self.context)
        # The page-by-page check that start-up no longer makes (daily, and
        # after a crash), on a worker.
        self.background_check = install_background_check(
            self.context, self.ops.store, self.report_damage
        )
        self._reopen_last_records()
        self.records_ready = True
        self.records_opened.emit()
        # The diagram's scene, held back while the records opened (its picture
        # was on screen; a click would have built it at once).
        QTimer.singleShot(0, self, self.spine_view.release_install)
        # Then the explanations, one region a turn, for quick first clicks.
        QTimer.singleShot(0, self, self.panel.warm_up)
        # A turn later, the Exercises tab if still unbuilt (behind Progress):
        # its shortcut and tab then answer at once.
        QTimer.singleShot(0, self, lambda: self._on_exercise_visible(True))
        QTimer.singleShot(0, self, self._warm_up_handout)  # a turn after that
        # The clinic server's status item and worker (idle until joined): not
        # needed to use the records, so not on their way (12–15 ms).
        QTimer.singleShot(0, self, self._install_clinic_server)

    def _install_clinic_server(self) -> None:
        from companion.ui.clinic_server import install_clinic_server

        if self.closing or self.clinic_server is not None or self.context is None:
            return
        self.clinic_server = install_clinic_server(self.context)
        waiting, self._clinic_server_waiting = self._clinic_server_waiting, []
        for callback in waiting:
            callback(self.clinic_server)

    def when_clinic_server(self, callback: Callable[[ClinicServer], None]) -> None:
        """Call back with the clinic server's UI once installed (now, if it is)."""
        if self.clinic_server is not None:
            callback(self.clinic_server)
        else:
            self._clinic_server_waiting.append(callback)

    @property
    def patient_screen(self) -> PatientScreen:
        """The patient screen, built (hidden) on first use."""
        if self.patient_screen_controls is None:
            raise RuntimeError("the records are not open yet")
        return self.patient_screen_controls.screen

    @property
    def progress_panel(self) -> ProgressPanel:
        """The Progress dock's panel, built the first time it is needed."""
        if self._progress_panel is None:
            from companion.ui.progress_panel import fill_progress_dock

            if self.context is None:
                raise RuntimeError("the records are not open yet")
            self._progress_panel = fill_progress_dock(self.context, self.progress_dock)
        return self._progress_panel

    @property
    def exercise_panel(self) -> ExercisePanel:
        """The Exercises dock's panel, built the first time it is needed."""
        if self._exercise_panel is None:
            from companion.ui.exercise_panel import fill_exercise_dock

            if self.context is None:
                raise RuntimeError("the records are not open yet")
            self._exercise_panel = fill_exercise_dock(
                self.context, self.exercise_dock, self._exercise_shortcut
            )
        return self._exercise_panel

    def _on_exercise_visible(self, visible: bool) -> None:
        if visible and self.context is not None and self._exercise_panel is None:
            _ = self.exercise_panel

    def _on_progress_visible(self, visible: bool) -> None:
        if visible and self.context is not None and self._progress_panel is None:
            _ = self.progress_panel

    def _reopen_last_records(self) -> None:
        """The patient and visit open at the last quit come back (behind the lock)."""
        assert self.ops is not None and self.app_lock is not None
        patient_id = self.settings.get_str(OPEN_PATIENT_KEY, "")
        visit_id = self.settings.get_str(OPEN_VISIT_KEY, "")
        if not patient_id:
            return
        if self.app_lock.has_pin:
            # A PIN is set: start locked; unlocking opens them.
            self.app_lock.lock(reopen=(patient_id, visit_id or None))
            return
        if self.ops.store.get_patient(patient_id) is None:
            return  # restored from an older backup, or never saved
        self.ops.open_patient(patient_id)
        if visit_id:
            visit = self.ops.store.get_visit(visit_id)
            if visit is not None and visit.patient_id == patient_id:
                self.ops.open_visit(visit_id)

    def _keep_visit_panel_usable(self) -> None:
        """A dock saved narrower than its content (an old layout) is widened."""
        panel = self.clinic
        if panel is None:
            return
        wanted = panel.minimumWidth()
        if self.clinic_dock.width() < wanted and not self.clinic_dock.isFloating():
            self.resizeDocks([self.clinic_dock], [wanted], Qt.Orientation.Horizontal)

    def report_damage(self, problem: str) -> None:
        """The background check found damage: say so and offer to restart.

        Restarting runs start-up recovery (the damage is marked for it): the
        damaged file is kept aside and the newest backup restored with every
        record still readable merged back, or the search index rebuilt.
        """
        from PySide6.QtWidgets import QMessageBox

        if self.closing:
            return
        t = self.state.strings.t
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            t("check.damage_title"),
            t("check.damage_found", problem=problem),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("damageFound")
        restart = box.addButton(t("check.restart"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(t("check.later"), QMessageBox.ButtonRole.RejectRole)
        restart.clicked.connect(self.restart_to_repair)
        box.open()
        self.damage_box = box

    def restart_to_repair(self) -> None:
        """Close (everything is saved), then start again, where recovery runs."""
        from PySide6.QtCore import QProcess

        self.close()
        # The same command again: the interpreter, the script, its arguments.
        QProcess.startDetached(sys.executable, sys.argv)

    def open_records_with(self, opener: RecordsOpener) -> None:
        """Start opening the records; closing early waits for this opener."""
        self.records_opener = opener
        opener.start()

    def report_recovery(self, report: object) -> None:
        """Say what start-up recovery did (a restored file, a rebuilt index)."""
        from PySide6.QtWidgets import QMessageBox

        from companion.ui.error_text import recovery_text

        t = self.state.strings.t
        # Nothing was lost when only the search index was rebuilt: no warning.
        rebuilt = getattr(report, "search_index_rebuilt", False)
        box = QMessageBox(
            QMessageBox.Icon.Information if rebuilt else QMessageBox.Icon.Warning,
            t("startup.index_rebuilt_title" if rebuilt else "startup.recovered_title"),
            recovery_text(report, self.state.strings),  # type: ignore[arg-type]
            parent=self,
        )
        box.setObjectName("recoveryMessage")
        box.open()
        self.recovery_box = box

    def show_startup_error(self, message: str) -> None:
        """The records cannot open: say why, then close (exit code 2)."""
        from PySide6.QtWidgets import QMessageBox

        if self.closing:
            return  # the clinician closed the window first: nothing to say
        print(message, file=sys.stderr)
        self.startup_error = message
        self.opening_label.setText(message)
        box = QMessageBox(
            QMessageBox.Icon.Critical, "Spine Companion", message, parent=self
        )
        box.setObjectName("startupError")
        box.finished.connect(lambda _result: self.close())
        box.open()
        self.startup_error_box = box

    # -- actions --------------------------------------------------------------

    def _action(
        self, shortcut: QKeySequence | str | None, slot, checkable: bool = False
    ) -> QAction:
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        view = self.spine_view
        self.quit_action = self._action(QKeySequence.StandardKey.Quit, self.close)
        self.posterior_action = self._action(
            "Ctrl+1", lambda: self.set_diagram_view("posterior"), True
        )
        self.lateral_action = self._action(
            "Ctrl+2", lambda: self.set_diagram_view("lateral"), True
        )
        views = QActionGroup(self)
        views.addAction(self.posterior_action)
        views.addAction(self.lateral_action)
        self.zoom_in_action = self._action(
            QKeySequence.StandardKey.ZoomIn, view.zoom_in
        )
        self.zoom_in_action.setShortcuts(
            [QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")]
        )
        self.zoom_out_action = self._action(
            QKeySequence.StandardKey.ZoomOut, view.zoom_out
        )
        self.fit_action = self._action("Ctrl+0", view.fit)
        self.about_action = self._action(None, self._show_about)
        self.new_patient_action = self._action("Ctrl+N", self.new_patient)
        self.find_patient_action = self._action("Ctrl+P", self.focus_patient_search)
        self.new_visit_action = self._action("Ctrl+Shift+N", self.new_visit)
        self.save_action = self._action(QKeySequence.StandardKey.Save, self.flush_notes)
        self.search_notes_action = self._action("Ctrl+Shift+F", self.search_notes)
        self.export_action = self._action("Ctrl+E", self.export_patient)
        self.check_db_action = self._action(None, self.check_database)
        # These need the records: on once attach_session has them.
        self.records_actions = [
            self.new_patient_action,
            self.find_patient_action,
            self.new_visit_action,
            self.save_action,
            self.search_notes_action,
            self.export_action,
            self.check_db_action,
        ]
        for action in self.records_actions:
            action.setEnabled(False)
        self.clinic_name_action = self._action(None, self.ask_clinic_name)
        self.visit_panel_action = self.clinic_dock.toggleViewAction()
        self.visit_panel_action.setShortcut(QKeySequence("F9"))
        self.language_actions: dict[str, QAction] = {}
        languages = QActionGroup(self)
        for code in self.state.languages:
            action = self._action(
                None, lambda _=False, c=code: self.state.set_language(c), True
            )
            action.setText(self.state.content_for(code).language_name)
            action.setChecked(code == self.state.language)
            languages.addAction(action)
            self.language_actions[code] = action

    def _build_menus(self) -> None:
        from companion.ui.menu_slots import MenuSlots

        bar = self.menuBar()
        self.menu_slots: MenuSlots = MenuSlots()
        self.file_menu = bar.addMenu("")
        # Help holds the database check; everything else on the records is here.
        for action in self.records_actions[:-1]:
            self.file_menu.addAction(action)
        self.file_menu.addAction(self.clinic_name_action)
        self.menu_slots.define("file.handout", self.file_menu)
        self.menu_slots.define("file.clinic_server", self.file_menu)
        self.file_menu.addSeparator()
        self.menu_slots.define("file.security", self.file_menu)
        self.file_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        for action in (self.posterior_action, self.lateral_action):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.visit_panel_action)
        self.view_menu.addAction(self.progress_action)
        self.view_menu.addAction(self.exercise_action)
        self.view_menu.addSeparator()
        self.menu_slots.define("view.patient_screen", self.view_menu)
        self.language_menu = bar.addMenu("")
        for action in self.language_actions.values():
            self.language_menu.addAction(action)
        self.help_menu = bar.addMenu("")
        self.menu_slots.define("help.records", self.help_menu)
        self.help_menu.addAction(self.check_db_action)
        self.help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setMovable(False)
        for action in (self.posterior_action, self.lateral_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        for action in (self.zoom_out_action, self.fit_action, self.zoom_in_action):
            self.toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _retranslate(self) -> None:
        t = self.state.strings.t
        self.setWindowTitle(t("app.title"))
        self.file_menu.setTitle(t("menu.file"))
        self.view_menu.setTitle(t("menu.view"))
        self.language_menu.setTitle(t("menu.language"))
        self.help_menu.setTitle(t("menu.help"))
        for action, key in (
            (self.quit_action, "menu.quit"),
            (self.posterior_action, "menu.posterior"),
            (self.lateral_action, "menu.lateral"),
            (self.zoom_in_action, "menu.zoom_in"),
            (self.zoom_out_action, "menu.zoom_out"),
            (self.fit_action, "menu.fit"),
            (self.about_action, "menu.about"),
            (self.new_patient_action, "menu.new_patient"),
            (self.find_patient_action, "menu.find_patient"),
            (self.new_visit_action, "menu.new_visit"),
            (self.save_action, "menu.save"),
            (self.search_notes_action, "menu.search_notes"),
            (self.export_action, "menu.export"),
            (self.check_db_action, "menu.check_db"),
            (self.clinic_name_action, "menu.clinic_name"),
            (self.visit_panel_action, "menu.visit_panel"),
        ):
            action.setText(t(key))
            action.setToolTip(
                f"{t(key).replace('&', '')} ({action.shortcut().toString()})"
            )
        self.clinic_dock.setWindowTitle(t("visit.panel_title"))
        self.progress_dock.setWindowTitle(t("progress.dock_title"))
        self.progress_action.setText(t("progress.menu_toggle"))
        self.exercise_dock.setWindowTitle(t("exercise_panel.dock_title"))
        self.exercise_action.setText(t("exercise_panel.menu_toggle"))
        # Once the records are in, the label is deleted (attach): leave it be.
        if self.ops is None and self.startup_error is None:
            self.opening_label.setText(t("app.opening_records"))
        self.spine_view.set_names(self.state.display_names())
        self.spine_view.setAccessibleName(t("app.diagram_name"))  # screen readers
        self.panel.set_language(self.state.content, self.state.strings)
        self._update_status()

    # -- behaviour ------------------------------------------------------------

    def set_diagram_view(self, name: str) -> None:
        self.spine_view.set_view(name)
        self.posterior_action.setChecked(name == "posterior")
        self.lateral_action.setChecked(name == "lateral")

    def _on_selection_changed(self, code: str | None) -> None:
        # A look-up: the diagram and the panel follow it, the visit does not.
        self.spine_view.select(code)
        self.spine_view.set_involved_muscles(
            visit_rules.involved_muscles(self.state.content, code)
        )
        self.panel.show_selection(code)
        self._update_status()

    def _on_records_changed(self, changes: Changes) -> None:
        if changes.visit or changes.visits or changes.patient:
            visit = self.ops.visit if self.ops is not None else None
            # The open visit's levels stay marked on the diagram, apart from
            # whatever is looked up.
            self.spine_view.set_marked(
                visit_rules.visit_codes(visit.levels, visit.regions) if visit else []
            )

    def _update_status(self) -> None:
        t = self.state.strings.t
        code = self.state.selection
        if code is None:
            self.statusBar().showMessage(t("app.ready"))
            self.selection_label.setText("")
        else:
            self.statusBar().clearMessage()
            self.selection_label.setText(
                t("app.selected", name=self.state.selection_name(code))
            )

    def flush_notes(self) -> None:
        """Save typed note text now (Ctrl+S, and before anything reads the notes)."""
        if self.ops is not None:
            self.ops.flush_pending()

    def new_patient(self) -> None:
        if self.clinic is not None:
            self.clinic.new_patient()

    def new_visit(self) -> None:
        """Ctrl+Shift+N: start a visit for the open patient (or say why not)."""
        if self.clinic is not None:
            self.clinic_dock.show()
            self.clinic_dock.raise_()
            self.clinic.new_visit()

    def focus_patient_search(self) -> None:
        if self.clinic is None:
            return
        self.clinic_dock.show()
        self.clinic.picker.search.setFocus()
        self.clinic.picker.search.selectAll()

    def search_notes(self) -> None:
        """Search every note; opening a hit opens its patient and visit."""
        from companion.ui.notes_search import NotesSearchDialog

        if self.ops is None:
            return
        self.flush_notes()
        dialog = NotesSearchDialog(self.ops, self.state.strings, self)
        self.notes_search_dialog = dialog
        dialog.open()

    def export_patient(self) -> None:
        """Write the open patient's record as JSON and CSV into a chosen folder."""
        t = self.state.strings.t
        patient = self.ops.patient if self.ops is not None else None
        if patient is None:
            self.statusBar().showMessage(t("export.no_patient"), 5000)
            return
        self.flush_notes()
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, t("export.choose_folder"))
        if folder:
            self.export_to(folder)

    def export_to(self, folder: str) -> tuple[str, str] | None:
        from PySide6.QtWidgets import QMessageBox

        t = self.state.strings.t
        if self.ops is None or self.ops.patient is None:
            return None
        result = self.ops.export_patient(Path(folder))
        if not result.ok or result.value is None:
            QMessageBox.warning(self, t("export.title"), result.error)
            return None
        json_path, csv_path = result.value
        self.statusBar().showMessage(t("export.done", path=str(json_path)), 8000)
        return str(json_path), str(csv_path)

    def check_database(self) -> None:
        """Run the integrity check on a worker; its result shows in a dialog.

        The window stays usable meanwhile; database_checked(ok, messages) comes
        once the dialog is open.
        """
        if self.context is None:
            self.statusBar().showMessage(self.state.strings.t("app.opening_records"))
            return
        self.flush_notes()
        if self.database_check is None:
            from companion.ui.database_check import DatabaseCheck

            self.database_check = DatabaseCheck(self.context)
            self.database_check.finished.connect(self.database_checked)
        self.database_check.start()

    def ask_clinic_name(self) -> None:
        """The clinic's name printed at the top of every handout."""
        from PySide6.QtWidgets import QInputDialog

        t = self.state.strings.t
        current = self.settings.get_str("clinic/name", "")
        name, ok = QInputDialog.getText(
            self,
            t("menu.clinic_name").replace("&", ""),
            t("settings.clinic_name"),
            text=current,
        )
        if ok:
            self.set_clinic_name(name)

    def set_first_pin(self, pin: str) -> None:
        """The PIN chosen in the welcome, set once the lock exists."""
        if self.app_lock is not None and not self.app_lock.has_pin:
            self.app_lock.set_pin(pin)

    def set_clinic_name(self, name: str) -> None:
        self.settings.set("clinic/name", name.strip()[:120])
        self.settings.sync()

    def _show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        t = self.state.strings.t
        QMessageBox.about(
            self, t("app.about_title"), t("app.about", version=__version__)
        )

    # -- persistence ----------------------------------------------------------

    def _default_size(self) -> None:
        """1440×900, or 90% of a smaller screen (first run, before any saved state)."""
        screen = self.screen().availableGeometry()
        self.resize(
            min(1440, int(screen.width() * 0.9)), min(900, int(screen.height() * 0.9))
        )

    def _restore_state(self) -> None:
        geometry = self.settings.get_bytes("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        docks = self.settings.get_bytes("window/state")
        if docks is not None:
            self.restoreState(docks)
        else:
            # First run: the diagram and the explanation get most of the width.
            width = max(340, self.width() // 4)
            self.resizeDocks([self.clinic_dock], [width], Qt.Orientation.Horizontal)
            # Tabifying put Progress in front; the visit panel comes first. (raise_
            # only works once the window is shown: build() shows it right after.)
            QTimer.singleShot(0, self, self.clinic_dock.raise_)
        view = self.settings.get_str("diagram/view", "posterior")
        self.set_diagram_view(view if view in ("posterior", "lateral") else "posterior")
        last = self.settings.get_str("diagram/selection")
        if last:
            self.state.select(last)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._layout_restored:
            # Splitter sizes only hold once the window has its real size.
            self._layout_restored = True
            splitter = self.settings.get_bytes("window/splitter")
            if splitter is not None:
                self.splitter.restoreState(splitter)
            else:
                # First run: the diagram gets a little more than half the centre.
                diagram = self.splitter.width() * 11 // 20
                self.splitter.setSizes([diagram, self.splitter.width() - diagram])

    def save_state(self) -> None:
        if self.ops is not None and not (self.app_lock and self.app_lock.locked):
            # Locked, the patient is already closed: keep what was saved then.
            patient, visit = self.ops.patient, self.ops.visit
            self.settings.set(OPEN_PATIENT_KEY, patient.id if patient else "")
            self.settings.set(OPEN_VISIT_KEY, visit.id if visit else "")
        elif self.app_lock is not None and self.app_lock.locked:
            patient_id, visit_id = self.app_lock.reopen_ids
            self.settings.set(OPEN_PATIENT_KEY, patient_id or "")
            self.settings.set(OPEN_VISIT_KEY, visit_id or "")
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.set("window/splitter", self.splitter.saveState())
        self.settings.set("diagram/view", self.spine_view.current_view())
        self.spine_view.save_snapshot()  # the next start's first paint
        self.settings.set("diagram/selection", self.state.selection or "")
        self.settings.set("ui/language", self.state.language)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finishing_backups:
            event.ignore()  # a second close while the first waits for the backups
            return
        self.closing = True
        if self.context is not None:
            self.context.closing = True
        if self.ops is None:  # closed before the records opened, or they failed
            if self.records_opener is not None:
                # Let a start-up migration or recovery finish, then let go.
                store = self.records_opener.wait()
                if store is not None and not store.closed:
                    store.close()
            if self.startup_error is None:
                self.save_state()
            super().closeEvent(event)
            return
        if self.ops.store.closed:  # already closed once
            super().closeEvent(event)
            return
        self.flush_notes()
        self.save_state()
        if self.backups is not None:
            # The running backup, then the quit backup if anything changed, on
            # their worker; the window keeps painting and offers "Close now".
            from companion.ui.closing_backup import finish_backups

            self._finishing_backups = True
            try:
                assert self.context is not None
                finish_backups(self.context, self.backups)
            finally:
                self._finishing_backups = False
        if self.clinic_server is not None:
            self.clinic_server.sync.shutdown()
        # Closing the main window ends the session: release the database lock.
        self.ops.store.close()
        super().closeEvent(event)
