"""Close the window properly when the system asks the app to quit (SIGTERM…)."""

from __future__ import annotations

import contextlib
import signal
import socket

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QWidget

# A logout or shutdown sends SIGTERM (then SIGKILL a few seconds later), a
# closed terminal SIGHUP, Ctrl+C SIGINT. Python's default for each ends the
# process at once: the typed text still in the editor, the window layout, the
# language and the open visit were lost. Closing the window instead runs the
# same path as the close button: everything is flushed and saved.
_QUIT_SIGNALS = tuple(
    sig
    for name in ("SIGTERM", "SIGHUP", "SIGINT")
    if (sig := getattr(signal, name, None)) is not None
)


class TerminationWatch(QObject):
    """Turns a quit signal into window.close(), on the GUI thread.

    Qt's event loop sleeps in C, where Python signal handlers cannot run, so
    the signal number is written to a socket (signal.set_wakeup_fd) that a
    QSocketNotifier watches: the loop wakes and closes the window.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._read, self._write = socket.socketpair()
        for end in (self._read, self._write):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(
            self._write.fileno(), warn_on_full_buffer=False
        )
        for sig in _QUIT_SIGNALS:
            # A handler of our own replaces the default "die now"; the work is
            # done by the notifier below, which the wakeup byte triggers.
            signal.signal(sig, lambda *_: None)
        self._notifier = QSocketNotifier(
            self._read.fileno(), QSocketNotifier.Type.Read, self
        )
        self._notifier.activated.connect(self._on_wakeup)
        self.requested = False

    def _on_wakeup(self) -> None:
        try:
            received = self._read.recv(64)
        except BlockingIOError:
            return
        if any(number in _QUIT_SIGNALS for number in received) and not self.requested:
            self.requested = True
            self._window.close()

    def uninstall(self) -> None:
        """Give the signals their defaults back (tests that build many windows)."""
        self._notifier.setEnabled(False)
        for sig in _QUIT_SIGNALS:
            default = signal.SIG_DFL
            if sig == signal.SIGINT:
                default = signal.default_int_handler
            signal.signal(sig, default)
        signal.set_wakeup_fd(self._previous_fd)
        for end in (self._read, self._write):
            with contextlib.suppress(OSError):
                end.close()


def install_termination_watch(window: QWidget) -> TerminationWatch:
    """Close window gracefully on SIGTERM/SIGHUP/SIGINT for as long as it lives."""
    return TerminationWatch(window)
