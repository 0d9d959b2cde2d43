"""Patient rows: create, change, look up and find by chart number, initials or name."""

from __future__ import annotations

import dataclasses
import math
import sqlite3
import sys
from typing import Any

from companion.core.records import InvalidInput, Patient
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.transaction import from_text, new_id, to_text, utc_now

EDITABLE = ("chart_number", "initials", "display_name", "preferred_language")

# Every key a patient can be found by, one row each: see search_keys(). The keys
# are written here, in Python, rather than by triggers: a trigger could only fold
# through a function registered on its connection, so any other tool writing
# patients (or sqlcipher_export copying them) would fail with "no such function".
_INSERT_KEY = "INSERT INTO patient_search (key, field, patient_id) VALUES (?, ?, ?)"


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
    """Insert a validated patient and its search keys (in the caller's transaction)."""
    _refuse_duplicate_chart(db, patient)
    db["patients"].insert(patient_row(patient))
    _write_search_keys(db.conn, patient)


def update_patient(
    db: Database, patient: Patient, previous: Patient | None = None
) -> None:
    """Write a validated patient's editable fields (inside the caller's transaction).

    A chart number is refused only when it changes to one another patient
    has: two patients registered apart in two rooms share one until a
    clinician gives one a new number, and each can be edited meanwhile.
    """
    unchanged = previous is not None and (
        previous.chart_number.casefold() == patient.chart_number.casefold()
    )
    if not unchanged:
        _refuse_duplicate_chart(db, patient)
    row = patient_row(patient)
    db.conn.execute(
        "UPDATE patients SET chart_number = ?, initials = ?, display_name = ?,"
        " preferred_language = ? WHERE id = ?",
        [row[name] for name in EDITABLE] + [patient.id],
    )
    _write_search_keys(db.conn, patient)


def get_patient(db: Database, patient_id: str) -> Patient | None:
    """The patient with this id, or None."""
    rows = list(db.query("SELECT * FROM patients WHERE id = ?", [patient_id]))
    return _patient(rows[0]) if rows else None


def find_patients(
    db: Database, query: str, limit: int = 50, *, walk_above: int | None = None
) -> list[Patient]:
    """Patients whose chart number, initials or a word of the name starts with query.

    Case is ignored in any script (str.casefold); a query of several words matches
    from any word of the name on. Exact chart numbers, then exact initials, come
    first; then by chart number, initials and name. An empty query lists the most
    recently added patients. walk_above overrides the number of matching keys
    above which the patients are walked in order (tests try both ways).
    """
    text = (fold(query) or "").strip()
    limit = max(limit, 0)
    if not text:
        rows = db.query("SELECT * FROM patients ORDER BY created DESC LIMIT ?", [limit])
        return [_patient(row) for row in rows]
    if "\0" in text:
        return scan_patients(db, text, limit)
    # The keys that start with text are one range of the index: [text, high).
    high = _after_prefix(text)
    starting = "key >= :text" + ("" if high is None else " AND key < :high")
    params = {"text": text, "high": high, "limit": limit}
    # The old scan's order, one group at a time: exact chart numbers (exact
    # initials first among them), exact initials, then every match. Each group
    # comes in list order, limit long: that holds every member not already
    # listed by an earlier group that can still make the limit.
    found = {p.id: p for p in map(_patient, db.query(_EXACT_CHART_SQL, params))}
    for keys in (_EXACT_INITIALS, starting):
        if len(found) >= limit:
            break
        listed = None
        if walk_above is not None:
            above = walk_above
        elif keys is starting and high is not None:
            patients = _patient_count(db)
            listed, above = _chart_run_in_list_order(db, starting, params, patients)
        else:
            above = _walk_above(db, keys, params, _patient_count(db))
        if listed is None:
            listed = _in_list_order(db, keys, params, above)
        for patient in listed:
            found.setdefault(patient.id, patient)
    return list(found.values())[:limit]


def _patient_count(db: Database) -> int:
    # Patients are never deleted, so the highest rowid is how many there are.
    (patients,) = db.conn.execute("SELECT max(rowid) FROM patients").fetchone()
    return patients or 0


def _walk_above(db: Database, keys: str, params: dict[str, Any], patients: int) -> int:
    """How many matches make walking the list cheaper than collecting them.

    Initials and name matches are spread over the list (it is in chart-number
    order): the walk passes about limit × N / M patients, so it wins above
    sqrt(limit × N / WALK_COST) matches. Chart-number matches are one run
    somewhere in the list, which the walk must first reach (LOAD-05 on 100,000
    patients: past 50,000 others): when they are more than the limit, the old
    rule (walk only when they are a third of the clinic) is kept.
    """
    (charts,) = db.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM patient_search"
        f" WHERE {keys} AND field = 'chart_number' LIMIT :limit + 1)",
        params,
    ).fetchone()
    if charts > params["limit"]:
        return patients // CHART_RUN_SHARE
    return math.isqrt(int(params["limit"] * patients / WALK_COST))


def _chart_run_in_list_order(
    db: Database, starting: str, params: dict[str, Any], patients: int
) -> tuple[list[Patient] | None, int]:
    """A run of chart-number matches read where it starts in the list, or None
    and how many matches make walking the list the cheaper (see _walk_above).

    For more than limit chart matches in the middle of the list ('LOAD-05' on
    100,000 patients: 10,000 of them, 35–48 ms collected, 380 ms walked from
    the top). The list's chart-number order is NOCASE, so the patients whose
    chart number starts with the text in NOCASE are one range of
    patients_find_order: its first limit are read there. Casefolding also
    matches some that NOCASE does not ('ſ', 'É', 'ß'): when the range holds
    fewer patients than the chart keys say, None (collect as before). Every
    character casefolds to characters that casefold to themselves, so the
    range is a subset of the key matches and equal counts mean equal sets.
    Initials and name matches are listed apart; one sort of at most twice
    the limit gives the first limit of both.
    """
    limit = params["limit"]
    most = {**params, "most": patients // CHART_RUN_SHARE + 1}
    (charts,) = db.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM patient_search"
        f" WHERE {starting} AND field = 'chart_number' LIMIT :most)",
        most,
    ).fetchone()
    if charts <= limit:  # few: the spread rule of _walk_above
        return None, math.isqrt(int(limit * patients / WALK_COST))
    if charts >= most["most"]:
        return None, 0  # a third of the clinic: walk (it starts soon)
    (in_range,) = db.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM patients INDEXED BY patients_find_order"
        " WHERE chart_number >= :text AND chart_number < :high LIMIT :most)",
        most,
    ).fetchone()
    if in_range != charts:
        return None, patients // CHART_RUN_SHARE
    run = [
        row[0]
        for row in db.conn.execute(
            f"""
            SELECT p.id FROM patients AS p INDEXED BY patients_find_order
            WHERE p.chart_number >= :text AND p.chart_number < :high
              AND EXISTS (SELECT 1 FROM patient_search WHERE patient_id = p.id
                          AND {starting} AND field = 'chart_number')
            ORDER BY {_LIST_ORDER}
            LIMIT :limit
            """,
            params,
        )
    ]
    other = f"{starting} AND field <> 'chart_number'"
    above = math.isqrt(int(limit * patients / WALK_COST))
    ids = run + [p.id for p in _in_list_order(db, other, params, above)]
    if not ids:
        return [], 0
    marks = ", ".join("?" for _ in ids)
    rows = db.query(
        f"SELECT p.* FROM patients AS p WHERE p.id IN ({marks})"
        f" ORDER BY {_LIST_ORDER} LIMIT ?",
        [*ids, limit],
    )
    return [_patient(row) for row in rows], 0


def _in_list_order(
    db: Database, keys: str, params: dict[str, Any], walk_above: int
) -> list[Patient]:
    """The first params["limit"] patients with a key meeting keys, in list order."""
    (matches,) = db.conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM patient_search WHERE {keys} LIMIT :most)",
        {**params, "most": walk_above + 1},
    ).fetchone()
    if not matches:
        return []
    listed = _WALK_SQL if matches > walk_above else _COLLECT_SQL
    return [_patient(row) for row in db.query(listed.format(keys=keys), params)]


# The order matches are listed in after the exact ones. The trailing rowid is
# the order the old scan left ties in (it read the table in rowid order); the
# index patients_find_order holds exactly this order.
_LIST_ORDER = "p.chart_number, p.initials, p.display_name, p.rowid"

# Walking the patients in list order costs about 4 µs a patient passed; collecting
# and sorting the matches about 18 µs a match (measured on the encrypted
# 100,000-patient clinic). Name and initials matches are spread over the list
# (which is in chart-number order), so the walk passes about limit × N / M
# patients to find limit of M matches: it is the cheaper one once M exceeds
# about sqrt(limit × N / WALK_COST). 'M' on 100,000 patients (5,866 matches)
# took 90 ms collected under the old rule (walk above N / 3), 3.6 ms walked.
WALK_COST = 4.5
# Many chart-number matches (one run of the list): walk above this share.
CHART_RUN_SHARE = 3

_EXACT_INITIALS = "key = :text AND field = 'initials'"

# Chart numbers are unique (ignoring ASCII case), so only a few ever fold alike.
# CROSS JOIN keeps SQLite from scanning patients to reach them.
_EXACT_CHART_SQL = f"""
    SELECT p.* FROM patient_search AS s
    CROSS JOIN patients AS p ON p.id = s.patient_id
    WHERE s.key = :text AND s.field = 'chart_number'
    ORDER BY EXISTS (
        SELECT 1 FROM patient_search
        WHERE patient_id = p.id AND key = :text AND field = 'initials'
    ) DESC, {_LIST_ORDER}
    LIMIT :limit
"""

# Few matches: read them from the key index, then sort them.
_COLLECT_SQL = f"""
    SELECT p.* FROM (
        SELECT DISTINCT patient_id FROM patient_search WHERE {{keys}}
    ) AS hit
    CROSS JOIN patients AS p ON p.id = hit.patient_id
    ORDER BY {_LIST_ORDER}
    LIMIT :limit
"""

# Many matches: read patients already in list order and stop at the limit.
_WALK_SQL = f"""
    SELECT p.* FROM patients AS p INDEXED BY patients_find_order
    WHERE EXISTS (
        SELECT 1 FROM patient_search WHERE patient_id = p.id AND {{keys}}
    )
    ORDER BY {_LIST_ORDER}
    LIMIT :limit
"""


def search_keys(
    chart_number: str, initials: str, display_name: str
) -> list[tuple[str, str]]:
    """The (field, key) pairs that find the patient by any query they start with.

    Each field folded whole, plus the folded name from each word after a space
    on, so "ruiz" and "jo r" find "Ana Jo Ruiz", as the LIKE scan's
    `'% ' || query` did. Keys no stripped query can start (empty, or starting
    with whitespace) are left out.
    """
    pairs = {
        ("chart_number", fold(chart_number) or ""),
        ("initials", fold(initials) or ""),
    }
    name = fold(display_name) or ""
    pairs.add(("display_name", name))
    # SQLite's LIKE stopped reading the name at a NUL, so no word after one matched.
    end = name.find("\0") if "\0" in name else len(name)
    pairs.update(("display_name", name[n + 1 :]) for n in range(end) if name[n] == " ")
    return sorted((field, key) for field, key in pairs if key and not key[0].isspace())


def rebuild_search_keys(conn: sqlite3.Connection) -> int:
    """Recompute every patient's search keys (in the caller's transaction); count them.

    For the migration that adds them and for bulk loaders that insert patients
    with plain SQL. If fold() or search_keys() ever changes, a new migration
    must call this again, or old patients keep their old keys.
    """
    conn.execute("DELETE FROM patient_search")
    rows = conn.execute(
        "SELECT id, chart_number, initials, display_name FROM patients"
    ).fetchall()
    keys = [
        (key, field, patient_id)
        for patient_id, chart, initials, name in rows
        for field, key in search_keys(chart, initials, name)
    ]
    conn.executemany(_INSERT_KEY, keys)
    return len(keys)


def _write_search_keys(conn: sqlite3.Connection, patient: Patient) -> None:
    conn.execute("DELETE FROM patient_search WHERE patient_id = ?", (patient.id,))
    keys = search_keys(patient.chart_number, patient.initials, patient.display_name)
    conn.executemany(_INSERT_KEY, [(key, field, patient.id) for field, key in keys])


def _after_prefix(prefix: str) -> str | None:
    """The least text above every text that starts with prefix; None if none is.

    SQLite compares text as UTF-8 bytes, which orders like code points, so
    `key >= prefix AND key < _after_prefix(prefix)` is "key starts with prefix".
    """
    head = prefix.rstrip(chr(sys.maxunicode))
    if not head:
        return None
    after = ord(head[-1]) + 1
    if 0xD800 <= after <= 0xDFFF:  # surrogates are not characters UTF-8 can hold
        after = 0xE000
    return head[:-1] + chr(after)


def scan_patients(db: Database, text: str, limit: int) -> list[Patient]:
    """The old full scan (text already folded), still used for a NUL in a query.

    The benchmark also uses it as the baseline the search keys are measured by.

    SQLite's LIKE stops reading at a NUL, so such a query matched whole fields
    (cut at their own first NUL) rather than prefixes. Nobody types one; rather
    than teach the keys that rule, such a query scans, as every query used to.
    """
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
        {"prefix": prefix, "exact": text, "limit": limit},
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
