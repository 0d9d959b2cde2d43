"""Schema changes as ordered, recorded functions, each in its own transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.core.records import MECHANISMS
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.patients import rebuild_search_keys
from companion.store.transaction import to_text, utc_now, write_transaction

MigrationFn = Callable[[Database], None]


@dataclass(frozen=True)
class Migration:
    """A named schema step; the name is what _migrations records."""

    name: str
    apply: MigrationFn


class Migrations:
    """An ordered registry of migrations; the decorator adds one at the end."""

    def __init__(self, steps: tuple[Migration, ...] = ()) -> None:
        self._steps: list[Migration] = list(steps)

    def __call__(self, fn: MigrationFn) -> MigrationFn:
        """Register fn under its function name, after every earlier migration."""
        if any(step.name == fn.__name__ for step in self._steps):
            raise ValueError(f"migration {fn.__name__!r} is registered twice")
        self._steps.append(Migration(fn.__name__, fn))
        return fn

    def extended(self) -> Migrations:
        """A copy that can take more migrations without changing this registry."""
        return Migrations(tuple(self._steps))

    @property
    def names(self) -> tuple[str, ...]:
        """Every registered migration name, in order."""
        return tuple(step.name for step in self._steps)

    def pending(self, db: Database) -> list[Migration]:
        """The registered migrations this database has not recorded yet."""
        done = set(applied(db))
        return [step for step in self._steps if step.name not in done]

    def apply_pending(self, db: Database, path: Path | str) -> list[str]:
        """Apply each pending migration in its own transaction; return their names."""
        ensure_migrations_table(db, path)
        names: list[str] = []
        for step in self.pending(db):
            with write_transaction(db.conn, path):
                step.apply(db)
                db.conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    (step.name, to_text(utc_now())),
                )
            names.append(step.name)
        return names


def ensure_migrations_table(db: Database, path: Path | str) -> None:
    """Create the _migrations record if this is a new database."""
    if "_migrations" in db.table_names():
        return
    with write_transaction(db.conn, path):
        db.conn.execute(
            "CREATE TABLE IF NOT EXISTS _migrations ("
            " name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)"
        )


def applied(db: Database) -> list[str]:
    """Names of the migrations recorded in this database, oldest first."""
    if "_migrations" not in db.table_names():
        return []
    rows = db.conn.execute("SELECT name FROM _migrations ORDER BY applied_at, rowid")
    return [name for (name,) in rows]


def has_data(conn: sqlite3.Connection) -> bool:
    """True when the database already holds any table (so it is worth backing up)."""
    (count,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return bool(count)


def _run(db: Database, statements: tuple[str, ...]) -> None:
    # executescript() would COMMIT the surrounding transaction, so run one by one.
    for statement in statements:
        db.conn.execute(statement)


MIGRATIONS = Migrations()
migration = MIGRATIONS

_MECHANISM_LIST = ", ".join(f"'{m}'" for m in MECHANISMS)


@migration
def m0001_initial_schema(db: Database) -> None:
    """Patients, visits, append-only note revisions, drafts and the note index."""
    _run(
        db,
        (
            """
            CREATE TABLE patients (
                id TEXT PRIMARY KEY NOT NULL,
                chart_number TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
                initials TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
                display_name TEXT NOT NULL DEFAULT '',
                preferred_language TEXT NOT NULL DEFAULT 'en'
                    CHECK (preferred_language IN ('en', 'es')),
                created TEXT NOT NULL,
                CHECK (chart_number <> '' OR initials <> '')
            )
            """,
            # Chart numbers identify patients, but many clinics only use initials.
            "CREATE UNIQUE INDEX patients_chart_number ON patients (chart_number)"
            " WHERE chart_number <> ''",
            "CREATE INDEX patients_initials ON patients (initials)",
            f"""
            CREATE TABLE visits (
                id TEXT PRIMARY KEY NOT NULL,
                patient_id TEXT NOT NULL REFERENCES patients (id),
                visit_date TEXT NOT NULL,
                onset_date TEXT,
                mechanism TEXT CHECK (mechanism IN ({_MECHANISM_LIST})),
                pain INTEGER CHECK (
                    pain IS NULL OR (typeof(pain) = 'integer' AND pain BETWEEN 0 AND 10)
                ),
                regions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(regions)),
                levels TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(levels)),
                red_flags TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(red_flags)),
                treatments_given TEXT NOT NULL DEFAULT '[]'
                    CHECK (json_valid(treatments_given)),
                treatments_recommended TEXT NOT NULL DEFAULT '[]'
                    CHECK (json_valid(treatments_recommended)),
                follow_up TEXT,
                created TEXT NOT NULL,
                updated TEXT NOT NULL
            )
            """,
            "CREATE INDEX visits_patient_date"
            " ON visits (patient_id, visit_date DESC, created DESC)",
            """
            CREATE TABLE note_revisions (
                id TEXT PRIMARY KEY NOT NULL,
                visit_id TEXT NOT NULL REFERENCES visits (id),
                section TEXT NOT NULL CHECK (section IN ('S', 'O', 'A', 'P')),
                text TEXT NOT NULL,
                revision INTEGER NOT NULL CHECK (revision >= 1),
                created TEXT NOT NULL,
                UNIQUE (visit_id, section, revision)
            )
            """,
            """
            CREATE TRIGGER note_revisions_refuse_update
            BEFORE UPDATE ON note_revisions
            BEGIN
                SELECT RAISE(ABORT, 'note revisions are append-only; insert a new one');
            END
            """,
            """
            CREATE TRIGGER note_revisions_refuse_delete
            BEFORE DELETE ON note_revisions
            BEGIN
                SELECT RAISE(ABORT, 'note revisions are append-only; never delete');
            END
            """,
            # One stable integer per (visit, section): the full-text row id, so each
            # note has exactly one indexed text, its current one.
            """
            CREATE TABLE note_slots (
                slot INTEGER PRIMARY KEY,
                visit_id TEXT NOT NULL REFERENCES visits (id),
                section TEXT NOT NULL,
                UNIQUE (visit_id, section)
            )
            """,
            "CREATE VIRTUAL TABLE notes_fts USING fts5("
            "text, tokenize = 'unicode61 remove_diacritics 2')",
            # Replace the indexed text only when the new row is the newest revision,
            # so old revisions never produce search hits.
            """
            CREATE TRIGGER note_revisions_index
            AFTER INSERT ON note_revisions
            WHEN NEW.revision >= (
                SELECT max(revision) FROM note_revisions
                WHERE visit_id = NEW.visit_id AND section = NEW.section
            )
            BEGIN
                INSERT OR IGNORE INTO note_slots (visit_id, section)
                VALUES (NEW.visit_id, NEW.section);
                DELETE FROM notes_fts WHERE rowid = (
                    SELECT slot FROM note_slots
                    WHERE visit_id = NEW.visit_id AND section = NEW.section
                );
                INSERT INTO notes_fts (rowid, text) VALUES (
                    (SELECT slot FROM note_slots
                     WHERE visit_id = NEW.visit_id AND section = NEW.section),
                    NEW.text
                );
            END
            """,
            """
            CREATE TABLE drafts (
                key TEXT PRIMARY KEY NOT NULL,
                payload TEXT NOT NULL,
                updated TEXT NOT NULL
            )
            """,
        ),
    )


@migration
def m0002_visit_psfs(db: Database) -> None:
    """Visits get a PSFS column: JSON [[activity, rating], …], NULL when not taken."""
    db.conn.execute(
        "ALTER TABLE visits ADD COLUMN psfs TEXT DEFAULT NULL"
        " CHECK (psfs IS NULL OR json_valid(psfs))"
    )


@migration
def m0003_audit_log(db: Database) -> None:
    """The hash-chained, append-only audit log and the security settings table."""
    from companion.store.audit import SCHEMA

    _run(db, SCHEMA)


@migration
def m0004_patient_search(db: Database) -> None:
    """Folded search keys per patient, so finding a patient reads an index range."""
    _run(
        db,
        (
            # One row per (key, field, patient): the primary key is the index a
            # prefix query reads as the range key >= query AND key < next prefix.
            """
            CREATE TABLE patient_search (
                key TEXT NOT NULL,
                field TEXT NOT NULL
                    CHECK (field IN ('chart_number', 'initials', 'display_name')),
                patient_id TEXT NOT NULL REFERENCES patients (id),
                PRIMARY KEY (key, field, patient_id)
            ) WITHOUT ROWID
            """,
            # Saving a patient replaces its keys, and a query matching many
            # patients asks each in turn for a key in range: both by patient.
            "CREATE INDEX patient_search_patient ON patient_search (patient_id, key)",
            # The order find_patients lists matches in (after exact ones): the
            # columns' own collations, then the rowid every index ends with.
            "CREATE INDEX patients_find_order"
            " ON patients (chart_number, initials, display_name)",
        ),
    )
    # The keys come from Python's casefold, which SQL cannot do: fill them here.
    rebuild_search_keys(db.conn)


@migration
def m0005_episodes(db: Database) -> None:
    """Episodes of care (every visit placed in one) and the patient's plan."""
    from companion.store.episodes import assign_existing_visits

    _run(
        db,
        (
            f"""
            CREATE TABLE episodes (
                id TEXT PRIMARY KEY NOT NULL,
                patient_id TEXT NOT NULL REFERENCES patients (id),
                onset_date TEXT,
                mechanism TEXT CHECK (mechanism IN ({_MECHANISM_LIST})),
                created TEXT NOT NULL
            )
            """,
            "CREATE INDEX episodes_patient ON episodes (patient_id, created)",
            "ALTER TABLE visits ADD COLUMN episode_id TEXT"
            " REFERENCES episodes (id) DEFAULT NULL",
            "CREATE INDEX visits_episode ON visits (episode_id)",
            # Today's plan as the patient reads it on the handout.
            "ALTER TABLE visits ADD COLUMN patient_plan TEXT NOT NULL DEFAULT ''",
        ),
    )
    assign_existing_visits(db)


@migration
def m0007_consent_and_neuro(db: Database) -> None:
    """Consent to thrust techniques, its recorded reason, and the nerve-root screen."""
    _run(
        db,
        (
            # JSON [{technique, given_by, recorded_by, when, explained}, …].
            "ALTER TABLE visits ADD COLUMN consents TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE visits ADD COLUMN thrust_reason TEXT NOT NULL DEFAULT ''",
            # JSON [{root, side, sensation, strength, reflex,
            # neurodynamic_positive}, …]; [] = not screened.
            "ALTER TABLE visits ADD COLUMN neuro_screen TEXT NOT NULL DEFAULT '[]'",
        ),
    )


@migration
def m0008_exercise_programmes(db: Database) -> None:
    """Home-exercise programmes as append-only revisions, one series per visit."""
    _run(
        db,
        (
            # items: JSON [{"exercise": id, "sets": n, "reps": n, …}, …] in the
            # order prescribed; copied_from names the revision carried forward.
            """
            CREATE TABLE exercise_programmes (
                id TEXT PRIMARY KEY NOT NULL,
                visit_id TEXT NOT NULL REFERENCES visits (id),
                revision INTEGER NOT NULL CHECK (revision >= 1),
                items TEXT NOT NULL
                    CHECK (json_valid(items) AND json_type(items) = 'array'),
                copied_from TEXT REFERENCES exercise_programmes (id),
                created TEXT NOT NULL,
                UNIQUE (visit_id, revision)
            )
            """,
            """
            CREATE TRIGGER exercise_programmes_refuse_update
            BEFORE UPDATE ON exercise_programmes
            BEGIN
                SELECT RAISE(ABORT, 'programme revisions are append-only');
            END
            """,
            """
            CREATE TRIGGER exercise_programmes_refuse_delete
            BEFORE DELETE ON exercise_programmes
            BEGIN
                SELECT RAISE(ABORT, 'programme revisions are never deleted');
            END
            """,
        ),
    )


@migration
def m0009_record_revisions_and_sync(db: Database) -> None:
    """Revisions of records edited in place, the outbox and the clinic-server state."""
    from companion.store.sync_schema import apply_m0009

    apply_m0009(db.conn)


@migration
def m0010_note_terms(db: Database) -> None:
    """The note index's vocabulary, kept by a trigger, for fast prefix searches."""
    from companion.store.note_terms import create

    create(db.conn)


@migration
def m0011_patients_by_creation(db: Database) -> None:
    """The newest patients first without sorting them all (the picker at start)."""
    # An empty patient search lists the 50 most recently added patients; at
    # 100,000 patients that sorted every row, 45-60 ms on the GUI thread as the
    # records opened. Scanned backwards, this index stops after 50.
    _run(db, ("CREATE INDEX patients_created ON patients (created)",))
