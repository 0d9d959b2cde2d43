"""Backups on a worker thread, one at a time, results back on the GUI thread."""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from companion.store import Store, StoreError, backup_due
from companion.store.backup import KINDS, BackupJob
from companion.store.backup_schedule import periodic_backups_due
from companion.store.quit_backup import note_unbacked_changes, quit_backup_due
from companion.ui.error_text import error_text

if TYPE_CHECKING:
    from companion.ui.app_context import AppContext

CHECK_MS = 60_000  # auto backups run at most every 30 min, checked each minute
FIRST_CHECK_MS = 2_000  # daily / weekly once the window is up, not before
FAILED_MESSAGE_MS = 10_000
FINISH_POLL_MS = 1_000
# How long wait() and shutdown() block by default: long enough for a slow disk
# to copy and check a large clinic (about 10 s for the bench's 100,000 visits).
WAIT_SECONDS = 120.0


@dataclass(eq=False)
class _Run:
    """One backup on its worker thread; written there, read after join()."""

    job: BackupJob
    thread: threading.Thread | None = None
    path: Path | None = None
    # Kept whole, so the GUI thread words it in the language of the moment.
    error: BaseException | None = None
    delivered: bool = False  # finished/failed emitted, on the GUI thread
    done: threading.Event = field(default_factory=threading.Event)


class _Relay(QObject):
    """Carries a finished run from its worker thread to the runner's thread.

    Without a parent, so the worker can still emit on it if the runner has
    been deleted meanwhile (Qt then drops the queued call).
    """

    done = Signal(object)


class BackupRunner(QObject):
    """Makes backups on a worker thread, never two at once, and reports back.

    finished(path) and failed(message) are emitted on the runner's (GUI)
    thread, after the store has recorded the backup (time, audit row). The
    message is describe(error): str (English) unless the window passes its own.
    """

    finished = Signal(str)
    failed = Signal(str)
    # After wind_down(): the running backup and the quit backup are done.
    wound_down = Signal()

    def __init__(
        self,
        store: Store,
        parent: QObject | None = None,
        describe: Callable[[BaseException], str] = str,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.describe = describe
        self._running: _Run | None = None
        # Kinds asked for while one runs, oldest first; asking twice counts once.
        self._pending: dict[str, None] = {}
        self._relay = _Relay()
        self._winding_down = False
        self._quit_backup_wanted = False
        # Queued even when emitted on this thread: the slot always runs from
        # the event loop, never inside the worker's emit.
        self._relay.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.check_timer = QTimer(self, interval=CHECK_MS)
        self.check_timer.timeout.connect(self.due_check)
        self.first_check_timer = QTimer(self, interval=FIRST_CHECK_MS, singleShot=True)
        self.first_check_timer.timeout.connect(self.due_check)
        # A second way for a finished copy to be recorded, should the worker's
        # queued signal never arrive: otherwise the runner would stay busy (no
        # more backups) and closing would wait for it until "Close now".
        self.finish_poll = QTimer(self, interval=FINISH_POLL_MS)
        self.finish_poll.timeout.connect(self._deliver_if_finished)

    @property
    def busy(self) -> bool:
        """True while a backup runs or waits to run."""
        return self._running is not None or bool(self._pending)

    def start_checks(self) -> None:
        """Check whether a backup is due 2 s from now, then every minute."""
        self.first_check_timer.start()
        self.check_timer.start()

    def request(self, kind: str = "auto") -> None:
        """Start a backup of this kind on a worker, or after the one running now."""
        if kind not in KINDS:
            raise ValueError(f"unknown backup kind {kind!r}")
        if self._running is not None:
            self._pending.setdefault(kind)
            return
        self._start(kind)

    def due_check(self) -> None:
        """Request what today's policy says is due.

        An auto backup every 30 minutes while there are changes (backup_due);
        a daily and a weekly one when the newest of its kind is a day / a week
        old (periodic_backups_due). Nothing while a backup runs or waits: the
        next check sees its result.
        """
        store = self.store
        if store.closed or self.busy:
            return
        now = datetime.now(UTC)
        if backup_due(store.last_backup, store.changed_since_backup, now):
            self.request("auto")
        for kind in periodic_backups_due(store.backup_dir, now):
            self.request(kind)

    def wait(self, timeout_s: float = WAIT_SECONDS) -> bool:
        """Block until no backup runs or waits to run; False if time ran out.

        Results are recorded and reported (finished / failed) before it
        returns, so the store can be closed right after a True.
        """
        deadline = time.monotonic() + timeout_s
        while self._running is not None:
            run = self._running
            if not run.done.wait(max(0.0, deadline - time.monotonic())):
                return False
            self._deliver(run)  # records it and starts the next queued one
        return True

    def shutdown(
        self, quit_backup: bool = True, timeout_s: float = WAIT_SECONDS
    ) -> bool:
        """wind_down(), blocking until it is done: for tools, tests and the bench.

        The window uses wind_down and keeps painting meanwhile. False if time
        ran out; the running copy then completes on its thread, unrecorded once
        the store is closed.
        """
        self.wind_down(quit_backup)
        return self.wait(timeout_s)

    def wind_down(self, quit_backup: bool = True) -> None:
        """At close, without blocking: stop scheduling, finish up, emit wound_down.

        Queued requests are dropped. The running backup finishes; then, when
        something changed since the last backup, the quit backup is made, on a
        worker like the others. wound_down comes on the GUI thread once both are
        done and recorded, at once if there is nothing to do. The store must stay
        open until then, or the last backup goes unrecorded.
        """
        self.check_timer.stop()
        self.first_check_timer.stop()
        self._pending.clear()
        self._winding_down = True
        self._quit_backup_wanted = quit_backup
        self._continue_wind_down()

    def _continue_wind_down(self) -> None:
        if self._running is not None:
            return  # _deliver calls back when it is done
        if self._quit_backup_wanted:
            self._quit_backup_wanted = False
            store = self.store
            if not store.closed and quit_backup_due(
                store.backup_dir, store.changed_since_backup, datetime.now(UTC)
            ):
                self._start("quit")
                if self._running is not None:
                    return
            elif not store.closed and store.changed_since_backup:
                # A backup was made minutes ago: the next start's first due
                # check backs these saves up (they are already durable).
                note_unbacked_changes(store.path)
        self._winding_down = False
        self.wound_down.emit()

    # -- inside ------------------------------------------------------------------

    def _start(self, kind: str) -> None:
        if self.store.closed:
            self._pending.clear()
            return
        try:
            job = self.store.backup_job(kind)
        except StoreError as error:
            self.failed.emit(self.describe(error))
            return
        run = _Run(job)
        # Not a daemon: a copy still running when the app quits finishes its
        # file instead of leaving a half-written .partial behind.
        run.thread = threading.Thread(
            target=self._work, args=(run, self._relay), name=f"backup-{kind}"
        )
        self._running = run
        run.thread.start()
        self.finish_poll.start()

    @staticmethod
    def _work(run: _Run, relay: _Relay) -> None:
        """The worker thread: the whole copy, check, rename and rotation."""
        try:
            run.path = run.job.run()
        except (StoreError, OSError) as error:
            run.error = error
        except Exception as error:  # a bug must not leave the runner busy forever
            traceback.print_exc()
            run.error = RuntimeError(f"The backup stopped unexpectedly: {error!r}")
        finally:
            run.done.set()
            # The relay is gone only when the app is already shutting down.
            with contextlib.suppress(RuntimeError):
                relay.done.emit(run)

    def _deliver_if_finished(self) -> None:
        run = self._running
        if run is None:
            self.finish_poll.stop()
        elif run.done.is_set():
            self._deliver(run)

    @Slot(object)
    def _deliver(self, run: _Run) -> None:
        """On the GUI thread: record the backup, report it, start the next one."""
        if run.delivered:
            return  # wait() got there before the queued signal
        run.delivered = True
        if run.thread is not None:
            run.thread.join()  # done is set in its last lines: at most a moment
        if self._running is run:
            self._running = None
            self.finish_poll.stop()
        if run.path is None:
            self.failed.emit("" if run.error is None else self.describe(run.error))
        else:
            self._record(run.job, run.path)
        if self._winding_down:
            self._continue_wind_down()
        elif self._running is None and self._pending:
            kind = next(iter(self._pending))
            del self._pending[kind]
            self._start(kind)

    def _record(self, job: BackupJob, path: Path) -> None:
        store = self.store
        if not store.closed:
            try:
                store.record_backup(job, path)
            except (StoreError, OSError) as error:
                # The file is made and verified; only the audit row is missing.
                self.failed.emit(self.describe(error))
                return
        self.finished.emit(str(path))


def install_backups(context: AppContext) -> BackupRunner:
    """Back up the store in the background; failures show in the status line.

    Checks 2 s after start and then every minute (BackupRunner.due_check).
    At close, finish with closing_backup.finish_backups() before closing the store.
    """
    runner = BackupRunner(
        context.ops.store,
        context,
        describe=lambda error: error_text(error, context.state.strings),
    )

    def show_failure(message: str) -> None:
        context.status(context.t("backup.failed", message=message), FAILED_MESSAGE_MS)

    runner.failed.connect(show_failure)
    runner.start_checks()
    return runner
