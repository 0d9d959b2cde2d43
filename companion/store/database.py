"""Open the store safely (lock, recovery, pragmas, migrations) and save through it."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from companion.core.exercises import ProgrammeRevision
from companion.core.records import (
    Draft,
    Episode,
    InvalidInput,
    NoteRevision,
    Patient,
    Visit,
    check_storable,
)
from companion.store import (
    audit,
    drafts,
    episodes,
    exercises,
    integrity,
    notes,
    patients,
    quit_backup,
    search,
    startup_check,
    visits,
)
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.audit import AuditEntry
from companion.store.backup import (
    BackupJob,
    encrypt_plain_backups,
    is_intact,
    list_backups,
    make_backup,
)
from companion.store.cipher import (
    WrongKey,
    check_key,
    connect,
    encrypt_in_place,
    ensure_private_file,
    is_plain_database,
    make_database_private,
    make_private,
)
from companion.store.errors import (
    DB_ERRORS,
    StoreError,
    StoreReadOnly,
    raise_friendly,
)
from companion.store.export import export_patient
from companion.store.key_check import key_is_known_good, remember_key_check
from companion.store.keys import KeyUnavailable, read_keyinfo, stored_key
from companion.store.lock import InstanceLock
from companion.store.migrations import MIGRATIONS, Migrations, has_data
from companion.store.missing_database import refuse_to_start_empty
from companion.store.recovery import RecoveryReport, recover, set_aside
from companion.store.search import SearchHit
from companion.store.start_choices import prepare_start
from companion.store.transaction import write_transaction

# What each safety pragma must read back as after being set.
REQUIRED_PRAGMAS: Mapping[str, object] = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a COMMIT is on disk before it returns
    "foreign_keys": 1,
}
BUSY_TIMEOUT_SECONDS = 5.0


def default_backup_dir(db_path: Path) -> Path:
    """Where backups go unless told otherwise: a folder beside the database."""
    return db_path.parent / "backups"


def apply_pragmas(conn: sqlite3.Connection) -> None:
    """Set WAL, synchronous=FULL and foreign keys, then read each back to be sure."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    for name, wanted in REQUIRED_PRAGMAS.items():
        (actual,) = conn.execute(f"PRAGMA {name}").fetchone()
        if actual != wanted:
            raise StoreError(
                key="unsafe_setting",
                name=name,
                actual=repr(actual),
                wanted=repr(wanted),
            )


class Store:
    """An open, locked database; every save is one transaction."""

    def __init__(
        self,
        db: Database,
        path: Path,
        backup_dir: Path,
        lock: InstanceLock,
        recovery: RecoveryReport | None = None,
        key: bytes | None = None,
    ) -> None:
        self.db = db
        self._key = key
        self.path = path
        self.backup_dir = backup_dir
        self.recovery = recovery
        self.last_backup: datetime | None = None
        # Lets the caller ask backup_due() without counting saves itself.
        self.changed_since_backup = False
        self._lock = lock
        self._closed = False
        self._audit_table_seen = False
        # Remembers the newest audit row, so a save need not read it back first.
        self._audit_chain = audit.AuditChain()
        # The last session ended without close(): the full check is due now.
        self.unclean_shutdown = False

    @property
    def conn(self) -> sqlite3.Connection:
        """The underlying connection (for backups and tests)."""
        return self.db.conn

    @property
    def key(self) -> bytes | None:
        """The SQLCipher key (backups are encrypted with it), or None if plain."""
        return self._key

    @property
    def encrypted(self) -> bool:
        """True when the database file is encrypted with SQLCipher."""
        return self._key is not None

    @property
    def closed(self) -> bool:
        """True after close()."""
        return self._closed

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection and release the instance lock; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            self.db.close()
            startup_check.note_clean_close(self.path)
        finally:
            self._lock.release()

    @contextmanager
    def _saving(self) -> Iterator[None]:
        if self._closed:
            raise StoreError(key="closed")
        with write_transaction(self.db.conn, self.path, self._audit_chain.forget):
            yield
        self.changed_since_backup = True

    @contextmanager
    def _reading(self) -> Iterator[None]:
        if self._closed:
            raise StoreError(key="closed")
        try:
            yield
        except DB_ERRORS as exc:
            raise_friendly(exc, self.path)

    # Patients

    def create_patient(
        self,
        *,
        chart_number: str = "",
        initials: str = "",
        display_name: str = "",
        preferred_language: str = "en",
    ) -> Patient:
        """Save a new patient; a chart number or initials is required."""
        patient = patients.build_patient(
            chart_number, initials, display_name, preferred_language
        )
        with self._saving():
            patients.insert_patient(self.db, patient)
        return patient

    def update_patient(self, patient_id: str, **changes: Any) -> Patient:
        """Change a patient's chart number, initials, name or language."""
        with self._saving():
            current = patients.get_patient(self.db, patient_id)
            if current is None:
                raise InvalidInput("patient_id", f"No patient with id {patient_id!r}.")
            patient = patients.changed_patient(current, changes)
            patients.update_patient(self.db, patient, previous=current)
        return patient

    def get_patient(self, patient_id: str) -> Patient | None:
        """The patient with this id, or None."""
        with self._reading():
            return patients.get_patient(self.db, patient_id)

    def find_patients(self, query: str, limit: int = 50) -> list[Patient]:
        """Patients by chart number, initials or name prefix, ignoring case."""
        try:
            check_storable("query", query)
        except InvalidInput:
            # A lone surrogate (pasted from a broken source): no saved field
            # can hold one, so nothing matches; the driver raised on it.
            return []
        with self._reading():
            return patients.find_patients(self.db, query, limit)

    # Visits

    def start_visit(
        self,
        patient_id: str,
        visit_date: date | None = None,
        new_episode: bool = False,
        **fields: Any,
    ) -> Visit:
        """Save a new visit (today unless visit_date is given) for a patient.

        It continues the patient's latest episode of care, carrying its onset
        and mechanism forward, unless new_episode is set or the fields name
        another onset or mechanism: then a new episode begins with it.
        """
        visits.build_visit(patient_id, visit_date, **fields)  # validate first
        with self._saving():
            visit = episodes.place_new_visit(
                self.db, patient_id, visit_date, new_episode, fields
            )
            self._audit_in_transaction(audit.CREATE_VISIT, visit.id)
        return visit

    def update_visit(self, visit_id: str, **fields: Any) -> Visit:
        """Change a visit's findings (pain, regions, red flags, …)."""
        with self._saving():
            current = visits.get_visit(self.db, visit_id)
            if current is None:
                raise InvalidInput("visit_id", f"No visit with id {visit_id!r}.")
            visit = visits.changed_visit(current, fields)
            visits.update_visit(self.db, visit)
            if "onset_date" in fields or "mechanism" in fields:
                visit = episodes.follow_visit_change(self.db, visit)
            self._audit_in_transaction(audit.EDIT_VISIT, visit_id)
        return visit

    def episodes_for(self, patient_id: str) -> list[Episode]:
        """A patient's episodes of care, newest first."""
        with self._reading():
            return episodes.episodes_for(self.db, patient_id)

    def get_episode(self, episode_id: str) -> Episode | None:
        with self._reading():
            return episodes.get_episode(self.db, episode_id)

    def get_visit(self, visit_id: str) -> Visit | None:
        """The visit with this id, or None."""
        with self._reading():
            return visits.get_visit(self.db, visit_id)

    def visits_for(self, patient_id: str) -> list[Visit]:
        """A patient's visits, newest first."""
        with self._reading():
            return visits.visits_for(self.db, patient_id)

    # Notes

    def save_note(self, visit_id: str, section: str, text: str) -> NoteRevision:
        """Append a revision of one SOAP section unless its text is unchanged."""
        notes.check_note_input(visit_id, section, text)
        with self._saving():
            revision, is_new = notes.append_revision(self.db, visit_id, section, text)
            if is_new:
                visits.touch_visit(self.db, visit_id)
                self._audit_in_transaction(audit.EDIT_NOTE, visit_id)
        return revision

    def current_notes(self, visit_id: str) -> dict[str, NoteRevision]:
        """The current revision of each written section of a visit's note."""
        with self._reading():
            return notes.current_notes(self.db, visit_id)

    def note_history(self, visit_id: str, section: str) -> list[NoteRevision]:
        """Every revision of one section, oldest first."""
        notes.check_note_input(visit_id, section, "")
        with self._reading():
            return notes.note_history(self.db, visit_id, section)

    # Exercise programmes (see store/exercises.py)

    def save_programme(
        self, visit_id: str, items: exercises.ProgrammeInput
    ) -> ProgrammeRevision:
        """Append a revision of a visit's exercise programme unless it is unchanged."""
        return self._save_programme(exercises.append_programme, visit_id, items)

    def carry_programme_forward(self, visit_id: str) -> ProgrammeRevision | None:
        """Start a visit from the patient's last programme (kept if it has one)."""
        return self._save_programme(exercises.carry_forward, visit_id)

    def _save_programme(self, write: Any, visit_id: str, *items: Any) -> Any:
        checked = [exercises.check_programme_input(visit_id, i) for i in items]
        with self._saving():
            revision, is_new = write(self.db, visit_id, *checked)
            if is_new:
                visits.touch_visit(self.db, visit_id)
                self._audit_in_transaction(audit.EDIT_VISIT, visit_id)
        return revision

    def current_programme(self, visit_id: str) -> ProgrammeRevision | None:
        """The newest revision of a visit's exercise programme, or None."""
        with self._reading():
            return exercises.current_programme(self.db, visit_id)

    def programme_history(self, visit_id: str) -> list[ProgrammeRevision]:
        """Every revision of a visit's exercise programme, oldest first."""
        with self._reading():
            return exercises.programme_history(self.db, visit_id)

    def latest_programme(self, patient_id: str) -> ProgrammeRevision | None:
        """The patient's newest programme, from any visit."""
        with self._reading():
            return exercises.latest_for_patient(self.db, patient_id)

    # Drafts

    def save_draft(self, key: str, payload: str) -> Draft:
        """Keep unsaved form state under key, replacing what was there."""
        draft = drafts.build_draft(key, payload)
        with self._saving():
            drafts.put_draft(self.db, draft)
        return draft

    def get_draft(self, key: str) -> Draft | None:
        """The draft under key, or None."""
        with self._reading():
            return drafts.get_draft(self.db, key)

    def delete_draft(self, key: str) -> bool:
        """Drop the draft under key; True if there was one."""
        with self._saving():
            return drafts.remove_draft(self.db, key)

    def all_drafts(self) -> list[Draft]:
        """Every draft, newest first (to offer after a crash)."""
        with self._reading():
            return drafts.all_drafts(self.db)

    # Search, checks, export, backup

    def search_notes(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Notes whose current text has every word typed; any text is safe."""
        with self._reading():
            return search.search_notes(self.db, query, limit)

    def check_integrity(self) -> tuple[bool, list[str]]:
        """Run SQLite's integrity, foreign-key and full-text checks, here and now.

        Blocks for as long as the check takes (about 10 s on a 100,000-visit
        clinic): the window runs integrity_job() on a worker instead.
        """
        with self._reading():
            messages = integrity.findings(
                self.conn, not integrity.pragma_checks_fts(self.conn)
            )
        return not messages, messages

    def integrity_job(self) -> integrity.IntegrityJob:
        """The same check for a worker thread (job.run()), on its own connection."""
        if self._closed:
            raise StoreError(key="closed")
        return integrity.IntegrityJob(self.path, self._key)

    def full_check_due(self, now: datetime | None = None) -> bool:
        """True when the background full check should run (daily, after a crash)."""
        return startup_check.full_check_due(self.path, now or datetime.now(UTC))

    def full_check_job(self) -> startup_check.FullCheckJob:
        """Start-up recovery's full check for a worker (job.run()); read-only.

        On damage, close and reopen the records: open_store then recovers.
        """
        if self._closed:
            raise StoreError(key="closed")
        return startup_check.FullCheckJob(self.path, self._key)

    def write_plain_copy(self, dest: Path) -> None:
        """Write the whole database, decrypted, to dest (private), and audit it."""
        # An empty file made private first: SQLite fills it in place, mode kept.
        ensure_private_file(dest)
        with self._reading():
            # An empty key makes the attached database plain SQLite.
            self.conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(dest),))
            try:
                self.conn.execute("SELECT sqlcipher_export('plain')")
            finally:
                self.conn.execute("DETACH DATABASE plain")
        self.audit(audit.EXPORT, "plain-copy")

    def export_patient(self, patient_id: str, dest_dir: Path) -> tuple[Path, Path]:
        """Write the patient's JSON (all history) and CSV (a row per visit)."""
        with self._reading():
            written = export_patient(self.db, patient_id, dest_dir)
        make_private(*written)
        self.audit(audit.EXPORT, patient_id)
        return written

    def backup(self, kind: str = "auto") -> Path:
        """Make a verified backup in backup_dir now; return its path."""
        if self._closed:
            raise StoreError(key="closed")
        job = self.backup_job(kind)
        path = make_backup(self, self.backup_dir, kind)
        self.record_backup(job, path)
        return path

    def backup_job(self, kind: str = "auto") -> BackupJob:
        """A backup to make on a worker thread (job.run()), then record_backup here.

        The job opens its own connection: this store's must stay on its thread.
        """
        if self._closed:
            raise StoreError(key="closed")
        return BackupJob(
            self.path, self.backup_dir, kind, self._key, self.conn.total_changes
        )

    def record_backup(self, job: BackupJob, path: Path) -> None:
        """Note a finished backup: its time, an audit row, and the change flag.

        The flag is cleared only when nothing was written since the job was
        made: a save during a background copy may be missing from it.
        """
        if self._closed:
            raise StoreError(key="closed")
        unchanged = self.conn.total_changes == job.changes_at_start
        self.last_backup = datetime.now(UTC)
        self.audit(audit.BACKUP, path.name)
        if unchanged:
            # The audit row above is not a change worth another backup.
            self.changed_since_backup = False
            quit_backup.forget_unbacked_changes(self.path)

    # Audit log and security settings

    def _has_audit_table(self) -> bool:
        # Migrations only ever add tables, so once seen it stays: skip the
        # table listing on every later save.
        if not self._audit_table_seen:
            self._audit_table_seen = audit.has_audit_table(self.db)
        return self._audit_table_seen

    def _audit_in_transaction(self, event: str, record_id: str) -> None:
        if self._has_audit_table():
            self._audit_chain.append(self.db, event, record_id)

    def room_id(self) -> str:
        """This room's id for the clinic server (made by m0009)."""
        from companion.store import replication

        return replication.room_id(self.db.conn)

    def conflicts(self) -> list[Any]:
        """Records, note sections and programmes with two versions to review."""
        from companion.store import replication

        return replication.conflicts(self.db.conn)

    def resolve_conflict(self, conflict: Any, pick: Any) -> str:
        """Keep `pick` of a clinic-server conflict's versions, audited; the new id."""
        from companion.store import replication

        if self._closed:
            raise StoreError(key="closed")
        try:
            return replication.resolve(
                self.db.conn,
                self.path,
                conflict,
                pick,
                also=lambda: self._audit_in_transaction(
                    audit.RESOLVE_CONFLICT, conflict.record_id
                ),
            )
        except BaseException:
            self._audit_chain.forget()  # the audit row may have rolled back
            raise

    def audit(self, event: str, record_id: str = "") -> AuditEntry | None:
        """Append an audit row in its own transaction (no PHI: ids only)."""
        if self._closed:
            raise StoreError(key="closed")
        if not self._has_audit_table():
            return None
        with write_transaction(self.db.conn, self.path, self._audit_chain.forget):
            return self._audit_chain.append(self.db, event, record_id)

    def audit_log(self, limit: int | None = None) -> list[AuditEntry]:
        """Audit rows, oldest first (the newest `limit` if given)."""
        with self._reading():
            return audit.entries(self.db, limit)

    def verify_audit_chain(self) -> tuple[bool, int | None]:
        """(True, None) if every audit hash checks out, else (False, first bad id)."""
        with self._reading():
            return audit.verify(self.conn)

    def audit_chain_job(self) -> audit.ChainCheck:
        """The same check for a worker thread (job.run()), on its own connection."""
        if self._closed:
            raise StoreError(key="closed")
        return audit.ChainCheck(self.path, self._key)

    def security_setting(self, name: str) -> str | None:
        """A value from security_settings (e.g. the PIN hash), or None."""
        with self._reading():
            return audit.get_secret(self.db, name)

    def set_security_setting(self, name: str, value: str) -> None:
        """Save a security_settings value in its own transaction."""
        if self._closed:
            raise StoreError(key="closed")
        with write_transaction(self.db.conn, self.path):
            audit.put_secret(self.db, name, value)


def open_store(
    path: Path,
    *,
    backup_dir: Path | None = None,
    migrations: Migrations | None = None,
    busy_timeout: float = BUSY_TIMEOUT_SECONDS,
    key: bytes | None = None,
) -> Store:
    """Lock, check (restoring from backup if damaged), configure and migrate.

    With a key (32 bytes) the database, its WAL and its backups are encrypted
    with SQLCipher; a plain database found there is encrypted first, without
    loss. Without a key the file is plain SQLite, unless it is already
    encrypted and its key is in the keychain (then that key is used). The app
    always passes a key; plain files are for tests and tools.

    Raises StoreLocked when another instance has the database open, WrongKey
    when the key does not open it, KeyUnavailable when an encrypted file has no
    key, and other StoreError subclasses for read-only, full or busy databases.
    """
    path = Path(path)
    backups = default_backup_dir(path) if backup_dir is None else Path(backup_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except PermissionError as exc:
        raise StoreReadOnly(key="folder_not_creatable", folder=path.parent) from exc
    lock = InstanceLock(path)
    lock.acquire()
    if path.exists() and not os.access(path, os.W_OK):
        lock.release()
        raise StoreReadOnly(key="read_only", path=path)
    db: Database | None = None
    try:
        if key is None:
            key = _key_for_existing(path)
        now = datetime.now(UTC)
        resumed = prepare_start(path, backups, key)  # may raise MissingDatabase
        if key is not None and is_plain_database(path):
            # Damage is checked with the plain reader first, then the file (and
            # any plain backups) are encrypted; see encrypt_in_place.
            report = recover(path, backups, now)
            encrypt_in_place(path, key)
            encrypt_plain_backups(backups, key)
        else:
            if key is not None:
                _check_key_or_damage(path, key, backups)
            report = _recover_if_suspect(path, backups, now, key)
        report = report or resumed
        conn = _connect(path, busy_timeout, key)
        db = Database(conn)
        store = Store(db, path, backups, lock, report, key)
        store.unclean_shutdown = startup_check.note_open(path)
        # The last session quit without backing up its saves (quit_backup).
        store.changed_since_backup = quit_backup.had_unbacked_changes(path)
        _configure(store, migrations or MIGRATIONS)
        if report is not None and report.restored_from is not None:
            store.audit(audit.RESTORE, report.restored_from.name)
        elif report is not None and report.search_index_rebuilt:
            kept = report.moved_aside[0].name if report.moved_aside else ""
            store.audit(audit.REBUILD_SEARCH_INDEX, kept)
        make_database_private(path)
        return store
    except BaseException:
        if db is not None:
            db.close()
        lock.release()
        raise


def _recover_if_suspect(
    path: Path, backups: Path, now: datetime, key: bytes | None
) -> RecoveryReport | None:
    """Start-up recovery, only when a check that costs the same at any size, or
    an earlier background full check, finds something (see startup_check)."""
    if startup_check.constant_time_damage(path, key) is None:
        return None
    report = recover(path, backups, now, key)
    startup_check.note_recovered(path)
    return report


def _key_for_existing(path: Path) -> bytes | None:
    """The keychain key of an already encrypted database, or None for a plain one."""
    if read_keyinfo(path) is None:
        return None
    key = stored_key(path)
    if key is None and path.exists() and not is_plain_database(path):
        if path.stat().st_size == 0:
            return None
        raise KeyUnavailable(key="key_not_here", path=path)
    return key


def _check_key_or_damage(path: Path, key: bytes, backups: Path) -> None:
    """Refuse a wrong key before recovery could mistake it for a damaged file."""
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = connect(path, key, readonly=True)
    try:
        check_key(conn, path)
    except WrongKey:
        conn.close()
        # Page 1 unreadable: either the key is wrong or the file is damaged. If
        # a backup opens with this key, the key is right and recovery may run.
        if any(is_intact(b.path, key) for b in list_backups(backups)[:5]):
            return
        if key_is_known_good(path, key):
            # The keyinfo's check value says the key is right: page 1 is
            # damaged and no backup can replace it. Keep the file aside and
            # offer what a missing database offers (salvage, or start empty
            # after a typed confirmation), never "wrong passphrase".
            set_aside(path, datetime.now(UTC))
            refuse_to_start_empty(path, backups, key)
        raise
    except DB_ERRORS:
        return  # busy and the like: recovery's own check reports them
    finally:
        conn.close()
    remember_key_check(path, key)


def _connect(path: Path, busy_timeout: float, key: bytes | None) -> sqlite3.Connection:
    try:
        # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE.
        # The app opens its store on a worker thread and then uses it only on
        # the GUI thread (ui/records_opener.py): a hand-over, never shared use.
        conn = connect(
            path,
            key,
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
    except DB_ERRORS as exc:
        raise_friendly(exc, path)
    try:
        if key is not None:
            check_key(conn, path)
    except BaseException:
        conn.close()
        raise
    conn.create_function("casefold", 1, patients.fold, deterministic=True)
    return conn


def _configure(store: Store, migrations: Migrations) -> None:
    try:
        apply_pragmas(store.conn)
        if migrations.pending(store.db) and has_data(store.conn):
            # An upgrade that goes wrong must never cost the clinic its records.
            make_backup(store, store.backup_dir, "pre-migration")
        migrations.apply_pending(store.db, store.path)
    except DB_ERRORS as exc:
        raise_friendly(exc, store.path)
