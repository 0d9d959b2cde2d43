"""Read every readable row of a damaged database: into a new file, or over a backup.

A damaged page costs the rows on it, not the file: tables are read in rowid
order and, where a read fails, read again past the last good row (jumping
further each time it fails again). The damaged file is only ever read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from companion.store.cipher import Connection, connect
from companion.store.errors import DB_ERRORS, DB_INTEGRITY_ERRORS
from companion.store.patients import rebuild_search_keys

# SQLCipher reports some pages that fail their HMAC as out of memory.
_READ_ERRORS = (*DB_ERRORS, MemoryError)
_MAX_SKIPS = 62  # unreadable spots per table: jumps past 2**62 leave SQLite range

# What a merge over a backup takes from the damaged file, parents first:
# (table, its key, "newer" = the damaged file's row wins / "append" = only
# rows the backup lacks, the column naming a parent row, that parent table).
_MERGED: tuple[tuple[str, str, str, str, str], ...] = (
    ("patients", "id", "newer", "", ""),
    ("episodes", "id", "newer", "patient_id", "patients"),
    ("visits", "id", "newer", "patient_id", "patients"),
    ("note_revisions", "id", "append", "visit_id", "visits"),
    ("exercise_programmes", "id", "append", "visit_id", "visits"),
    ("drafts", "key", "newer", "", ""),
    ("security_settings", "name", "newer", "", ""),
)


@dataclass(frozen=True)
class SalvageReport:
    """What was read out of a damaged file, table by table."""

    source: Path
    copied: dict[str, int] = field(default_factory=dict)  # table → rows saved
    unreadable: dict[str, int] = field(default_factory=dict)  # table → bad spots

    @property
    def total(self) -> int:
        """Rows saved across every table."""
        return sum(self.copied.values())


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _columns(conn: Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({quote(table)})")]


class _Reader:
    """The readable rows of one table, counting the spots that could not be read."""

    def _fresh_connection(self) -> None:
        if self._reopen is None:
            return
        with contextlib.suppress(*_READ_ERRORS):
            self.source.close()
        self.source = self._reopen()

    def __init__(
        self,
        source: Connection,
        table: str,
        columns: list[str],
        reopen: Callable[[], Connection] | None = None,
    ) -> None:
        self.source = source
        # SQLCipher may refuse every later read on a connection that met a
        # page failing its HMAC: a fresh one reads on past the bad spot.
        self._reopen = reopen
        self.table = quote(table)
        self.listed = ", ".join(map(quote, columns))
        self.bad = 0

    def rows(self, without_rowid: bool = False) -> Iterator[tuple]:
        """Each readable row (the listed columns), in rowid order."""
        after: int | None = None  # the rowid to read past; None: from the start
        jump = 1
        while self.bad <= _MAX_SKIPS:
            if without_rowid:
                query, args = f"SELECT 0, {self.listed} FROM {self.table}", ()
            elif after is None:
                query = f"SELECT rowid, {self.listed} FROM {self.table} ORDER BY rowid"
                args = ()
            else:
                query = (
                    f"SELECT rowid, {self.listed} FROM {self.table}"
                    " WHERE rowid > ? ORDER BY rowid"
                )
                args = (after,)
            try:
                cursor = self.source.execute(query, args)
                row = cursor.fetchone()
            except _READ_ERRORS:
                row, cursor = None, None
                self._fresh_connection()
            while cursor is not None:
                if row is None:
                    return
                if not without_rowid:
                    after, jump = row[0], 1
                # Yielded outside any try: a failed insert is the caller's, not
                # an unreadable page.
                yield tuple(row[1:])
                try:
                    row = cursor.fetchone()
                except _READ_ERRORS:
                    self._fresh_connection()
                    break
            self.bad += 1
            if without_rowid:
                return
            after = (after or 0) + jump
            jump *= 2


def copy_readable(damaged: Path, dest: Path, key: bytes | None) -> SalvageReport:
    """A new database at dest with the damaged file's schema and readable rows.

    The schema is made first, the rows copied, then the indexes and triggers;
    FTS5's own tables are left to its CREATE VIRTUAL TABLE (the caller rebuilds
    the note index from the notes).
    """
    source = connect(damaged, key, readonly=True, isolation_level=None)
    target = connect(dest, key, isolation_level=None)
    report = SalvageReport(damaged)
    try:
        schema = source.execute(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        (version,) = source.execute("PRAGMA user_version").fetchone()
        virtual = [n for _, n, sql in schema if "VIRTUAL TABLE" in sql.upper()]
        target.execute("BEGIN")
        tables = []
        for kind, name, sql in schema:
            if kind != "table" or name.startswith("sqlite_"):
                continue
            if any(name.startswith(f"{v}_") for v in virtual):
                continue
            target.execute(sql)
            if name not in virtual:
                tables.append((name, "WITHOUT ROWID" in sql.upper()))
        # The records first: a table's damage can leave the reading connection
        # unusable, and the tables after it would then read as empty.
        first = [t for t, *_ in _MERGED]
        tables.sort(key=lambda t: first.index(t[0]) if t[0] in first else len(first))
        for name, without_rowid in tables:
            columns = _columns(target, name)
            # A fresh reader per table, for the same reason.
            def reopen() -> Connection:
                return connect(damaged, key, readonly=True, isolation_level=None)

            reader = _Reader(reopen(), name, columns, reopen)
            try:
                insert = (
                    f"INSERT OR IGNORE INTO {quote(name)} ({reader.listed})"
                    f" VALUES ({', '.join('?' * len(columns))})"
                )
                copied = 0
                for row in reader.rows(without_rowid):
                    target.execute(insert, row)
                    copied += 1
            finally:
                reader.source.close()
            report.copied[name] = copied
            if reader.bad:
                report.unreadable[name] = reader.bad
        for kind, _name, sql in schema:
            if kind in ("index", "trigger"):
                target.execute(sql)
        if any(name == "patient_search" for name, _ in tables):
            rebuild_search_keys(target)  # derived from the patients saved
        target.execute(f"PRAGMA user_version = {int(version)}")
        target.execute("COMMIT")
    finally:
        target.close()
        source.close()
    return report


def merge_readable(damaged: Path, target: Path, key: bytes | None) -> SalvageReport:
    """Bring the damaged file's readable rows into target (a fresh backup copy).

    Matched by id (UUID): a row the backup lacks is added, a row both have
    takes the damaged file's version (the database is always newer than its
    backups), and note revisions, append-only, are only ever added. A row
    whose patient or visit is not there is skipped, so no note is orphaned.
    Audit rows are added only while they continue the backup's chain without
    a gap. copied counts the rows added or brought up to date.
    """
    source = connect(damaged, key, readonly=True, isolation_level=None)
    conn = connect(target, key, isolation_level=None)
    report = SalvageReport(damaged)
    try:
        conn.execute("BEGIN IMMEDIATE")
        present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        for table, key_column, mode, parent_column, parent in _MERGED:
            if table not in present:
                continue
            # A fresh reader per table: damage can leave a connection unusable.
            def reopen() -> Connection:
                return connect(damaged, key, readonly=True, isolation_level=None)

            changed, bad = _merge_table(
                reopen, conn, table, key_column, mode, parent_column, parent
            )
            report.copied[table] = changed
            if bad:
                report.unreadable[table] = bad
        if "audit_log" in present:
            report.copied["audit_log"] = _append_audit_rows(source, conn)
        if "patient_search" in present:
            rebuild_search_keys(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()
        source.close()
    return report


def _merge_table(
    reopen: Callable[[], Connection],
    conn: Connection,
    table: str,
    key_column: str,
    mode: str,
    parent_column: str,
    parent: str,
) -> tuple[int, int]:
    columns = _columns(conn, table)
    listed = ", ".join(map(quote, columns))
    marks = ", ".join("?" * len(columns))
    if mode == "append":
        conflict = "DO NOTHING"
    else:
        others = [quote(c) for c in columns if c != key_column]
        sets = ", ".join(f"{c} = excluded.{c}" for c in others)
        differs = " OR ".join(f"{c} IS NOT excluded.{c}" for c in others)
        # Only a row that really differs counts as brought up to date.
        conflict = f"DO UPDATE SET {sets} WHERE {differs}"
    upsert = (
        f"INSERT INTO {quote(table)} ({listed}) VALUES ({marks})"
        f" ON CONFLICT ({quote(key_column)}) {conflict}"
    )
    has_parent = f"SELECT 1 FROM {quote(parent)} WHERE id = ?" if parent else ""
    at = columns.index(parent_column) if parent_column else -1
    reader = _Reader(reopen(), table, columns, reopen)
    changed = 0
    try:
        for row in reader.rows():
            if has_parent and conn.execute(has_parent, (row[at],)).fetchone() is None:
                continue
            before = conn.total_changes
            try:
                conn.execute(upsert, row)
            except DB_INTEGRITY_ERRORS:
                continue  # e.g. a chart number another patient took since: ours
            changed += conn.total_changes > before
    finally:
        reader.source.close()
    return changed, reader.bad


def _append_audit_rows(source: Connection, conn: Connection) -> int:
    (head,) = conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()
    columns = _columns(conn, "audit_log")
    reader = _Reader(source, "audit_log", columns)
    insert = (
        f"INSERT INTO audit_log ({reader.listed})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    at = columns.index("id")
    added = 0
    for row in reader.rows():
        if row[at] <= head:
            continue
        if row[at] != head + 1:
            break  # a gap: the chain would no longer verify after it
        conn.execute(insert, row)
        head += 1
        added += 1
    return added
