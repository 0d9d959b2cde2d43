"""Partitions: the hub stopped mid-push and mid-pull, a room killed mid-push,
batches delivered twice, clocks apart: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from typing import Any

import pytest

from companion.hub.errors import HubError
from companion.store import replication
from companion.store import transaction as store_transaction
from tests.hub.conftest import Hub, Room
from tests.hub.helpers import assert_converged, hub_counts, local_rows


def _busy_day(room: Room, patients: int, chart: str) -> list[str]:
    """Patients with a visit and two notes each; their visit ids."""
    visits = []
    for n in range(patients):
        patient = room.store.create_patient(chart_number=f"{chart}-{n}", initials="XY")
        visit = room.store.start_visit(patient.id, pain=n % 11)
        room.store.save_note(visit.id, "S", f"note {n}")
        room.store.save_note(visit.id, "A", f"assessment {n}")
        visits.append(visit.id)
    return visits


class StopAfter:
    """The real client, but the hub is shut down after `calls` pushes or pulls."""

    def __init__(self, room: Room, hub: Hub, what: str, calls: int) -> None:
        self.client, self.hub, self.what, self.left = room.client, hub, what, calls

    def _count(self, what: str) -> None:
        if what == self.what:
            self.left -= 1
            if self.left == 0:
                self.hub.server.stop()

    def push(self, rows: list[dict[str, Any]]) -> int:
        added = self.client.push(rows)
        self._count("push")
        return added

    def pull(self, after: int, limit: int) -> Any:
        found = self.client.pull(after, limit)
        self._count("pull")
        return found

    def tip(self) -> int:
        return self.client.tip()


def _sync_small(room: Room, hub: Any, batch: int = 7) -> None:
    while replication.push_batch(room.conn, room.path, hub, batch):
        pass
    while replication.pull_batch(room.conn, room.path, hub, batch):
        pass


def test_hub_stopped_mid_push_and_mid_pull_loses_and_doubles_nothing(hub: Hub) -> None:
    """The hub goes down halfway through a push, later halfway through a pull."""
    a, b = hub.room("a"), hub.room("b")
    _busy_day(a, 12, "A")
    with pytest.raises(HubError) as down:
        _sync_small(a, StopAfter(a, hub, "push", 2))
    assert down.value.key == "unreachable"
    assert replication.waiting(a.conn) > 0
    # The room keeps working as a single-room clinic does.
    _busy_day(a, 2, "A2")
    hub.server.start()
    a.sync()
    with pytest.raises(HubError):
        _sync_small(b, StopAfter(b, hub, "pull", 2))
    hub.server.start()
    assert 0 < replication.last_seq(b.conn) < b.client.tip()
    b.sync()
    a.sync()
    assert_converged(a.conn, b.conn)
    total, distinct = hub_counts(hub.server.admin_dsn, hub.database)
    assert total == distinct == local_rows(a.conn) == local_rows(b.conn)
    assert a.conn.execute("SELECT count(*) FROM visits").fetchone()[0] == 14


class Twice:
    """Every batch pushed twice, and every pull starting a few rows early."""

    def __init__(self, room: Room) -> None:
        self.client = room.client

    def push(self, rows: list[dict[str, Any]]) -> int:
        self.client.push(rows)
        return self.client.push(rows)

    def pull(self, after: int, limit: int) -> Any:
        return self.client.pull(max(0, after - 3), limit)

    def tip(self) -> int:
        return self.client.tip()


def test_the_same_batch_delivered_twice_changes_nothing(hub: Hub) -> None:
    """Rows pushed twice and pulled twice are stored once on both sides."""
    a, b = hub.room("a"), hub.room("b")
    _busy_day(a, 6, "A")
    _busy_day(b, 4, "B")
    for room in (a, b, a):
        twice = Twice(room)
        for _ in range(3):
            replication.push_batch(room.conn, room.path, twice, 5)
        room.sync()
        for _ in range(3):
            replication.pull_batch(room.conn, room.path, twice, 5)
    assert_converged(a.conn, b.conn)
    total, distinct = hub_counts(hub.server.admin_dsn, hub.database)
    assert total == distinct == local_rows(a.conn) == local_rows(b.conn)


_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from companion.hub.client import HubAddress, HubClient
    from companion.hub.join import certificate_path
    from companion.store import replication
    from companion.store.database import open_store

    path, url, password = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    store = open_store(path)
    client = HubClient(HubAddress.parse(url), password, certificate_path(path))

    class Slow:
        pushes = 0
        def push(self, rows):
            added = client.push(rows)
            Slow.pushes += 1
            if Slow.pushes == 3:
                # The hub has committed; the room has not yet struck them off.
                print("hub-has-it", flush=True)
                time.sleep(60)
            return added

    while replication.push_batch(store.conn, path, Slow(), 5):
        pass
    """
)


def test_a_room_killed_mid_push_resends_without_doubling(hub: Hub) -> None:
    """SIGKILL between the hub's commit and the room's: the rows go once."""
    a, b = hub.room("a"), hub.room("b")
    _busy_day(a, 8, "A")
    before = replication.waiting(a.conn)
    role = f"{hub.database}_a"
    a.store.close()
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(a.path), hub.url(role), hub.logins["a"]],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    ) as child:
        try:
            assert child.stdout.readline().strip() == "hub-has-it"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    a = hub.reopen(a)
    # 15 rows are on the hub, but the room still holds 10 of them as waiting.
    assert replication.waiting(a.conn) == before - 10
    a.sync()
    b.sync()
    assert_converged(a.conn, b.conn)
    total, distinct = hub_counts(hub.server.admin_dsn, hub.database)
    assert total == distinct == local_rows(a.conn) == local_rows(b.conn)


def test_clocks_ten_minutes_apart_order_by_the_hub_not_the_clock(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room B's clock is 10 minutes slow: its later edit still wins everywhere."""
    a, b = hub.room("a"), hub.room("b")
    patient = a.store.create_patient(chart_number="T-1", initials="TT")
    visit = a.store.start_visit(patient.id, pain=4)
    a.store.update_visit(visit.id, pain=5)
    a.sync()
    b.sync()
    slow = store_transaction.utc_now() - timedelta(minutes=10)
    monkeypatch.setattr("companion.store.visits.utc_now", lambda: slow)
    monkeypatch.setattr("companion.store.notes.utc_now", lambda: slow)
    b.store.update_visit(visit.id, pain=7)
    b.store.save_note(visit.id, "P", "Review in a week.")
    assert b.store.get_visit(visit.id).updated < a.store.get_visit(visit.id).updated
    b.sync()
    a.sync()
    assert a.store.get_visit(visit.id).pain == 7
    assert a.store.current_notes(visit.id)["P"].text == "Review in a week."
    assert replication.conflicts(a.conn) == []
    assert_converged(a.conn, b.conn)


def test_a_room_restored_from_a_backup_goes_on_replicating(hub: Hub) -> None:
    """A restore rewinds the room's audit chain: the fork is kept, all verified."""
    import shutil

    from companion.hub import admin

    a, b = hub.room("a"), hub.room("b")
    a.store.audit("open_patient", "before-backup")
    backup = a.store.backup()
    a.store.audit("open_patient", "lost-by-the-restore")
    a.sync()
    a.store.close()
    for suffix in ("-wal", "-shm"):
        a.path.with_name(a.path.name + suffix).unlink(missing_ok=True)
    shutil.copy(backup, a.path)
    a = hub.reopen(a)
    a.store.audit("open_patient", "after-the-restore")
    _busy_day(a, 2, "R")
    a.sync()
    b.sync()
    chains = admin.verify_audit(hub.server.admin_dsn, hub.database)
    assert chains == {a.room_id: (True, None)}
    assert replication.verify_remote_audit(b.conn) == {a.room_id: (True, None)}
    assert replication.waiting(a.conn) == 0
    records = "SELECT count(*) FROM visits"
    assert b.conn.execute(records).fetchone() == a.conn.execute(records).fetchone()
