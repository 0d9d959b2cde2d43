"""Open the patient records on a worker thread, so the window stays live meanwhile."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

# (new passphrase?, message to show) → the passphrase, or None if cancelled.
AskPassphrase = Callable[[bool, str], "str | None"]
# Runs on the worker: opens and returns the store; raises `expected` to refuse.
OpenRecords = Callable[[AskPassphrase], Any]


class RecordsOpener(QObject):
    """Runs open_records on a worker; says opened(store) or failed(message).

    The keychain, SQLCipher, the integrity check, migrations and recovery can
    take seconds on a large clinic; meanwhile the diagram and explanation keep
    answering clicks. A passphrase prompt, if one is needed, is shown on the GUI
    thread while the worker waits for the answer.
    """

    opened = Signal(object)
    failed = Signal(str)
    _ask_requested = Signal(bool, str)
    _call_requested = Signal(object)  # a function to run on the GUI thread

    def __init__(
        self,
        open_records: OpenRecords,
        ask_on_gui_thread: AskPassphrase,
        expected: type[BaseException],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_records = open_records
        self._ask_on_gui_thread = ask_on_gui_thread
        self._expected = expected
        self._answer: str | None = None
        self._answered = threading.Event()
        # Set by wait(): the window is closing, so nobody may be asked anything
        # and nothing is reported any more.
        self._cancelled = False
        self._ask_requested.connect(self._ask)  # queued: emitted by the worker
        self._call_requested.connect(self._call)
        self._call_result: Any = None
        self._thread: threading.Thread | None = None
        self._result: Any = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._work, name="open-records", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_s: float = 120.0) -> Any:
        """Block until the worker is done (closing early); its store, or None."""
        if self._thread is not None:
            # A passphrase prompt cannot be answered while we block: cancel it,
            # and any prompt the worker has not asked for yet.
            self._cancelled = True
            self._answer = None
            self._answered.set()
            self._thread.join(timeout_s)
        return self._result

    def _work(self) -> None:
        try:
            self._result = self._open_records(self._ask_from_worker)
        except self._expected as error:
            if not self._cancelled:
                self.failed.emit(str(error))
            return
        except Exception as error:  # a bug: say so rather than hang at "Opening…"
            traceback.print_exc(file=sys.stderr)
            if not self._cancelled:
                self.failed.emit(f"The patient records could not be opened: {error!r}")
            return
        if not self._cancelled:
            self.opened.emit(self._result)

    def _ask_from_worker(self, new: bool, message: str) -> str | None:
        if self._cancelled:
            return None
        self._answered.clear()
        if self._cancelled:  # wait() may have run between the check and clear()
            return None
        self._ask_requested.emit(new, message)
        self._answered.wait()
        return None if self._cancelled else self._answer

    def call_on_gui_thread(self, ask: Callable[[], Any]) -> Any:
        """From the worker: run ask (a dialog) on the GUI thread, wait, return it.

        None when the window is closing (nobody may be asked anything then).
        """
        if self._cancelled:
            return None
        self._answered.clear()
        if self._cancelled:
            return None
        self._call_requested.emit(ask)
        self._answered.wait()
        return None if self._cancelled else self._call_result

    def _call(self, ask: Callable[[], Any]) -> None:
        try:
            self._call_result = None
            if not self._cancelled:
                self._call_result = ask()
        finally:
            self._answered.set()

    def _ask(self, new: bool, message: str) -> None:
        try:
            if not self._cancelled:
                self._answer = self._ask_on_gui_thread(new, message)
        finally:
            self._answered.set()
