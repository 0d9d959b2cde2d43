"""Ctrl+Shift+E, made when the records open without loading the Exercises panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget

    from companion.ui.app_context import AppContext
    from companion.ui.exercise_panel import ExercisePanel

# Its own module: importing exercise_panel (QtSvgWidgets, the library) costs
# ≈15 ms, which records open no longer waits for; the panel loads a turn later.
SHORTCUT = "Ctrl+Shift+E"


def bring_up_action(
    context: AppContext, dock: QDockWidget, panel: Callable[[], ExercisePanel]
) -> QAction:
    """Ctrl+Shift+E: the dock shown and in front, keyboard on the first exercise;
    panel() builds the panel if it is not built yet."""

    def bring_up() -> None:
        # Shown, in front of its tab siblings: a toggle would hide a dock that
        # is only behind another tab.
        dock.show()
        dock.raise_()
        panel().focus_first()

    return context.new_action(bring_up, SHORTCUT)
