"""The full database check on a worker once the records are open, when it is due."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

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
        self.running = False
        problem = getattr(outcome, "problem", None)
        if problem is None:
            self.sound.emit()
        else:
            self.damage_found.emit(str(problem))

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.failed.emit(error)
