"""A damaged note search index is rebuilt from the notes: no restore, no loss."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from pathlib import Path

import pytest

from companion.store import Store, open_store, recovery
from companion.store.cipher import connect
from companion.store.search_index_repair import is_search_index_damage
from tests.reliability.full_check import open_after_full_check


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


def _damaged_clinic(
    tmp_path: Path, count: int = 10
) -> tuple[Path, Path, bytes, list[str], list[str]]:
    """A clinic with a backup, count visits saved after it, and a scribbled-over
    index: (database, backups folder, key, visits before, visits after)."""
    key = secrets.token_bytes(32)
    db = tmp_path / "companion.db"
    backups = tmp_path / "backups"
    with open_store(db, key=key, backup_dir=backups) as store:
        before = _notes(store, "before", count)
        store.backup("auto")
        after = _notes(store, "after", count)
    _scribble_over_index(db, key)
    return db, backups, key, before, after


def test_index_damage_is_rebuilt_and_the_newest_notes_stay(tmp_path: Path) -> None:
    """The old recovery set the file aside and restored the backup: the notes
    saved after it were gone from the app (here 40 visits)."""
    db, backups, key, before, after = _damaged_clinic(tmp_path, 40)
    problems = _quick_check(db, key)
    assert problems != ["ok"] and is_search_index_damage("; ".join(problems))
    damaged_hash = _sha256(db)

    with open_after_full_check(db, key=key, backup_dir=backups) as store:
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
        (
            "unable to validate the inverted index for FTS5 table main.notes_fts:"
            " database is locked",
            False,
        ),
        ("file is not a database", False),
        ("", False),
    ],
)
def test_only_index_findings_count_as_index_damage(
    problem: str, index_only: bool
) -> None:
    """Any finding outside the search index means the file itself is damaged."""
    assert is_search_index_damage(problem) is index_only


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file()}


def test_no_room_for_a_copy_still_rebuilds_and_leaves_no_half_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy that fails half-way (a full disk) is removed; the index is still
    rebuilt, since restoring the backup would lose the notes saved since."""
    db, backups, key, before, after = _damaged_clinic(tmp_path)
    files_before = _files(tmp_path)

    def half_a_copy(source: Path, target: Path) -> None:
        target.write_bytes(Path(source).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(recovery.shutil, "copyfile", half_a_copy)
    with open_after_full_check(db, key=key, backup_dir=backups) as store:
        visits = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        assert set(before) | set(after) <= visits
        report = store.recovery
        assert report is not None and report.search_index_rebuilt
        assert report.moved_aside == ()
        assert report.message.endswith("nothing was lost.")
        assert store.check_integrity() == (True, [])
        events = [(e.event, e.record_id) for e in store.audit_log()]
        assert events[-1] == ("rebuild_search_index", "")
    assert not any(".damaged-" in name for name in _files(tmp_path) - files_before)


def test_a_repair_that_does_not_hold_puts_the_file_back_and_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the check still finds damage after the rebuild, the untouched copy goes
    back in place, so the file set aside is exactly the one found; then the
    usual restore runs."""
    db, backups, key, before, after = _damaged_clinic(tmp_path)
    found_hash = _sha256(db)
    real_rebuild = recovery.rebuild_search_index

    def rebuild_then_more_damage(path: Path, key: bytes | None) -> None:
        real_rebuild(path, key)
        size = path.stat().st_size
        with open(path, "r+b") as handle:  # the repair "wrote into bad pages"
            handle.seek(size // 2 // 4096 * 4096)
            handle.write(os.urandom(4096 * 2))

    monkeypatch.setattr(recovery, "rebuild_search_index", rebuild_then_more_damage)
    with open_after_full_check(db, key=key, backup_dir=backups) as store:
        report = store.recovery
        assert report is not None and not report.search_index_rebuilt
        assert report.restored_from is not None
        assert _sha256(report.moved_aside[0]) == found_hash
        visits = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        # Only the index was damaged: the later visits are merged back by id.
        assert set(before) <= visits and set(after) <= visits
        assert report.salvaged["visits"] >= len(after)
    damaged = sorted(n for n in _files(tmp_path) if ".damaged-" in n)
    assert damaged == sorted(p.name for p in report.moved_aside)  # no stray copy


def test_a_rebuild_takes_the_current_of_two_rooms_same_revision(tmp_path: Path) -> None:
    """Where two rooms wrote the same revision number of a note (m0009), the
    rebuilt index holds the one notes.py calls current (higher id); the old
    refill indexed both and failed with a constraint error."""
    from companion.store.search_index_repair import rebuild_search_index

    path = tmp_path / "companion.db"
    with open_store(path) as store:
        patient = store.create_patient(chart_number="F-1")
        visit = store.start_visit(patient.id, pain=3)
        store.save_note(visit.id, "P", "plan ours")
        (rev,) = store.conn.execute(
            "SELECT revision FROM note_revisions WHERE visit_id = ? AND section = 'P'",
            (visit.id,),
        ).fetchone()
        with store.conn:  # the other room's revision N, arrived by sync
            store.conn.execute(
                "INSERT INTO note_revisions (id, visit_id, section, text, revision,"
                " created) VALUES ('zzzz-theirs', ?, 'P', 'plan theirs', ?, ?)",
                (visit.id, rev, "2026-12-02T06:00:00+00:00"),
            )
        assert store.current_notes(visit.id)["P"].text == "plan theirs"
    rebuild_search_index(path, None)
    with open_store(path) as store:
        assert store.search_notes("ours") == []
        assert [h.visit_id for h in store.search_notes("theirs")] == [visit.id]
