"""The clinician's main window: spine diagram, explanation panel, menus and state."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
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
from companion.ui.app_state import AppState
from companion.ui.region_panel import RegionPanel, resolve_selection
from companion.ui.settings import Settings
from companion.ui.spine_view import SpineView

if TYPE_CHECKING:
    # Everything that needs the records (and so the store) loads in
    # attach_session, after the diagram and explanation have painted.
    from companion.ui.app_lock import AppLock
    from companion.ui.backup_runner import BackupRunner
    from companion.ui.clinic_panel import ClinicPanel
    from companion.ui.database_check import DatabaseCheck
    from companion.ui.progress_panel import ProgressPanel
    from companion.ui.records_opener import RecordsOpener
    from companion.ui.visit_session import VisitSession


class MainWindow(QMainWindow):
    """Owns the layout and the actions; the state object owns the selection.

    It opens in two steps: the diagram, explanation, menus and an empty visit
    panel first (they need only the content), then attach_session() brings the
    records: the visit panel, progress, patient screen, lock and backups.
    """

    records_opened = Signal()
    # Help ▸ Check database finished: (ok, messages), once its dialog is open.
    database_checked = Signal(bool, list)

    def __init__(
        self,
        state: AppState,
        settings: Settings,
        session: VisitSession | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.state = state
        self.settings = settings
        self.session: VisitSession | None = None
        self.clinic: ClinicPanel | None = None
        self.app_lock: AppLock | None = None
        self.startup_error: str | None = None
        self.records_opener: RecordsOpener | None = None  # set while they open
        self.records_ready = False  # True once attach_session's last step ran
        self.backups: BackupRunner | None = None
        self.closing = False
        self._finishing_backups = False
        self.database_check: DatabaseCheck | None = None  # made on first use
        self._progress_panel: ProgressPanel | None = None

        self.spine_view = SpineView(state.display_names(), cache_dir=state.cache_dir)
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
        # The Progress dock is filled in attach_session; made now, so the saved
        # layout restores in one go and nothing moves when the records open.
        self.progress_dock = QDockWidget(objectName="progressDock")
        self.progress_dock.setWidget(QWidget())
        self.progress_dock.setFeatures(self.clinic_dock.features())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.progress_dock)
        self.tabifyDockWidget(self.clinic_dock, self.progress_dock)
        self.progress_action = self.progress_dock.toggleViewAction()
        self.progress_action.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.addAction(self.progress_action)
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
        if session is not None:
            self.attach_session(session)

    def attach_session(self, session: VisitSession, stepwise: bool = False) -> None:
        """Bring in the records: visit panel, backups, patient screen, lock.

        stepwise spreads the work over a few turns of the event loop, so clicks
        on the diagram are still answered while the window fills in;
        records_opened is emitted (and records_ready set) after the last step.
        """
        steps = [
            self._import_visit_panel,
            lambda: self._build_visit_panel(session),
            lambda: self._attach_visit_panel(session),
            self._attach_progress,
            self._import_handout,
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

    def _build_visit_panel(self, session: VisitSession) -> None:
        from companion.ui.clinic_panel import ClinicPanel

        self._new_clinic = ClinicPanel(self.state, session)

    def _attach_visit_panel(self, session: VisitSession) -> None:
        from companion.ui.backup_runner import install_backups
        from companion.ui.error_text import error_text

        self.session = session
        # Save failures read in the language chosen now, not the one at start.
        session.describe = lambda error: error_text(error, self.state.strings)
        self.clinic = self._new_clinic
        self.clinic_dock.setWidget(self.clinic)
        self.opening_label.deleteLater()
        for action in self.records_actions:
            action.setEnabled(True)
        # Verified backups, made on a worker thread so the window never waits.
        self.backups = install_backups(self)

    def _attach_progress(self) -> None:
        self.progress_dock.visibilityChanged.connect(self._on_progress_visible)
        self._on_progress_visible(self.progress_dock.isVisible())

    def _import_handout(self) -> None:
        import companion.ui.handout  # noqa: F401  (the patient screen's biggest part)

    def _attach_patient_screen(self) -> None:
        from companion.ui.patient_screen import install_patient_screen

        install_patient_screen(self)

    def _attach_lock(self) -> None:
        from companion.ui.app_lock import install_app_lock

        # Last, so its menu entries and idle watch cover everything above.
        self.app_lock = install_app_lock(self)
        self.records_ready = True
        self.records_opened.emit()

    @property
    def progress_panel(self) -> ProgressPanel:
        """The Progress dock's panel, built the first time it is needed."""
        if self._progress_panel is None:
            from companion.ui.progress_panel import fill_progress_dock

            if self.session is None:
                raise RuntimeError("the records are not open yet")
            self._progress_panel = fill_progress_dock(self)
        return self._progress_panel

    def _on_progress_visible(self, visible: bool) -> None:
        if visible and self.session is not None and self._progress_panel is None:
            _ = self.progress_panel

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
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        # Help holds the database check; everything else on the records is here.
        for action in self.records_actions[:-1]:
            self.file_menu.addAction(action)
        self.file_menu.addAction(self.clinic_name_action)
        self.file_menu.addSeparator()
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
        self.language_menu = bar.addMenu("")
        for action in self.language_actions.values():
            self.language_menu.addAction(action)
        self.help_menu = bar.addMenu("")
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
        # Once the records are in, the label is deleted (attach): leave it be.
        if self.session is None and self.startup_error is None:
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
        self.spine_view.select(code)
        muscles: list[str] = []
        if code is not None:
            muscles = [
                m.id for m in self.state.content.muscles_for(self._region_of(code))
            ]
        self.spine_view.set_involved_muscles(muscles)
        self.panel.show_selection(code)
        self._update_status()

    def _region_of(self, code: str) -> str:
        return resolve_selection(self.state.content, code)[0].id

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

    def require_unlock(self) -> bool:
        """True if no PIN is set; else lock now (app_lock.unlocked fires later)."""
        return self.app_lock is None or self.app_lock.require_unlock()

    def flush_notes(self) -> None:
        """Save typed note text now (Ctrl+S, and before anything reads the notes)."""
        if self.clinic is not None:
            self.clinic.editor.autosave.flush()

    def new_patient(self) -> None:
        if self.clinic is not None:
            self.clinic.new_patient()

    def new_visit(self) -> None:
        if self.clinic is not None:
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

        if self.session is None:
            return
        self.flush_notes()
        dialog = NotesSearchDialog(self.session, self.state.strings, self)
        self.notes_search_dialog = dialog
        dialog.open()

    def export_patient(self) -> None:
        """Write the open patient's record as JSON and CSV into a chosen folder."""
        t = self.state.strings.t
        patient = self.session.patient if self.session is not None else None
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

        from companion.store import StoreError
        from companion.ui.error_text import error_text

        t = self.state.strings.t
        patient = self.session.patient if self.session is not None else None
        if patient is None:
            return None
        try:
            json_path, csv_path = self.session.store.export_patient(
                patient.id, Path(folder)
            )
        except (StoreError, OSError) as error:
            text = error_text(error, self.state.strings)
            QMessageBox.warning(self, t("export.title"), text)
            return None
        self.statusBar().showMessage(t("export.done", path=str(json_path)), 8000)
        return str(json_path), str(csv_path)

    def check_database(self) -> None:
        """Run the integrity check on a worker; its result shows in a dialog.

        The window stays usable meanwhile; database_checked(ok, messages) comes
        once the dialog is open.
        """
        if self.session is None:
            self.statusBar().showMessage(self.state.strings.t("app.opening_records"))
            return
        self.flush_notes()
        if self.database_check is None:
            from companion.ui.database_check import DatabaseCheck

            self.database_check = DatabaseCheck(self)
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
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.set("window/splitter", self.splitter.saveState())
        self.settings.set("diagram/view", self.spine_view.current_view())
        self.settings.set("diagram/selection", self.state.selection or "")
        self.settings.set("ui/language", self.state.language)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finishing_backups:
            event.ignore()  # a second close while the first waits for the backups
            return
        self.closing = True
        if self.session is None:  # closed before the records opened, or they failed
            if self.records_opener is not None:
                # Let a start-up migration or recovery finish, then let go.
                store = self.records_opener.wait()
                if store is not None and not store.closed:
                    store.close()
            if self.startup_error is None:
                self.save_state()
            super().closeEvent(event)
            return
        if self.session.store.closed:  # already closed once
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
                finish_backups(self, self.backups)
            finally:
                self._finishing_backups = False
        # Closing the main window ends the session: release the database lock.
        self.session.store.close()
        super().closeEvent(event)
