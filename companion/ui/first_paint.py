"""Run start-up work once a window has painted for the first time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# A window that never paints (started minimised, or on a hidden desktop) still
# gets its work done, a little later.
FALLBACK_MS = 1000


class _FirstPaintWatch(QObject):
    """Calls back once, after the window's first paint pass (or the fallback)."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback: Callable[[], None] | None = callback
        window.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # The children paint in the same pass; a zero timer runs after it.
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            self._window.removeEventFilter(self)
            callback()


def after_first_paint(window: QWidget, callback: Callable[[], None]) -> None:
    """Call callback once the window is on screen, so it never delays that."""
    _FirstPaintWatch(window, callback)
