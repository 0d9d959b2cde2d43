"""The full database check on a worker once the records are open, when it is due."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from companion.store import Store, StoreError
from companion.ui.background_call import run_in_background


class BackgroundCheck(QObject):
    """Runs start-up recovery's full check off the GUI thread (daily, after a crash).

    The check reads every page (about 58 s at a million visits) through a
    read-only connection of its own, so saves carry on. damage_found(problem)
    means: close and reopen the records; open_store then sets the damaged file
    aside and restores, or rebuilds the search index, and reports it as at
    any start. sound() and failed(error) end the other runs.
    """

    damage_found = Signal(str)
    sound = Signal()
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running = False

    def start_if_due(self, store: Store) -> bool:
        """Begin the check if it is due and not running; True when it began."""
        if self.running or not store.full_check_due():
            return False
        try:
            job = store.full_check_job()
        except StoreError as error:
            self.failed.emit(error)
            return False
        self.running = True
        run_in_background(
            job.run,
            self._done,
            self._failed,
            expected=(StoreError, OSError),
            name="full-check",
        )
        return True

    def _done(self, outcome: object) -> None:
        if not isValid(self):
            return  # the window closed while the check ran: nobody to tell
        self.running = False
        problem = getattr(outcome, "problem", None)
        if problem is None:
            self.sound.emit()
        else:
            self.damage_found.emit(str(problem))

    def _failed(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self.running = False
        self.failed.emit(error)


RECHECK_MS = 60 * 60 * 1000  # a clinic open all day is checked again hourly if due


def install_background_check(
    context: object, store: Store, on_damage: Callable[[str], None]
) -> BackgroundCheck:
    """Run the full check when due: now (records just opened), then hourly.

    context is the QObject that owns it (the app context); on_damage(problem)
    is told when the worker finds damage.
    """
    from PySide6.QtCore import QTimer

    assert isinstance(context, QObject)
    check = BackgroundCheck(context)
    check.damage_found.connect(on_damage)
    timer = QTimer(check, interval=RECHECK_MS)
    timer.timeout.connect(lambda: None if store.closed else check.start_if_due(store))
    timer.start()
    check.start_if_due(store)
    return check
