"""Export one patient's record to JSON (everything) and CSV (a row per visit)."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from companion.core.exercises import ProgrammeRevision
from companion.core.records import SECTIONS, InvalidInput, NoteRevision, Visit
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.exercises import items_json, programme_history
from companion.store.notes import current_notes, note_history
from companion.store.patients import get_patient, patient_row
from companion.store.transaction import date_text, to_text, utc_now
from companion.store.visits import EDITABLE, consent_fields, visits_for

CSV_COLUMNS = ("visit_id", *EDITABLE, *SECTIONS, "exercise_programme")
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_patient(db: Database, patient_id: str, dest_dir: Path) -> tuple[Path, Path]:
    """Write <label>-<id8>.json and .csv into dest_dir; return their paths.

    Reads happen in one transaction, so both files describe the same moment.
    """
    with _read_snapshot(db):
        patient = get_patient(db, patient_id)
        if patient is None:
            raise InvalidInput("patient_id", f"No patient with id {patient_id!r}.")
        visits = visits_for(db, patient_id)
        notes = {v.id: current_notes(db, v.id) for v in visits}
        history = {
            v.id: {s: note_history(db, v.id, s) for s in SECTIONS} for v in visits
        }
        programmes = {v.id: programme_history(db, v.id) for v in visits}
    document = {
        "format": "spine-companion-patient-export",
        "version": 1,
        "exported": to_text(utc_now()),
        "patient": patient_row(patient),
        "visits": [
            {
                **_visit_fields(v),
                "notes": {s: r.text for s, r in notes[v.id].items()},
                "note_history": {
                    s: [_revision_fields(r) for r in revisions]
                    for s, revisions in history[v.id].items()
                    if revisions
                },
                **_programme_fields(programmes[v.id]),
            }
            for v in visits
        ],
    }
    dest_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{_safe(patient.label)}-{patient.id[:8]}"
    json_path = dest_dir / f"{stem}.json"
    csv_path = dest_dir / f"{stem}.csv"
    with _atomic_write(json_path, encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=2)
    # utf-8-sig so spreadsheet programs detect the encoding (accents, emoji).
    with _atomic_write(csv_path, encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for v in visits:
            writer.writerow(_csv_row(v, notes[v.id], programmes[v.id]))
    return json_path, csv_path


def _visit_fields(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "visit_date": date_text(visit.visit_date),
        "onset_date": date_text(visit.onset_date),
        "mechanism": visit.mechanism,
        "pain": visit.pain,
        "regions": list(visit.regions),
        "levels": list(visit.levels),
        "red_flags": dict(visit.red_flags),
        "treatments_given": list(visit.treatments_given),
        "treatments_recommended": list(visit.treatments_recommended),
        "follow_up": date_text(visit.follow_up),
        "psfs": [[activity, rating] for activity, rating in visit.psfs],
        "patient_plan": visit.patient_plan,
        "episode_id": visit.episode_id,
        "consents": [consent_fields(c) for c in visit.consents],
        "thrust_reason": visit.thrust_reason,
        "neuro_screen": [dataclasses.asdict(f) for f in visit.neuro_screen],
        "created": to_text(visit.created),
        "updated": to_text(visit.updated),
    }


def _revision_fields(revision: NoteRevision) -> dict[str, Any]:
    return {
        "revision": revision.revision,
        "text": revision.text,
        "created": to_text(revision.created),
    }


def _programme_fields(history: list[ProgrammeRevision]) -> dict[str, Any]:
    # The current programme, and every revision (oldest first) like notes.
    return {
        "exercise_programme": items_json(history[-1].items) if history else [],
        "exercise_programme_history": [
            {
                "revision": r.revision,
                "items": items_json(r.items),
                "copied_from": r.copied_from,
                "created": to_text(r.created),
            }
            for r in history
        ],
    }


def _csv_row(
    visit: Visit, notes: dict[str, NoteRevision], programme: list[ProgrammeRevision]
) -> list[str]:
    fields = _visit_fields(visit)
    row: list[str] = []
    for column in CSV_COLUMNS[: -len(SECTIONS) - 1]:
        value = fields["id" if column == "visit_id" else column]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "; ".join(value)
        elif isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False)
        row.append("" if value is None else str(value))
    row.extend(notes[s].text if s in notes else "" for s in SECTIONS)
    current = items_json(programme[-1].items) if programme else []
    row.append(json.dumps(current, ensure_ascii=False) if current else "")
    return [_inert(cell) for cell in row]


def _inert(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs (the JSON keeps it exact)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _safe(label: str) -> str:
    # Chart numbers may hold slashes or spaces; file names must not.
    cleaned = re.sub(r"[^\w.-]+", "_", label).strip("._")
    return cleaned[:40] or "patient"


@contextmanager
def _read_snapshot(db: Database) -> Iterator[None]:
    db.conn.execute("BEGIN")
    try:
        yield
    finally:
        db.conn.execute("ROLLBACK")


@contextmanager
def _atomic_write(path: Path, **open_args: Any) -> Iterator[IO[str]]:
    # A crash mid-export leaves the old file (or none), never half a file.
    temp = path.with_name(f".{path.name}.partial")
    try:
        with open(temp, "w", **open_args) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
