"""Episodes of care in the store: follow-ups continue one, a new injury starts one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from companion.store import Store, open_store
from companion.store.migrations import (
    Migrations,
    m0001_initial_schema,
    m0002_visit_psfs,
    m0003_audit_log,
    m0004_patient_search,
)


def test_follow_up_continues_the_episode_and_carries_onset(store: Store) -> None:
    """A follow-up with blank onset joins the episode and gets its onset and cause."""
    p = store.create_patient(chart_number="E-1")
    first = store.start_visit(
        p.id, date(2026, 1, 5), onset_date=date(2026, 1, 2), mechanism="lifting"
    )
    follow = store.start_visit(p.id, date(2026, 1, 12))
    assert follow.episode_id == first.episode_id
    assert follow.onset_date == date(2026, 1, 2)
    assert follow.mechanism == "lifting"
    assert store.get_visit(follow.id).episode_id == first.episode_id


def test_new_injury_or_request_starts_a_new_episode(store: Store) -> None:
    """Another mechanism, another onset, or new_episode=True each start an episode."""
    p = store.create_patient(chart_number="E-2")
    a = store.start_visit(p.id, date(2026, 1, 5), mechanism="lifting")
    b = store.start_visit(p.id, date(2026, 3, 1), mechanism="car_accident")
    c = store.start_visit(
        p.id, date(2026, 3, 8), new_episode=True, onset_date=date(2026, 3, 7)
    )
    d = store.start_visit(p.id, date(2026, 3, 9), onset_date=date(2026, 3, 9))
    ids = [a.episode_id, b.episode_id, c.episode_id, d.episode_id]
    assert len(set(ids)) == 4
    assert c.mechanism is None  # a new episode carries nothing forward
    assert store.episodes_for(p.id)[0].id == d.episode_id


def test_editing_onset_updates_the_episode(store: Store) -> None:
    """Changing "Pain began" on a visit is what its episode then carries forward."""
    p = store.create_patient(chart_number="E-3")
    v = store.start_visit(p.id, date(2026, 2, 1))
    store.update_visit(v.id, onset_date=date(2026, 1, 30))
    assert store.get_episode(v.episode_id).onset_date == date(2026, 1, 30)
    assert store.start_visit(p.id, date(2026, 2, 8)).onset_date == date(2026, 1, 30)


def test_migration_places_every_old_visit_in_an_episode(db_path: Path) -> None:
    """m0005 groups visits recorded before episodes by onset/mechanism; none lost."""
    db_path.parent.mkdir(parents=True)
    before = Migrations()
    for step in (
        m0001_initial_schema,
        m0002_visit_psfs,
        m0003_audit_log,
        m0004_patient_search,
    ):
        before(step)
    with open_store(db_path, migrations=before) as old:
        old.conn.execute(
            "INSERT INTO patients (id, chart_number, initials, display_name, created)"
            " VALUES ('p1', 'M-1', '', '', '2026-01-01T00:00:00.000000+00:00')"
        )
        rows = [
            ("v1", "2026-01-05", "2026-01-01", "lifting", 7),
            ("v2", "2026-01-12", None, None, 5),
            ("v3", "2026-01-19", "2026-01-01", "lifting", 1),
            ("v4", "2026-03-02", "2026-03-01", "car_accident", 6),
        ]
        old.conn.executemany(
            "INSERT INTO visits (id, patient_id, visit_date, onset_date, mechanism,"
            " pain, created, updated) VALUES (?, 'p1', ?, ?, ?, ?,"
            " ?||'T09:00:00.000000+00:00', ?||'T09:00:00.000000+00:00')",
            [(i, d, o, m, pain, d, d) for i, d, o, m, pain in rows],
        )
    with open_store(db_path) as store:
        visits = {v.id: v for v in store.visits_for("p1")}
        assert set(visits) == {"v1", "v2", "v3", "v4"}
        assert visits["v1"].episode_id == visits["v2"].episode_id
        assert visits["v2"].episode_id == visits["v3"].episode_id
        assert visits["v4"].episode_id != visits["v1"].episode_id
        assert [v.pain for v in store.visits_for("p1")] == [6, 1, 5, 7]
        episodes = store.episodes_for("p1")
        assert len(episodes) == 2
        assert episodes[0].mechanism == "car_accident"


def test_a_follow_up_edited_to_a_new_injury_leaves_the_old_course(
    store: Store,
) -> None:
    """Choosing "car accident" on a follow-up of a sport injury gives that visit its
    own episode; the first visit's edits still update its episode."""
    p = store.create_patient(chart_number="E-4")
    first = store.start_visit(p.id, date(2026, 1, 5), mechanism="sport")
    follow = store.start_visit(p.id, date(2026, 3, 1))
    assert follow.episode_id == first.episode_id
    crash = store.update_visit(follow.id, mechanism="car_accident")
    assert crash.episode_id != first.episode_id
    assert store.get_visit(follow.id).episode_id == crash.episode_id
    assert store.get_episode(first.episode_id).mechanism == "sport"
    store.update_visit(crash.id, onset_date=date(2026, 2, 28))
    assert store.get_episode(crash.episode_id).onset_date == date(2026, 2, 28)
    store.update_visit(first.id, mechanism="lifting")
    assert store.get_episode(first.episode_id).mechanism == "lifting"
