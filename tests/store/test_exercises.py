"""Exercise programmes: round-trip, append-only revisions, copy-forward and export."""

from __future__ import annotations

import csv
import json
import secrets
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from companion.core.exercises import Dose, Prescription, progressed_programme
from companion.store import (
    MIGRATIONS,
    InvalidInput,
    Migrations,
    Patient,
    Store,
    Visit,
    migrations,
    open_store,
)

PROGRAMME = (
    Prescription("chin_tuck", Dose(reps=10, hold_seconds=3, times_per_day=3)),
    Prescription("bridge", Dose(sets=2, reps=10, times_per_day=1)),
    Prescription("walking", Dose(minutes=15, times_per_day=2)),
)


def test_programme_round_trip(store: Store, visit: Visit, db_path: Path) -> None:
    """A saved programme reads back in order with every dose, after reopening too."""
    saved = store.save_programme(visit.id, PROGRAMME)
    assert saved.revision == 1 and saved.items == PROGRAMME
    assert store.current_programme(visit.id) == saved
    store.close()
    with open_store(db_path) as reopened:
        assert reopened.current_programme(visit.id) == saved


def test_plain_mappings_are_accepted_and_normalised(store: Store, visit: Visit) -> None:
    """(id, {dose}) pairs from a form are saved as the same Prescriptions."""
    saved = store.save_programme(
        visit.id, [("bridge", {"sets": 2, "reps": 10, "times_per_day": 1})]
    )
    assert saved.items == (PROGRAMME[1],)


def test_a_changed_dose_appends_a_revision(store: Store, visit: Visit) -> None:
    """Changing one dose adds revision 2; revision 1 stays exactly as it was."""
    first = store.save_programme(visit.id, PROGRAMME)
    changed = (PROGRAMME[0], PROGRAMME[1]._replace(dose=Dose(reps=6)), PROGRAMME[2])
    second = store.save_programme(visit.id, changed)
    assert second.revision == 2 and second.id != first.id
    assert store.programme_history(visit.id) == [first, second]
    assert store.current_programme(visit.id) == second


def test_saving_the_same_programme_adds_nothing(store: Store, visit: Visit) -> None:
    """An unchanged save returns the current revision and writes no row."""
    first = store.save_programme(visit.id, PROGRAMME)
    assert store.save_programme(visit.id, PROGRAMME) == first
    assert len(store.programme_history(visit.id)) == 1


def test_clearing_a_programme_is_a_revision_too(store: Store, visit: Visit) -> None:
    """An empty programme is saved as a new revision, keeping the old one."""
    store.save_programme(visit.id, PROGRAMME)
    cleared = store.save_programme(visit.id, [])
    assert cleared.items == () and cleared.revision == 2


def test_revisions_cannot_be_updated_or_deleted(store: Store, visit: Visit) -> None:
    """The database itself refuses to change or delete a saved revision."""
    store.save_programme(visit.id, PROGRAMME)
    for statement in (
        "UPDATE exercise_programmes SET items = '[]'",
        "DELETE FROM exercise_programmes",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="programme revisions"):
            store.conn.execute(statement)
    assert store.current_programme(visit.id).items == PROGRAMME


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([("plank", {"reps": 5})], "Unknown exercise 'plank'"),
        ([("bridge", {"reps": 0})], "from 1 to 50"),
        ([("bridge", {"reps": 5}), ("bridge", {"reps": 6})], "twice"),
        (["bridge"], "needs an id and a dose"),
    ],
)
def test_bad_programmes_are_refused_and_nothing_is_saved(
    store: Store, visit: Visit, items: list, message: str
) -> None:
    """Unknown exercises, bad doses and repeats are refused before any write."""
    with pytest.raises(InvalidInput, match=message):
        store.save_programme(visit.id, items)
    assert store.programme_history(visit.id) == []


def test_unknown_visit_is_refused(store: Store) -> None:
    """A programme for a visit that does not exist is refused."""
    with pytest.raises(InvalidInput, match="No visit"):
        store.save_programme("missing", PROGRAMME)


def test_next_visit_starts_from_the_last_programme(
    store: Store, patient: Patient
) -> None:
    """Carry-forward copies the newest earlier programme into the new visit."""
    first = store.start_visit(patient.id, date(2026, 1, 5))
    second = store.start_visit(patient.id, date(2026, 1, 19))
    store.save_programme(first.id, PROGRAMME[:1])
    latest = store.save_programme(second.id, PROGRAMME)
    third = store.start_visit(patient.id, date(2026, 2, 2))

    carried = store.carry_programme_forward(third.id)

    assert carried is not None and carried.visit_id == third.id
    assert carried.items == PROGRAMME and carried.copied_from == latest.id
    assert carried.revision == 1
    # The earlier visit's programme is untouched.
    assert store.programme_history(second.id) == [latest]


def test_carry_forward_keeps_a_programme_already_there(
    store: Store, patient: Patient
) -> None:
    """A visit that has its own programme is not overwritten by carry-forward."""
    first = store.start_visit(patient.id, date(2026, 1, 5))
    second = store.start_visit(patient.id, date(2026, 1, 19))
    store.save_programme(first.id, PROGRAMME)
    own = store.save_programme(second.id, PROGRAMME[:1])
    assert store.carry_programme_forward(second.id) == own
    assert len(store.programme_history(second.id)) == 1


def test_carry_forward_with_nothing_earlier(store: Store, patient: Patient) -> None:
    """A first visit, or one before every programme, has nothing to carry."""
    later = store.start_visit(patient.id, date(2026, 3, 1))
    store.save_programme(later.id, PROGRAMME)
    earlier = store.start_visit(patient.id, date(2026, 1, 1))
    assert store.carry_programme_forward(earlier.id) is None
    assert store.current_programme(earlier.id) is None


def test_carry_forward_never_takes_another_patients_programme(
    store: Store, patient: Patient
) -> None:
    """Only the same patient's visits are searched for a programme to carry."""
    other = store.create_patient(chart_number="C-200")
    store.save_programme(store.start_visit(other.id, date(2026, 1, 1)).id, PROGRAMME)
    mine = store.start_visit(patient.id, date(2026, 2, 1))
    assert store.carry_programme_forward(mine.id) is None


def test_progress_then_save(store: Store, patient: Patient) -> None:
    """Keep, change or progress: progressing the carried programme saves revision 2."""
    first = store.start_visit(patient.id, date(2026, 1, 5))
    store.save_programme(first.id, PROGRAMME)
    nxt = store.start_visit(patient.id, date(2026, 1, 19))
    carried = store.carry_programme_forward(nxt.id)
    assert carried is not None
    stepped = store.save_programme(nxt.id, progressed_programme(carried.items))
    assert stepped.revision == 2
    assert [p.dose for p in stepped.items] == [
        Dose(reps=10, hold_seconds=8, times_per_day=3),
        Dose(sets=2, reps=12, times_per_day=1),
        Dose(minutes=20, times_per_day=2),
    ]
    assert store.latest_programme(patient.id) == stepped


def test_saving_a_programme_touches_the_visit_and_audits(
    store: Store, visit: Visit
) -> None:
    """A new revision marks the visit changed and writes an edit_visit audit row."""
    before = store.audit_log()
    store.save_programme(visit.id, PROGRAMME)
    assert store.get_visit(visit.id).updated > visit.updated
    new_rows = store.audit_log()[len(before) :]
    assert [(r.event, r.record_id) for r in new_rows] == [("edit_visit", visit.id)]


def test_encrypted_store_round_trip(tmp_path: Path) -> None:
    """The programme round-trips in the SQLCipher store the app uses."""
    path = tmp_path / "clinic" / "companion.db"
    key = secrets.token_bytes(32)
    with open_store(path, key=key) as store:
        patient = store.create_patient(chart_number="E-1")
        visit = store.start_visit(patient.id)
        saved = store.save_programme(visit.id, PROGRAMME)
    with open_store(path, key=key) as store:
        assert store.encrypted
        assert store.current_programme(visit.id) == saved
    assert b"chin_tuck" not in path.read_bytes()


def test_export_holds_the_programme_and_its_history(
    store: Store, patient: Patient, tmp_path: Path
) -> None:
    """JSON has each visit's current programme and revisions; CSV a programme column."""
    visit = store.start_visit(patient.id, date(2026, 1, 5))
    store.save_programme(visit.id, PROGRAMME)
    store.save_programme(visit.id, PROGRAMME[:2])
    empty = store.start_visit(patient.id, date(2026, 1, 1))

    json_path, csv_path = store.export_patient(patient.id, tmp_path / "out")

    document = json.loads(json_path.read_text(encoding="utf-8"))
    exported = {v["id"]: v for v in document["visits"]}
    assert exported[visit.id]["exercise_programme"] == [
        {"exercise": "chin_tuck", "sets": 1, "reps": 10, "hold_seconds": 3,
         "times_per_day": 3},
        {"exercise": "bridge", "sets": 2, "reps": 10, "times_per_day": 1},
    ]  # fmt: skip
    history = exported[visit.id]["exercise_programme_history"]
    assert [len(r["items"]) for r in history] == [3, 2]
    assert exported[empty.id]["exercise_programme"] == []
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        rows = {r["visit_id"]: r for r in csv.DictReader(handle)}
    cell = json.loads(rows[visit.id]["exercise_programme"])
    assert [entry["exercise"] for entry in cell] == ["chin_tuck", "bridge"]
    assert rows[empty.id]["exercise_programme"] == ""


def test_m0008_upgrades_a_clinic_with_visits(db_path: Path) -> None:
    """A database made before m0008 gains the table; its visits take programmes."""
    db_path.parent.mkdir(parents=True)
    before = Migrations()
    for step in MIGRATIONS.names:
        if step != "m0008_exercise_programmes":
            before(getattr(migrations, step))
    with open_store(db_path, migrations=before) as old:
        assert "exercise_programmes" not in old.db.table_names()
        visit = old.start_visit(old.create_patient(chart_number="U-1").id)
    with open_store(db_path) as upgraded:
        assert "m0008_exercise_programmes" in migrations.applied(upgraded.db)
        saved = upgraded.save_programme(visit.id, PROGRAMME)
        assert upgraded.current_programme(visit.id) == saved
