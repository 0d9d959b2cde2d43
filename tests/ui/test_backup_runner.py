"""Background backups: off the GUI thread, one at a time, reported back on it."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from companion.store import Store, list_backups, open_store
from companion.store.audit import BACKUP
from companion.store.backup import is_intact
from companion.store.cipher import is_plain_database
from companion.store.quit_backup import QUIT_MIN_GAP, unbacked_marker
from companion.ui.backup_runner import BackupRunner, install_backups
from tests.store.backup_spy import CopySpy, chart_numbers

Launch = Callable[..., Any]
SIGNAL_LIMIT_MS = 60_000  # a broken test fails instead of hanging
HOLD_LIMIT_S = 30.0


@pytest.fixture
def key() -> bytes:
    """A random 256-bit database key."""
    return secrets.token_bytes(32)


@pytest.fixture
def store(tmp_path: Path, key: bytes) -> Iterator[Store]:
    """An encrypted store on a real file, as the app opens it."""
    with open_store(tmp_path / "clinic" / "companion.db", key=key) as opened:
        yield opened


@pytest.fixture
def runner(store: Store, qtbot: QtBot) -> Iterator[BackupRunner]:
    """A runner on the store; whatever it still runs is awaited at the end."""
    made = BackupRunner(store)
    yield made
    made.shutdown(quit_backup=False)


def _backup_events(store: Store) -> list[str]:
    return [e.record_id for e in store.audit_log() if e.event == BACKUP]


def test_backup_runs_off_the_gui_thread_and_reports_on_it(
    store: Store,
    runner: BackupRunner,
    key: bytes,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The copy runs on a worker; finished comes on the GUI thread, recorded."""
    spy = CopySpy().install(monkeypatch)
    gui = threading.get_ident()
    reported_on: list[int] = []
    runner.finished.connect(lambda _path: reported_on.append(threading.get_ident()))
    patient = store.create_patient(chart_number="G-1", display_name="Gia")
    store.save_note(store.start_visit(patient.id).id, "S", "neck stiff at night")

    with qtbot.waitSignal(runner.finished, timeout=SIGNAL_LIMIT_MS) as blocker:
        runner.request("auto")
        assert runner.busy
    path = Path(blocker.args[0])

    assert spy.threads and gui not in spy.threads
    assert all(source is not store.conn for source in spy.sources)
    assert reported_on == [gui]
    assert not runner.busy
    assert is_intact(path, key) and not is_plain_database(path)
    assert chart_numbers(path, key) == ["G-1"]
    assert not store.changed_since_backup and store.last_backup is not None
    assert _backup_events(store) == [path.name]


def test_saves_during_a_running_backup_succeed_and_nothing_is_lost(
    store: Store,
    runner: BackupRunner,
    key: bytes,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Saves mid-copy go through; they stay due, and the next backup has them."""
    spy = CopySpy(hold=True).install(monkeypatch)
    store.create_patient(chart_number="M-1")
    runner.request("auto")
    assert spy.snapshot_taken.wait(HOLD_LIMIT_S)
    # The worker holds its read snapshot; the GUI thread saves as usual.
    during = store.create_patient(chart_number="M-2")
    store.save_note(store.start_visit(during.id).id, "S", "typed during a backup")
    with qtbot.waitSignal(runner.finished, timeout=SIGNAL_LIMIT_MS) as blocker:
        spy.release.set()
    first = Path(blocker.args[0])

    assert chart_numbers(first, key) == ["M-1"]
    assert [p.chart_number for p in store.find_patients("M-")] == ["M-1", "M-2"]
    assert store.changed_since_backup  # M-2 is in no backup yet
    with qtbot.waitSignal(runner.finished, timeout=SIGNAL_LIMIT_MS) as blocker:
        runner.request("auto")
    second = Path(blocker.args[0])
    assert chart_numbers(second, key) == ["M-1", "M-2"]
    assert not store.changed_since_backup


def test_failure_arrives_as_failed_and_the_store_stays_usable(
    tmp_path: Path, key: bytes, qtbot: QtBot
) -> None:
    """A file where the backup folder should be: a clear message, work goes on."""
    blocked = tmp_path / "backups"
    blocked.write_text("a file, not a folder")
    db_path = tmp_path / "clinic" / "companion.db"
    with open_store(db_path, key=key, backup_dir=blocked) as store:
        runner = BackupRunner(store)
        store.create_patient(chart_number="F-1")
        with qtbot.waitSignal(runner.failed, timeout=SIGNAL_LIMIT_MS) as blocker:
            runner.request("auto")
        message = blocker.args[0]
        assert "Could not write a backup" in message and str(blocked) in message
        assert not runner.busy
        store.create_patient(chart_number="F-2")
        assert len(store.find_patients("F-")) == 2
        assert store.changed_since_backup and store.last_backup is None

        blocked.unlink()  # the drive is back
        with qtbot.waitSignal(runner.finished, timeout=SIGNAL_LIMIT_MS) as blocker:
            runner.request("auto")
        assert chart_numbers(Path(blocker.args[0]), key) == ["F-1", "F-2"]
        runner.shutdown(quit_backup=False)


def test_requests_while_one_runs_wait_their_turn(
    store: Store,
    runner: BackupRunner,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Never two copies at once; repeats of a waiting kind count once."""
    spy = CopySpy(hold=True).install(monkeypatch)
    store.create_patient(chart_number="Q-1")
    made: list[str] = []
    runner.finished.connect(made.append)
    runner.request("auto")
    assert spy.snapshot_taken.wait(HOLD_LIMIT_S)
    for kind in ("daily", "weekly", "daily", "auto", "weekly"):
        runner.request(kind)
    spy.release.set()

    assert runner.wait()

    kinds = [Path(p).name.split("-")[1] for p in made]
    assert kinds == ["auto", "daily", "weekly", "auto"]
    assert spy.never_overlapped() and len(spy.copied) == 4
    assert threading.get_ident() not in spy.threads
    assert sorted(b.kind for b in list_backups(store.backup_dir)) == sorted(kinds)
    assert not runner.busy


def test_wait_delivers_the_result_once(
    store: Store,
    runner: BackupRunner,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """wait() gives up while held, then records and reports exactly once."""
    spy = CopySpy(hold=True).install(monkeypatch)
    store.create_patient(chart_number="W-1")
    made: list[str] = []
    runner.finished.connect(made.append)
    runner.request("daily")
    assert spy.snapshot_taken.wait(HOLD_LIMIT_S)

    assert not runner.wait(0.05)  # still held: time runs out
    assert runner.busy and made == []
    spy.release.set()
    assert runner.wait()

    assert len(made) == 1 and not runner.busy
    assert store.last_backup is not None and not store.changed_since_backup
    # The worker's own queued report arrives now and is dropped.
    QCoreApplication.processEvents()
    qtbot.wait(10)
    assert len(made) == 1
    assert _backup_events(store) == [Path(made[0]).name]


def test_shutdown_waits_for_the_running_backup_then_makes_the_quit_one(
    store: Store,
    runner: BackupRunner,
    key: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The quit backup comes after the running copy, never beside it; with a
    backup made seconds ago it is left to the next start (rate-limited)."""
    spy = CopySpy(hold=True).install(monkeypatch)
    store.create_patient(chart_number="X-1")
    made: list[str] = []
    runner.finished.connect(made.append)
    runner.request("auto")
    runner.request("weekly")  # queued: dropped at shutdown
    assert spy.snapshot_taken.wait(HOLD_LIMIT_S)
    store.create_patient(chart_number="X-2")  # after the snapshot: not in it
    # Released from another thread while shutdown() blocks this one.
    threading.Timer(0.05, spy.release.set).start()

    assert runner.shutdown()

    kinds = [Path(p).name.split("-")[1] for p in made]
    assert kinds == ["auto"]  # the auto copy is seconds old: no second full copy
    assert spy.never_overlapped() and len(spy.copied) == 1
    assert unbacked_marker(store.path).exists()  # the next start backs X-2 up
    assert not runner.check_timer.isActive()


def test_shutdown_makes_the_quit_backup_when_the_last_is_old(
    store: Store,
    runner: BackupRunner,
    key: bytes,
) -> None:
    """Saves since a backup older than the quit gap get a quit backup at close."""
    store.create_patient(chart_number="Q-1")
    old = store.backup("auto")
    # The same backup, as if taken longer ago than the quit gap.
    aged = datetime.now(UTC) - QUIT_MIN_GAP - timedelta(minutes=1)
    old.rename(old.with_name(f"companion-auto-{aged:%Y%m%d-%H%M%S}.db"))
    store.create_patient(chart_number="Q-2")
    made: list[str] = []
    runner.finished.connect(made.append)
    assert runner.shutdown()
    assert [Path(p).name.split("-")[1] for p in made] == ["quit"]
    assert chart_numbers(Path(made[-1]), key) == ["Q-1", "Q-2"]


def test_due_check_follows_the_backup_policy(
    store: Store, runner: BackupRunner, qtbot: QtBot
) -> None:
    """Daily and weekly when missing; auto after changes, at most every 30 min."""
    made: list[str] = []
    runner.finished.connect(made.append)
    runner.due_check()  # a new clinic: no daily or weekly yet, no changes
    assert runner.wait()
    assert sorted(Path(p).name.split("-")[1] for p in made) == ["daily", "weekly"]

    runner.due_check()  # both fresh, nothing changed
    assert not runner.busy
    store.create_patient(chart_number="D-1")
    runner.due_check()  # changed, but the daily one was made a moment ago
    assert not runner.busy
    store.last_backup = datetime.now(UTC) - timedelta(minutes=31)
    runner.due_check()
    assert runner.busy
    assert runner.wait()
    assert Path(made[-1]).name.startswith("companion-auto-")
    assert not store.changed_since_backup


def test_unknown_kind_and_closed_store(store: Store, runner: BackupRunner) -> None:
    """Kinds are a fixed list; a closed store is never backed up."""
    with pytest.raises(ValueError):
        runner.request("hourly")
    store.close()
    runner.request("auto")
    runner.due_check()
    assert not runner.busy


def test_install_backups_reports_failures_in_the_status_bar(
    launch: Launch, qtbot: QtBot, tmp_path: Path
) -> None:
    """The runner checks on its own timers; a failure shows in the status bar."""
    window = launch(tmp_path / "home")
    runner = install_backups(window.context)
    assert runner.parent() is window.context and runner.store is window.ops.store
    assert runner.check_timer.isActive() and runner.first_check_timer.isActive()
    assert runner.check_timer.interval() == 60_000
    assert runner.first_check_timer.interval() == 2_000
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    kept, runner.store.backup_dir = runner.store.backup_dir, blocked
    with qtbot.waitSignal(runner.failed, timeout=SIGNAL_LIMIT_MS) as blocker:
        runner.request("auto")
    runner.store.backup_dir = kept
    expected = window.state.strings.t("backup.failed", message=blocker.args[0])
    assert window.statusBar().currentMessage() == expected
    assert str(blocked) in expected
    runner.shutdown(quit_backup=False)


def test_a_lost_finished_signal_is_made_up_for(
    store: Store, runner: BackupRunner, qtbot: QtBot
) -> None:
    """Should the worker's queued signal never arrive, the backup is still
    recorded and the runner freed (else no more backups, and a close waits)."""
    runner._relay.done.disconnect()  # the queued delivery is lost
    made: list[str] = []
    runner.finished.connect(made.append)
    runner.request("auto")
    qtbot.waitUntil(lambda: bool(made), timeout=SIGNAL_LIMIT_MS)
    assert not runner.busy and not runner.finish_poll.isActive()
    assert _backup_events(store) == [Path(made[0]).name]
