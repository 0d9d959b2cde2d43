"""Visit rows: start a visit, change its findings, list a patient's visits."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from companion.core.clinical_neuro import RootFinding
from companion.core.clinical_rules import ConsentRecord
from companion.core.records import InvalidInput, Visit
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.errors import DB_INTEGRITY_ERRORS
from companion.store.transaction import (
    date_from,
    date_text,
    from_text,
    new_id,
    to_text,
    utc_now,
)

EDITABLE = (
    "visit_date",
    "onset_date",
    "mechanism",
    "pain",
    "regions",
    "levels",
    "red_flags",
    "treatments_given",
    "treatments_recommended",
    "follow_up",
    "psfs",
    "patient_plan",
    "consents",
    "thrust_reason",
    "neuro_screen",
)
_COLUMNS = (
    "id",
    "patient_id",
    "visit_date",
    "onset_date",
    "mechanism",
    "pain",
    "regions",
    "levels",
    "red_flags",
    "treatments_given",
    "treatments_recommended",
    "follow_up",
    "created",
    "updated",
    "psfs",
    "episode_id",
    "patient_plan",
    "consents",
    "thrust_reason",
    "neuro_screen",
)
_INSERT = (
    f"INSERT INTO visits ({', '.join(_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_COLUMNS))})"
)


def build_visit(patient_id: str, visit_date: date | None, **fields: Any) -> Visit:
    """A new, validated Visit with a fresh id (not yet saved); date defaults today."""
    _refuse_unknown(fields)
    now = utc_now()
    values: dict[str, Any] = {
        "onset_date": None,
        "mechanism": None,
        "pain": None,
        "regions": (),
        "levels": (),
        "red_flags": {},
        "treatments_given": (),
        "treatments_recommended": (),
        "follow_up": None,
    }
    values.update(fields)
    return Visit(
        id=new_id(),
        patient_id=patient_id,
        visit_date=date.today() if visit_date is None else visit_date,
        created=now,
        updated=now,
        **values,
    )


def changed_visit(current: Visit, changes: dict[str, Any]) -> Visit:
    """current with changes applied and validated; only findings may change."""
    _refuse_unknown(changes)
    return dataclasses.replace(current, updated=utc_now(), **changes)


def insert_visit(db: Database, visit: Visit) -> None:
    """Insert a validated visit for an existing patient (in the open transaction)."""
    try:
        # Plain SQL: sqlite-utils' insert() re-reads the table's schema each time.
        db.conn.execute(_INSERT, _values(visit))
    except DB_INTEGRITY_ERRORS:
        # The foreign key refused it, checked by SQLite at no extra statement;
        # look the patient up only now, to say which value was wrong.
        exists = db.conn.execute(
            "SELECT 1 FROM patients WHERE id = ?", (visit.patient_id,)
        ).fetchone()
        if not exists:
            raise InvalidInput(
                "patient_id", f"No patient with id {visit.patient_id!r}."
            ) from None
        raise


def update_visit(db: Database, visit: Visit) -> None:
    """Write a validated visit's findings (inside the caller's transaction)."""
    row = _row(visit)
    names = (*EDITABLE, "updated")
    assignments = ", ".join(f"{name} = ?" for name in names)
    db.conn.execute(
        f"UPDATE visits SET {assignments} WHERE id = ?",
        [row[name] for name in names] + [visit.id],
    )


def touch_visit(db: Database, visit_id: str) -> None:
    """Mark a visit as changed now, e.g. after its note was edited."""
    db.conn.execute(
        "UPDATE visits SET updated = ? WHERE id = ?", (to_text(utc_now()), visit_id)
    )


def get_visit(db: Database, visit_id: str) -> Visit | None:
    """The visit with this id, or None."""
    rows = list(db.query("SELECT * FROM visits WHERE id = ?", [visit_id]))
    return _visit(rows[0]) if rows else None


def visits_for(db: Database, patient_id: str) -> list[Visit]:
    """A patient's visits, newest first."""
    rows = db.query(
        "SELECT * FROM visits WHERE patient_id = ?"
        " ORDER BY visit_date DESC, created DESC",
        [patient_id],
    )
    return [_visit(row) for row in rows]


def _refuse_unknown(fields: Mapping[str, Any]) -> None:
    for name in fields:
        if name not in EDITABLE:
            raise InvalidInput(name, f"A visit has no field {name!r} to change.")


def _values(visit: Visit) -> tuple[Any, ...]:
    """The stored values of every column, in _COLUMNS order."""
    created = to_text(visit.created)
    updated = created if visit.updated == visit.created else to_text(visit.updated)
    return (
        visit.id,
        visit.patient_id,
        visit.visit_date.isoformat(),
        date_text(visit.onset_date),
        visit.mechanism,
        visit.pain,
        _json_codes(visit.regions),
        _json_codes(visit.levels),
        _json_flags(visit.red_flags),
        _json_codes(visit.treatments_given),
        _json_codes(visit.treatments_recommended),
        date_text(visit.follow_up),
        created,
        updated,
        # NULL, not "[]", when no PSFS was taken at this visit.
        json.dumps([list(item) for item in visit.psfs], ensure_ascii=False)
        if visit.psfs
        else None,
        visit.episode_id,
        visit.patient_plan,
        consents_json(visit.consents),
        visit.thrust_reason,
        neuro_json(visit.neuro_screen),
    )


def _row(visit: Visit) -> dict[str, Any]:
    return dict(zip(_COLUMNS, _values(visit), strict=True))


# The validated codes and answers are plain strings, so these give exactly what
# json.dumps(..., ensure_ascii=False) gives, without building an encoder per call
# (five per save).
_quote = json.encoder.encode_basestring


def _json_codes(codes: tuple[str, ...]) -> str:
    return "[" + ", ".join(map(_quote, codes)) + "]"


def _json_flags(flags: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in flags.items()) + "}"


def _visit(row: dict[str, Any]) -> Visit:
    return Visit(
        id=row["id"],
        patient_id=row["patient_id"],
        visit_date=date.fromisoformat(row["visit_date"]),
        onset_date=date_from(row["onset_date"]),
        mechanism=row["mechanism"],
        pain=row["pain"],
        regions=tuple(json.loads(row["regions"])),
        levels=tuple(json.loads(row["levels"])),
        red_flags=json.loads(row["red_flags"]),
        treatments_given=tuple(json.loads(row["treatments_given"])),
        treatments_recommended=tuple(json.loads(row["treatments_recommended"])),
        follow_up=date_from(row["follow_up"]),
        created=from_text(row["created"]),
        updated=from_text(row["updated"]),
        psfs=tuple(tuple(item) for item in json.loads(row.get("psfs") or "[]")),
        episode_id=row.get("episode_id"),
        patient_plan=row.get("patient_plan") or "",
        consents=consents_from(row.get("consents") or "[]"),
        thrust_reason=row.get("thrust_reason") or "",
        neuro_screen=neuro_from(row.get("neuro_screen") or "[]"),
    )


def consent_fields(consent: ConsentRecord) -> dict[str, str]:
    """One consent record as plain JSON fields (stored and exported alike)."""
    return {
        "technique": consent.technique,
        "given_by": consent.given_by,
        "recorded_by": consent.recorded_by,
        "when": to_text(consent.when),
        "explained": consent.explained,
    }


def consents_json(consents: tuple[ConsentRecord, ...]) -> str:
    return json.dumps([consent_fields(c) for c in consents], ensure_ascii=False)


def consents_from(text: str) -> tuple[ConsentRecord, ...]:
    return tuple(
        ConsentRecord(**{**item, "when": from_text(item["when"])})
        for item in json.loads(text)
    )


def neuro_json(findings: tuple[RootFinding, ...]) -> str:
    return json.dumps([dataclasses.asdict(f) for f in findings], ensure_ascii=False)


def neuro_from(text: str) -> tuple[RootFinding, ...]:
    return tuple(RootFinding(**item) for item in json.loads(text))
