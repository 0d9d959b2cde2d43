"""One blocking call on a worker thread, its result or error back on the GUI thread."""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal


class _Relay(QObject):
    """Carries the outcome from the worker to the GUI thread.

    Without a parent, so the worker can still emit on it if the window that
    asked has gone meanwhile (Qt then drops the queued call).
    """

    outcome = Signal(object, object)  # (result, error); one of them is None


_in_flight: set[_Relay] = set()


def run_in_background(
    work: Callable[[], Any],
    done: Callable[[Any], None],
    failed: Callable[[BaseException], None],
    expected: tuple[type[BaseException], ...] = (),
    name: str = "background",
) -> threading.Thread:
    """Run work() on a daemon thread; then done(result) or failed(error) here.

    For read-only work that may be cut short when the app quits (a daemon
    thread does not keep the process alive). Any exception reaches failed();
    one not of the expected kinds (a bug) is also printed with its traceback.
    """
    relay = _Relay()
    # Held here until the outcome is delivered: were the worker to drop the last
    # reference, the relay (and the queued call with it) would go on its thread.
    _in_flight.add(relay)

    def deliver(result: Any, error: BaseException | None) -> None:
        _in_flight.discard(relay)
        relay.deleteLater()
        if error is not None:
            failed(error)
        else:
            done(result)

    # Queued: the callbacks always run from this thread's event loop.
    relay.outcome.connect(deliver, Qt.ConnectionType.QueuedConnection)

    def worker() -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = work()
        except Exception as exc:  # every failure must come back, or the UI waits
            if not isinstance(exc, expected):
                traceback.print_exc()
            error = exc
        with contextlib.suppress(RuntimeError):  # the app is already going
            relay.outcome.emit(result, error)

    thread = threading.Thread(target=worker, name=name, daemon=True)
    thread.start()
    return thread
