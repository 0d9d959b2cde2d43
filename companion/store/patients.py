"""Patient rows: create, change, look up and find by chart number, initials or name."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlite_utils import Database

from companion.core.records import InvalidInput, Patient
from companion.store.transaction import from_text, new_id, to_text, utc_now

EDITABLE = ("chart_number", "initials", "display_name", "preferred_language")


def fold(text: str | None) -> str | None:
    """Case-insensitive form for any script; SQLite's own LIKE folds ASCII only."""
    return None if text is None else text.casefold()


def build_patient(
    chart_number: str = "",
    initials: str = "",
    display_name: str = "",
    preferred_language: str = "en",
) -> Patient:
    """A new, validated Patient with a fresh id (not yet saved)."""
    return Patient(
        id=new_id(),
        chart_number=chart_number,
        initials=initials,
        display_name=display_name,
        preferred_language=preferred_language,
        created=utc_now(),
    )


def changed_patient(current: Patient, changes: dict[str, Any]) -> Patient:
    """current with changes applied and validated; only editable fields may change."""
    for name in changes:
        if name not in EDITABLE:
            raise InvalidInput(name, f"A patient's {name} cannot be changed.")
    return dataclasses.replace(current, **changes)


def insert_patient(db: Database, patient: Patient) -> None:
    """Insert a validated patient (inside the caller's transaction)."""
    _refuse_duplicate_chart(db, patient)
    db["patients"].insert(patient_row(patient))


def update_patient(db: Database, patient: Patient) -> None:
    """Write a validated patient's editable fields (inside the caller's transaction)."""
    _refuse_duplicate_chart(db, patient)
    row = patient_row(patient)
    db.conn.execute(
        "UPDATE patients SET chart_number = ?, initials = ?, display_name = ?,"
        " preferred_language = ? WHERE id = ?",
        [row[name] for name in EDITABLE] + [patient.id],
    )


def get_patient(db: Database, patient_id: str) -> Patient | None:
    """The patient with this id, or None."""
    rows = list(db.query("SELECT * FROM patients WHERE id = ?", [patient_id]))
    return _patient(rows[0]) if rows else None


def find_patients(db: Database, query: str, limit: int = 50) -> list[Patient]:
    """Patients whose chart number, initials or a word of the name starts with query.

    An empty query lists the most recently added patients.
    """
    text = (fold(query) or "").strip()
    if not text:
        rows = db.query(
            "SELECT * FROM patients ORDER BY created DESC LIMIT ?", [max(limit, 0)]
        )
        return [_patient(row) for row in rows]
    prefix = _escape_like(text) + "%"
    rows = db.query(
        r"""
        SELECT * FROM patients
        WHERE casefold(chart_number) LIKE :prefix ESCAPE '\'
           OR casefold(initials) LIKE :prefix ESCAPE '\'
           OR casefold(display_name) LIKE :prefix ESCAPE '\'
           OR casefold(display_name) LIKE '% ' || :prefix ESCAPE '\'
        ORDER BY casefold(chart_number) = :exact DESC,
                 casefold(initials) = :exact DESC,
                 chart_number, initials, display_name
        LIMIT :limit
        """,
        {"prefix": prefix, "exact": text, "limit": max(limit, 0)},
    )
    return [_patient(row) for row in rows]


def _refuse_duplicate_chart(db: Database, patient: Patient) -> None:
    if not patient.chart_number:
        return
    clash = db.conn.execute(
        "SELECT 1 FROM patients WHERE chart_number = ? AND id <> ?",
        (patient.chart_number, patient.id),
    ).fetchone()
    if clash:
        raise InvalidInput(
            "chart_number",
            f"Chart number {patient.chart_number} already belongs to another patient.",
        )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def patient_row(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "chart_number": patient.chart_number,
        "initials": patient.initials,
        "display_name": patient.display_name,
        "preferred_language": patient.preferred_language,
        "created": to_text(patient.created),
    }


def _patient(row: dict[str, Any]) -> Patient:
    return Patient(
        id=row["id"],
        chart_number=row["chart_number"],
        initials=row["initials"],
        display_name=row["display_name"],
        preferred_language=row["preferred_language"],
        created=from_text(row["created"]),
    )
