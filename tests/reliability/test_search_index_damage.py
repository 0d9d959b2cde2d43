"""A damaged note search index is rebuilt from the notes: no restore, no loss."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import pytest

from companion.store import Store, open_store
from companion.store.cipher import connect
from companion.store.search_index_repair import is_search_index_damage


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _notes(store: Store, tag: str, count: int) -> list[str]:
    patient = store.create_patient(chart_number=f"chart-{tag}")
    ids = []
    for n in range(count):
        visit = store.start_visit(patient.id)
        store.save_note(visit.id, "S", f"{tag} draft {n} " + "lumbar spasm " * 30)
        store.save_note(visit.id, "S", f"{tag} final {n} " + "walk daily " * 30)
        ids.append(visit.id)
    return ids


def _scribble_over_index(path: Path, key: bytes) -> None:
    """Random bytes over the FTS5 index's own blocks (not the notes)."""
    conn = connect(path, key)
    try:
        conn.execute("UPDATE notes_fts_data SET block = randomblob(length(block))")
        conn.commit()
    finally:
        conn.close()


def _quick_check(path: Path, key: bytes) -> list[str]:
    conn = connect(path, key, readonly=True)
    try:
        return [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
    finally:
        conn.close()


def test_index_damage_is_rebuilt_and_the_newest_notes_stay(tmp_path: Path) -> None:
    """The old recovery set the file aside and restored the backup: the notes
    saved after it were gone from the app (here 40 visits)."""
    key = secrets.token_bytes(32)
    db = tmp_path / "companion.db"
    backups = tmp_path / "backups"
    with open_store(db, key=key, backup_dir=backups) as store:
        before = _notes(store, "before", 40)
        store.backup("auto")
        after = _notes(store, "after", 40)
    _scribble_over_index(db, key)
    problems = _quick_check(db, key)
    assert problems != ["ok"] and is_search_index_damage("; ".join(problems))
    damaged_hash = _sha256(db)

    with open_store(db, key=key, backup_dir=backups) as store:
        visits = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        assert set(before) | set(after) <= visits
        report = store.recovery
        assert report is not None and report.search_index_rebuilt
        assert report.restored_from is None
        assert "nothing was lost" in report.message
        assert store.check_integrity() == (True, [])
        # The index holds each note's newest text, never an older revision.
        hits = store.search_notes("walk daily", limit=200)
        assert {hit.visit_id for hit in hits} == set(before) | set(after)
        assert store.search_notes("lumbar spasm") == []
        # An untouched copy of every file as it was, private like the database.
        for copy in report.moved_aside:
            assert copy.name.startswith("companion.db.damaged-")
            assert copy.parent == tmp_path
            if os.name != "nt":
                assert copy.stat().st_mode & 0o777 == 0o600
        kept = report.moved_aside[0]
        assert _sha256(kept) == damaged_hash
    with open_store(db, key=key, backup_dir=backups) as again:
        assert again.recovery is None  # the next start finds nothing to do


@pytest.mark.parametrize(
    ("problem", "index_only"),
    [
        ('fts5: corruption found reading blob 137 from table "notes_fts"', True),
        ("malformed inverted index for FTS5 table main.notes_fts", True),
        (
            'fts5: checksum mismatch for table "notes_fts"; '
            "Tree 12 page 34 cell 0: invalid page number 99",
            False,
        ),
        ("Tree 12 page 34 cell 0: invalid page number 99", False),
        ("file is not a database", False),
        ("", False),
    ],
)
def test_only_index_findings_count_as_index_damage(
    problem: str, index_only: bool
) -> None:
    """Any finding outside the search index means the file itself is damaged."""
    assert is_search_index_damage(problem) is index_only
