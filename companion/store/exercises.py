"""Exercise programmes: append-only revisions per visit, carried to the next visit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from companion.core.exercises import (
    Dose,
    Prescription,
    ProgrammeRevision,
    check_programme,
    exercise_ids,
)
from companion.core.records import InvalidInput
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.transaction import from_text, new_id, to_text, utc_now

ProgrammeInput = Iterable[Prescription | tuple[str, Mapping[str, Any] | Dose]]


def check_programme_input(
    visit_id: object, items: ProgrammeInput
) -> tuple[Prescription, ...]:
    """Refuse a bad visit id, an unknown exercise or a bad dose before any write."""
    if not isinstance(visit_id, str):
        raise InvalidInput("visit_id", f"visit_id must be text (got {visit_id!r}).")
    return check_programme(items, exercise_ids())


def append_programme(
    db: Database,
    visit_id: str,
    items: tuple[Prescription, ...],
    copied_from: str | None = None,
) -> tuple[ProgrammeRevision, bool]:
    """Add a revision unless items equal the current ones; return it and if it is new.

    Runs inside the caller's transaction, so the revision number cannot race.
    """
    exists = db.conn.execute("SELECT 1 FROM visits WHERE id = ?", (visit_id,))
    if exists.fetchone() is None:
        raise InvalidInput("visit_id", f"No visit with id {visit_id!r}.")
    current = current_programme(db, visit_id)
    if current is not None and current.items == items:
        return current, False
    revision = ProgrammeRevision(
        id=new_id(),
        visit_id=visit_id,
        revision=1 if current is None else current.revision + 1,
        items=items,
        created=utc_now(),
        copied_from=copied_from,
    )
    db["exercise_programmes"].insert(
        {
            "id": revision.id,
            "visit_id": visit_id,
            "revision": revision.revision,
            "items": json.dumps(items_json(items)),
            "copied_from": copied_from,
            "created": to_text(revision.created),
        }
    )
    return revision, True


def current_programme(db: Database, visit_id: str) -> ProgrammeRevision | None:
    """The newest revision of a visit's programme, or None if it has none."""
    rows = list(
        db.query(
            "SELECT * FROM exercise_programmes WHERE visit_id = ?"
            " ORDER BY revision DESC, id DESC LIMIT 1",
            [visit_id],
        )
    )
    return _revision(rows[0]) if rows else None


def programme_history(db: Database, visit_id: str) -> list[ProgrammeRevision]:
    """Every revision of a visit's programme, oldest first."""
    rows = db.query(
        "SELECT * FROM exercise_programmes WHERE visit_id = ? ORDER BY revision, id",
        [visit_id],
    )
    return [_revision(row) for row in rows]


def latest_for_patient(
    db: Database, patient_id: str, before_visit_id: str | None = None
) -> ProgrammeRevision | None:
    """The current programme of the patient's newest visit that has one.

    With before_visit_id, only visits other than that one and not after it
    count: the programme a new visit starts from.
    """
    before: dict[str, Any] | None = None
    if before_visit_id is not None:
        found = list(
            db.query(
                "SELECT visit_date, created FROM visits WHERE id = ?", [before_visit_id]
            )
        )
        if not found:
            raise InvalidInput("visit_id", f"No visit with id {before_visit_id!r}.")
        before = found[0]
    rows = db.query(
        """
        SELECT p.* FROM exercise_programmes AS p
        JOIN visits AS v ON v.id = p.visit_id
        WHERE v.patient_id = :patient
          AND (:skip IS NULL OR v.id <> :skip)
          AND (:day IS NULL OR (v.visit_date, v.created) <= (:day, :created))
        ORDER BY v.visit_date DESC, v.created DESC, p.revision DESC, p.id DESC
        LIMIT 1
        """,
        {
            "patient": patient_id,
            "skip": before_visit_id,
            "day": before and before["visit_date"],
            "created": before and before["created"],
        },
    )
    found_rows = list(rows)
    return _revision(found_rows[0]) if found_rows else None


def carry_forward(db: Database, visit_id: str) -> tuple[ProgrammeRevision | None, bool]:
    """Start a visit from the patient's last programme; return it and if it was copied.

    A visit that already has a programme keeps it (returned, not copied); with
    no earlier programme the result is (None, False). Runs in the caller's
    transaction.
    """
    own = current_programme(db, visit_id)
    if own is not None:
        return own, False
    found = list(db.query("SELECT patient_id FROM visits WHERE id = ?", [visit_id]))
    if not found:
        raise InvalidInput("visit_id", f"No visit with id {visit_id!r}.")
    source = latest_for_patient(db, found[0]["patient_id"], visit_id)
    if source is None:
        return None, False
    return append_programme(db, visit_id, source.items, copied_from=source.id)


def items_json(items: Iterable[Prescription]) -> list[dict[str, Any]]:
    """Prescriptions as stored and exported: [{"exercise": id, "sets": n, …}]."""
    return [{"exercise": p.exercise_id, **p.dose.as_dict()} for p in items]


def _revision(row: Mapping[str, Any]) -> ProgrammeRevision:
    items = tuple(
        Prescription(entry.pop("exercise"), Dose(**entry))
        for entry in json.loads(row["items"])
    )
    return ProgrammeRevision(
        id=row["id"],
        visit_id=row["visit_id"],
        revision=row["revision"],
        items=items,
        created=from_text(row["created"]),
        copied_from=row["copied_from"],
    )
