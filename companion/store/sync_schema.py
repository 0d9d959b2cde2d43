"""m0009's schema: record revisions, the outbox and the clinic-server sync state."""

from __future__ import annotations

import sqlite3
import uuid

# Records edited in place, and the columns a revision keeps of each. A visit's
# `updated` rides along but changing only it (a note saved) is no new revision.
# A copy of each table's columns as m0009 found them, on purpose: a migration
# keeps the schema of its day. A column added later must be added here too
# (tests/store/test_m0009_revisions.py fails until it is).
TRACKED: dict[str, tuple[str, ...]] = {
    "patients": (
        "id",
        "chart_number",
        "initials",
        "display_name",
        "preferred_language",
        "created",
    ),
    "episodes": ("id", "patient_id", "onset_date", "mechanism", "created"),
    "visits": (
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
    ),
}
UNTRACKED_CHANGES = {"visits": ("updated",)}

# Rows that replicate, by kind: (table, key column).
KINDS: dict[str, tuple[str, str]] = {
    "revision": ("record_revisions", "id"),
    "note": ("note_revisions", "id"),
    "programme": ("exercise_programmes", "id"),
    "audit": ("audit_log", "id"),
}

# The same text as transaction.to_text gives (microseconds, +00:00).
NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000+00:00'"
NEW_ID_SQL = "lower(hex(randomblob(16)))"
NOT_APPLYING = "(SELECT applying FROM sync_state) = 0"
# A record's newest revision: the hub's order, rows not yet on the hub last
# (they were made here after everything this room has seen), then local order.
HEAD_ORDER = "s.hub_seq IS NULL DESC, s.hub_seq DESC, r.rowid DESC"

TABLES = (
    """
    CREATE TABLE sync_state (
        only INTEGER PRIMARY KEY CHECK (only = 1),
        room_id TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        applying INTEGER NOT NULL DEFAULT 0
    )
    """,
    # One row per revision of a patient, episode or visit: the full record as
    # JSON; parents lists the revision(s) it replaced (two after a review pick).
    """
    CREATE TABLE record_revisions (
        id TEXT PRIMARY KEY NOT NULL,
        record_table TEXT NOT NULL
            CHECK (record_table IN ('patients', 'episodes', 'visits')),
        record_id TEXT NOT NULL,
        parents TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(parents)),
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        room_id TEXT NOT NULL,
        created TEXT NOT NULL
    )
    """,
    "CREATE INDEX record_revisions_record ON record_revisions (record_id)",
    """
    CREATE TRIGGER record_revisions_refuse_update BEFORE UPDATE ON record_revisions
    BEGIN SELECT RAISE(ABORT, 'record revisions are append-only'); END
    """,
    """
    CREATE TRIGGER record_revisions_refuse_delete BEFORE DELETE ON record_revisions
    BEGIN SELECT RAISE(ABORT, 'record revisions are never deleted'); END
    """,
    # What this room made and the hub has not confirmed yet, in the order made
    # (rowid order: a new row always goes after every row still here). No
    # other index: each save adds to it, and only push reads it, in order.
    """
    CREATE TABLE sync_outbox (
        n INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        row_id TEXT NOT NULL
    )
    """,
    # The hub's sequence number of every replicated row it has shown this room.
    """
    CREATE TABLE sync_rows (
        row_id TEXT PRIMARY KEY NOT NULL,
        kind TEXT NOT NULL,
        hub_seq INTEGER NOT NULL,
        room_id TEXT NOT NULL
    )
    """,
    "CREATE INDEX sync_rows_seq ON sync_rows (hub_seq)",
    # Other rooms' audit chains, as they wrote them; verified like our own.
    """
    CREATE TABLE remote_audit_log (
        room_id TEXT NOT NULL,
        id INTEGER NOT NULL,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        record_id TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        -- hash too: a room restored from a backup forks its chain.
        PRIMARY KEY (room_id, id, hash)
    )
    """,
    """
    CREATE TRIGGER remote_audit_log_refuse_update BEFORE UPDATE ON remote_audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    """
    CREATE TRIGGER remote_audit_log_refuse_delete BEFORE DELETE ON remote_audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
)

# note_revisions and exercise_programmes again, without UNIQUE on the revision
# number: two rooms apart can both write revision N of one note. `resolves` is
# set on a review pick: every fork at or below that number is settled.
NOTES_TABLE = """
    CREATE TABLE note_revisions_m0009 (
        id TEXT PRIMARY KEY NOT NULL,
        visit_id TEXT NOT NULL REFERENCES visits (id),
        section TEXT NOT NULL CHECK (section IN ('S', 'O', 'A', 'P')),
        text TEXT NOT NULL,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        created TEXT NOT NULL,
        resolves INTEGER DEFAULT NULL
    )
"""
PROGRAMMES_TABLE = """
    CREATE TABLE exercise_programmes_m0009 (
        id TEXT PRIMARY KEY NOT NULL,
        visit_id TEXT NOT NULL REFERENCES visits (id),
        revision INTEGER NOT NULL CHECK (revision >= 1),
        items TEXT NOT NULL
            CHECK (json_valid(items) AND json_type(items) = 'array'),
        copied_from TEXT REFERENCES exercise_programmes (id),
        created TEXT NOT NULL,
        resolves INTEGER DEFAULT NULL
    )
"""
REBUILT_TRIGGERS = (
    """
    CREATE TRIGGER note_revisions_refuse_update BEFORE UPDATE ON note_revisions
    BEGIN
        SELECT RAISE(ABORT, 'note revisions are append-only; insert a new one');
    END
    """,
    """
    CREATE TRIGGER note_revisions_refuse_delete BEFORE DELETE ON note_revisions
    BEGIN
        SELECT RAISE(ABORT, 'note revisions are append-only; never delete');
    END
    """,
    # The indexed text is the current one: highest revision, then highest id
    # (the same order notes.py reads), whatever order rows arrive in.
    """
    CREATE TRIGGER note_revisions_index AFTER INSERT ON note_revisions
    WHEN NOT EXISTS (
        SELECT 1 FROM note_revisions
        WHERE visit_id = NEW.visit_id AND section = NEW.section
          AND (revision > NEW.revision
               OR (revision = NEW.revision AND id > NEW.id))
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
    "CREATE INDEX note_revisions_section"
    " ON note_revisions (visit_id, section, revision)",
    """
    CREATE TRIGGER exercise_programmes_refuse_update
    BEFORE UPDATE ON exercise_programmes
    BEGIN SELECT RAISE(ABORT, 'programme revisions are append-only'); END
    """,
    """
    CREATE TRIGGER exercise_programmes_refuse_delete
    BEFORE DELETE ON exercise_programmes
    BEGIN SELECT RAISE(ABORT, 'programme revisions are never deleted'); END
    """,
    "CREATE INDEX exercise_programmes_visit"
    " ON exercise_programmes (visit_id, revision)",
)


def _payload_sql(table: str) -> str:
    pairs = ", ".join(f"'{c}', NEW.{c}" for c in TRACKED[table])
    return f"json_object({pairs})"


def _revision_triggers(table: str) -> tuple[str, ...]:
    """AFTER INSERT / UPDATE triggers writing a revision for each local change."""
    insert = f"""
        INSERT INTO record_revisions
            (id, record_table, record_id, parents, payload, room_id, created)
        VALUES ({NEW_ID_SQL}, '{table}', NEW.id, PARENTS, {_payload_sql(table)},
                (SELECT room_id FROM sync_state), {NOW_SQL});
    """
    head = f"""(
        SELECT r.id FROM record_revisions AS r
        LEFT JOIN sync_rows AS s ON s.row_id = r.id
        WHERE r.record_id = NEW.id AND r.record_table = '{table}'
        ORDER BY {HEAD_ORDER} LIMIT 1
    )"""
    parents = f"CASE WHEN {head} IS NULL THEN '[]' ELSE json_array({head}) END"
    watched = [c for c in TRACKED[table] if c not in UNTRACKED_CHANGES.get(table, ())]
    # UPDATE OF: a statement that sets only `updated` (a note saved, every
    # few seconds while typing) does not even run the trigger.
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in watched)
    return (
        f"DROP TRIGGER IF EXISTS {table}_revision_insert",
        f"DROP TRIGGER IF EXISTS {table}_revision_update",
        f"""
        CREATE TRIGGER {table}_revision_insert AFTER INSERT ON {table}
        WHEN {NOT_APPLYING}
        BEGIN {insert.replace("PARENTS", "'[]'")} END
        """,
        f"""
        CREATE TRIGGER {table}_revision_update
        AFTER UPDATE OF {", ".join(watched)} ON {table}
        WHEN {NOT_APPLYING} AND ({changed})
        BEGIN {insert.replace("PARENTS", parents)} END
        """,
    )


def _outbox_trigger(kind: str) -> str:
    table, key = KINDS[kind]
    return f"""
        CREATE TRIGGER {table}_outbox AFTER INSERT ON {table}
        WHEN {NOT_APPLYING}
        BEGIN
            INSERT INTO sync_outbox (kind, row_id)
            VALUES ('{kind}', CAST(NEW.{key} AS TEXT));
        END
    """


def install_revision_triggers(conn: sqlite3.Connection) -> None:
    """(Re)create the revision triggers; a migration adding a column calls it."""
    for table in TRACKED:
        for statement in _revision_triggers(table):
            conn.execute(statement)


def _rebuild(conn: sqlite3.Connection, table: str, create: str, columns: str) -> None:
    # SQLite cannot drop a UNIQUE constraint: copy into a new table and swap.
    if not _exists(conn, table):
        return  # only in tests that apply the steps out of order
    conn.execute(create)
    conn.execute(f"INSERT INTO {table}_m0009 ({columns}) SELECT {columns} FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {table}_m0009 RENAME TO {table}")


def apply_m0009(conn: sqlite3.Connection) -> None:
    """Create the sync tables, give every existing record its first revision."""
    for statement in TABLES:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO sync_state (only, room_id) VALUES (1, ?)", (uuid.uuid4().hex,)
    )
    _rebuild(
        conn,
        "note_revisions",
        NOTES_TABLE,
        "id, visit_id, section, text, revision, created",
    )
    _rebuild(
        conn,
        "exercise_programmes",
        PROGRAMMES_TABLE,
        "id, visit_id, revision, items, copied_from, created",
    )
    for statement in REBUILT_TRIGGERS:
        if "exercise_programmes" not in statement or _exists(
            conn, "exercise_programmes"
        ):
            conn.execute(statement)
    # Replication can bring two patients with one chart number (made in two
    # rooms apart); the store still refuses a duplicate typed here.
    conn.execute("DROP INDEX patients_chart_number")
    conn.execute(
        "CREATE INDEX patients_chart_number ON patients (chart_number)"
        " WHERE chart_number <> ''"
    )
    for table in TRACKED:
        payload = _payload_sql(table).replace("NEW.", "")
        conn.execute(
            "INSERT INTO record_revisions"
            " (id, record_table, record_id, parents, payload, room_id, created)"
            f" SELECT {NEW_ID_SQL}, '{table}', id, '[]', {payload},"
            f" (SELECT room_id FROM sync_state), {NOW_SQL} FROM {table}"
            " ORDER BY rowid"
        )
    install_revision_triggers(conn)
    # Everything already here goes to the hub on joining: parents first.
    for kind in ("revision", "note", "programme", "audit"):
        table, key = KINDS[kind]
        if not _exists(conn, table):
            continue
        conn.execute(_outbox_trigger(kind))
        order = "id" if kind == "audit" else "rowid"
        conn.execute(
            f"INSERT INTO sync_outbox (kind, row_id)"
            f" SELECT '{kind}', CAST({key} AS TEXT) FROM {table} ORDER BY {order}"
        )


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None
