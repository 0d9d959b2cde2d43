"""A room that was offline for 30 days catches up, and sends what it made meanwhile."""

from __future__ import annotations

from datetime import date, timedelta

from companion.store import replication
from tests.hub.conftest import Hub
from tests.hub.helpers import assert_converged, hub_counts, local_rows


def test_a_room_offline_for_30_days_catches_up(hub: Hub) -> None:
    """Room A works 30 days (10 visits a day) while room C is off; C catches up."""
    a, c = hub.room("a"), hub.room("c")
    start = date(2026, 1, 5)
    for day in range(30):
        for n in range(10):
            patient = a.store.create_patient(chart_number=f"D{day}-{n}", initials="P")
            visit = a.store.start_visit(patient.id, start + timedelta(days=day), pain=n)
            a.store.save_note(visit.id, "S", f"day {day} visit {n}")
        a.sync()
    # C worked alone all month too.
    mine = c.store.create_patient(chart_number="C-1", initials="CC")
    c.store.start_visit(mine.id, pain=2)
    report = c.sync()
    assert report.behind == 0 and report.waiting == 0
    assert report.pulled >= 30 * 10 * 4
    a.sync()
    assert c.conn.execute("SELECT count(*) FROM visits").fetchone()[0] == 301
    assert a.store.get_patient(mine.id) is not None
    assert_converged(a.conn, c.conn)
    total, distinct = hub_counts(hub.server.admin_dsn, hub.database)
    assert total == distinct == local_rows(a.conn) == local_rows(c.conn)
    assert replication.last_seq(c.conn) == c.client.tip()
