"""Backups made on a worker thread through a connection of their own."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from companion.store import Store, StoreError, list_backups, open_store
from companion.store.audit import BACKUP
from companion.store.backup import BackupJob, is_intact
from companion.store.cipher import connect, is_plain_database
from tests.store.backup_spy import CopySpy, chart_numbers

JOIN_LIMIT_S = 60.0  # a broken test fails instead of hanging


@pytest.fixture
def key() -> bytes:
    """A random 256-bit database key."""
    return secrets.token_bytes(32)


@pytest.fixture
def encrypted(db_path: Path, key: bytes) -> Iterator[Store]:
    """An open, encrypted store, as the app opens it."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open_store(db_path, key=key) as store:
        yield store


def _in_thread(job: BackupJob) -> tuple[Path | None, BaseException | None]:
    """Run job.run() on a new thread; its result or its error."""
    result: list[Path] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            result.append(job.run())
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(JOIN_LIMIT_S)
    assert not thread.is_alive()
    return (result[0] if result else None), (errors[0] if errors else None)


def test_job_runs_on_a_worker_with_its_own_connection(
    encrypted: Store, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy runs on the worker, never on the store's connection; encrypted."""
    spy = CopySpy().install(monkeypatch)
    patient = encrypted.create_patient(chart_number="W-1")
    encrypted.save_note(encrypted.start_visit(patient.id).id, "S", "sore after lifting")
    job = encrypted.backup_job("daily")
    assert key.hex() not in repr(job)

    path, error = _in_thread(job)

    assert error is None and path is not None
    assert threading.get_ident() not in spy.threads and len(spy.threads) == 1
    assert spy.sources and all(s is not encrypted.conn for s in spy.sources)
    assert path.parent == encrypted.backup_dir
    assert path.name.startswith("companion-daily-")
    assert is_intact(path, key) and not is_plain_database(path)
    assert not is_intact(path)  # useless without the key
    assert chart_numbers(path, key) == ["W-1"]
    assert not list(encrypted.backup_dir.glob(".*"))  # no temp file left


def test_record_backup_clears_the_flag_and_audits(encrypted: Store) -> None:
    """Recorded on the store's thread: time, audit row, no longer changed."""
    encrypted.create_patient(chart_number="R-1")
    job = encrypted.backup_job("auto")
    path, error = _in_thread(job)
    assert error is None and path is not None
    assert encrypted.changed_since_backup and encrypted.last_backup is None

    encrypted.record_backup(job, path)

    assert not encrypted.changed_since_backup and encrypted.last_backup is not None
    last = encrypted.audit_log()[-1]
    assert (last.event, last.record_id) == (BACKUP, path.name)


def test_saves_during_the_copy_are_kept_and_still_due(
    encrypted: Store, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saves while the worker holds its snapshot succeed, and stay due a backup."""
    spy = CopySpy(hold=True).install(monkeypatch)
    encrypted.create_patient(chart_number="S-1")
    job = encrypted.backup_job("auto")
    outcome: list[tuple[Path | None, BaseException | None]] = []
    worker = threading.Thread(target=lambda: outcome.append(_in_thread(job)))
    worker.start()
    try:
        assert spy.snapshot_taken.wait(JOIN_LIMIT_S)
        # The worker is mid-copy, its read transaction open: writes go on.
        during = encrypted.create_patient(chart_number="S-2")
        encrypted.update_patient(during.id, display_name="Sam")
    finally:
        spy.release.set()
        worker.join(JOIN_LIMIT_S)
    [(path, error)] = outcome
    assert error is None and path is not None

    encrypted.record_backup(job, path)

    assert chart_numbers(path, key) == ["S-1"]  # the snapshot from before
    assert [p.chart_number for p in encrypted.find_patients("S-")] == ["S-1", "S-2"]
    assert encrypted.get_patient(during.id).display_name == "Sam"  # type: ignore[union-attr]
    assert encrypted.changed_since_backup  # S-2 is not in any backup yet
    spy.hold = False
    later = encrypted.backup("auto")
    assert chart_numbers(later, key) == ["S-1", "S-2"]
    assert not encrypted.changed_since_backup


def test_a_file_where_the_folder_should_be_fails_clearly(
    db_path: Path, key: bytes
) -> None:
    """A clear StoreError naming the folder; the store keeps working."""
    db_path.parent.mkdir(parents=True)
    blocked = db_path.parent / "backups"
    blocked.write_text("not a folder")
    with open_store(db_path, key=key, backup_dir=blocked) as store:
        store.create_patient(chart_number="F-1")
        path, error = _in_thread(store.backup_job("auto"))
        assert path is None and isinstance(error, StoreError)
        assert "Could not write a backup" in str(error) and str(blocked) in str(error)
        store.create_patient(chart_number="F-2")
        assert len(store.find_patients("F-")) == 2
        assert store.changed_since_backup


def test_backups_in_one_process_never_overlap(
    encrypted: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second backup (worker or store thread) waits for the running one."""
    spy = CopySpy(hold=True).install(monkeypatch)
    encrypted.create_patient(chart_number="O-1")
    first = threading.Thread(target=_in_thread, args=(encrypted.backup_job("auto"),))
    second = threading.Thread(target=_in_thread, args=(encrypted.backup_job("daily"),))
    first.start()
    assert spy.snapshot_taken.wait(JOIN_LIMIT_S)
    second.start()
    second.join(0.2)  # time enough to reach the copy, were it not kept out
    assert second.is_alive()
    spy.release.set()
    first.join(JOIN_LIMIT_S)
    second.join(JOIN_LIMIT_S)

    assert spy.never_overlapped() and len(spy.copied) == 2
    kinds = sorted(b.kind for b in list_backups(encrypted.backup_dir))
    assert kinds == ["auto", "daily"]


def test_job_needs_an_open_store_and_a_known_kind(encrypted: Store) -> None:
    """No job from a closed store, nor of a kind rotation does not know."""
    with pytest.raises(ValueError):
        encrypted.backup_job("hourly")
    encrypted.close()
    with pytest.raises(StoreError):
        encrypted.backup_job("auto")


def test_job_reads_the_file_not_the_store(tmp_path: Path, key: bytes) -> None:
    """A job works from the path and key alone, e.g. after the store closed."""
    db_path = tmp_path / "companion.db"
    with open_store(db_path, key=key) as store:
        store.create_patient(chart_number="C-1")
        job = store.backup_job("auto")
    path, error = _in_thread(job)
    assert error is None and path is not None
    assert chart_numbers(path, key) == ["C-1"]
    wrong = connect(path, secrets.token_bytes(32), readonly=True)
    try:
        with pytest.raises(sqlcipher.DatabaseError):
            wrong.execute("SELECT count(*) FROM patients")
    finally:
        wrong.close()
