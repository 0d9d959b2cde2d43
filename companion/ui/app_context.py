"""What a feature receives instead of the main window: state, ops, settings, menus.

Features (patient screen, handout, lock, progress, backups, checks) are given
an AppContext and reach nothing else: no feature imports the main window or
adds attributes to it, so the window can change without breaking them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

from companion.ui.app_state import AppState
from companion.ui.menu_slots import MenuSlots
from companion.ui.ops import ClinicOps
from companion.ui.settings import Settings


class AppContext(QObject):
    """The application as features see it."""

    # The lock went on (True) or off: views drop or restore private things.
    locked_changed = Signal(bool)

    def __init__(
        self,
        state: AppState,
        ops: ClinicOps,
        settings: Settings,
        window: QMainWindow,
        menus: MenuSlots,
    ) -> None:
        super().__init__(window)
        self.state = state
        self.ops = ops
        self.settings = settings
        self.menus = menus
        # The top-level window: the parent of dialogs and the place shortcuts
        # live. Features use it as a QMainWindow, never as our MainWindow.
        self.window = window
        # Set once the clinician closed the window: late results say nothing.
        self.closing = False

    @property
    def parent_widget(self) -> QWidget:
        return self.window

    def t(self, key: str, **values: object) -> str:
        """An interface string in the clinician's language."""
        return self.state.strings.t(key, **values)

    def status(self, text: str, ms: int = 5000) -> None:
        """A message in the status line."""
        self.window.statusBar().showMessage(text, ms)

    def add_action(self, action: QAction) -> QAction:
        """Let action's shortcut work anywhere in the window, menu bar or not."""
        self.window.addAction(action)
        return action

    def new_action(
        self, slot, shortcut: str | None = None, checkable: bool = False
    ) -> QAction:
        """An action of the window, with its shortcut live everywhere."""
        from PySide6.QtGui import QKeySequence

        action = QAction(self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return self.add_action(action)
