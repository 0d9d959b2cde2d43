"""The replication worker: rounds with the clinic server off the GUI thread.

A save never waits on the network: rows go to the outbox in the save's own
transaction, and this worker sends and fetches them on a thread of its own,
with its own database connection, every few seconds and soon after a save.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from companion.ui.background_call import run_in_background

ROUND_MS = 5_000  # a round every 5 s: another room's save shows within seconds
AFTER_SAVE_MS = 300  # and soon after a save here (several saves, one round)

IN_STEP = "in_step"
CATCHING_UP = "catching_up"
UNREACHABLE = "unreachable"
NOT_JOINED = "not_joined"


@dataclass(frozen=True)
class SyncStatus:
    """Where this room stands with the clinic server after a round."""

    state: str
    waiting: int = 0  # saved here, not yet on the server
    pulled: int = 0  # rows from other rooms applied in this round
    error_key: str = ""  # HubError.key when unreachable or refused
    conflicts: int | None = None  # "two versions — review" count; None: unchanged


def sync_round(
    db_path: Path, key: bytes | None, client: object, count: bool = False
) -> SyncStatus:
    """One round on the calling (worker) thread; never raises for the network.

    Conflicts are counted here too (count, or rows arrived), never on the GUI
    thread: on a large clinic the count reads the whole revision index.
    """
    from companion.hub.errors import HubError
    from companion.store import replication

    if client is None:
        return SyncStatus(NOT_JOINED)
    conn = replication.open_worker_connection(db_path, key)
    try:
        try:
            report = replication.sync_some(conn, db_path, client)  # type: ignore[arg-type]
        except HubError as error:
            return SyncStatus(UNREACHABLE, replication.waiting(conn), 0, error.key)
        state = IN_STEP if report.behind == 0 and report.waiting == 0 else CATCHING_UP
        found = None
        if count or report.pulled:
            found = len(replication.conflicts(conn))
        return SyncStatus(state, report.waiting, report.pulled, "", found)
    finally:
        conn.close()


class ClinicServerSync(QObject):
    """Runs one round at a time on a worker; reports each result on the GUI thread."""

    status_changed = Signal(object)  # SyncStatus
    records_arrived = Signal(int)  # rows from other rooms were applied

    def __init__(
        self, db_path: Path, key: bytes | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self._key = key
        self._client: object | None = None
        self.status = SyncStatus(NOT_JOINED)
        self._running = False
        self._again = False
        self._closing = False
        self._left = False  # the room left its server: no rounds until rejoined
        self._count_next = True  # the first round counts conflicts
        self.timer = QTimer(self, interval=ROUND_MS)
        self.timer.timeout.connect(self.poke)
        self.soon = QTimer(self, interval=AFTER_SAVE_MS, singleShot=True)
        self.soon.timeout.connect(self.poke)

    @property
    def running(self) -> bool:
        """True while a round is on the worker."""
        return self._running

    def start(self) -> None:
        """Begin the rounds (a first one now)."""
        self._left = False
        self.timer.start()
        self.poke()

    def stop(self) -> None:
        """No more rounds (one already running finishes on its own)."""
        self.timer.stop()
        self.soon.stop()

    def shutdown(self) -> None:
        """No more rounds, and the server connection closed (the window closes)."""
        self.stop()
        self._closing = True
        if not self._running:
            self._close_client()

    def leave(self) -> None:
        """The room left its server: no more rounds, the connection closed.

        A round still running finishes on its worker; its result is dropped
        and its connection closed then.
        """
        self.stop()
        self._left = True
        if not self._running:
            self._close_client()
        self.status = SyncStatus(NOT_JOINED)
        self.status_changed.emit(self.status)

    def rejoined(self) -> None:
        """The room joined (again): forget the old client, run a round now."""
        self._left = False
        self._close_client()
        self.poke()

    def after_save(self) -> None:
        """A save here: a round shortly, so other rooms see it within seconds."""
        self.soon.start()

    def recount(self) -> None:
        """Count conflicts in the next round (after a review pick)."""
        self._count_next = True
        self.poke()

    def poke(self) -> None:
        """Run a round now, or right after the one running."""
        if self._closing or self._left:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        if self._client is None:
            from companion.hub.join import client_for  # psycopg only once joined

            self._client = client_for(self.db_path)
        client = self._client
        count, self._count_next = self._count_next, False
        run_in_background(
            lambda: sync_round(self.db_path, self._key, client, count),
            self._done,
            self._failed,
            name="clinic-server-sync",
        )

    def _done(self, status: SyncStatus) -> None:
        self._running = False
        if self._closing or self._left:
            self._close_client()
            return
        self.status = status
        self.status_changed.emit(status)
        if status.pulled:
            self.records_arrived.emit(status.pulled)
        if self._again or status.state == CATCHING_UP:
            self._again = False
            self.poke()

    def _failed(self, error: BaseException) -> None:
        # The database refused (busy, full): the next round tries again; the
        # status keeps the count of what waits.
        self._running = False
        if self._closing or self._left:
            self._close_client()
            return
        self.status = SyncStatus(UNREACHABLE, self.status.waiting, 0, "unreachable")
        self.status_changed.emit(self.status)

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()  # type: ignore[attr-defined]
