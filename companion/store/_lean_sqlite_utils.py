"""The few sqlite-utils calls the store makes, without importing sqlite-utils.

Importing sqlite-utils costs about 60 ms alone and 120–140 ms with what it
pulls in (pluggy, click, dateutil), on every records open. The store only
runs SQL on the connection, reads rows as dicts, lists tables and inserts a
row, so `LeanDatabase` does those itself. Anything else (a test's or a
migration's `db["t"].add_column(...)`, a tool's transform) falls through to a
real `sqlite_utils.Database` on the same connection, imported on first use by
`sqlite_utils_database`, without numpy (sqlite-utils loads numpy, 0.1–0.3 s,
only to accept numpy values, which the store never passes).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any


def _import_without_numpy() -> None:
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    blocked = ("numpy", "pandas")
    # A None entry makes `import numpy` raise ImportError, which sqlite-utils
    # handles as "not installed"; the entries are removed right after.
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


def sqlite_utils_database(conn: Any) -> Any:
    """A real sqlite_utils.Database on conn (stdlib or SQLCipher connection)."""
    _import_without_numpy()
    from sqlite_utils import Database

    from companion.store.cipher import teach_sqlite_utils

    teach_sqlite_utils()
    return Database(conn, execute_plugins=False)


class LeanTable:
    """db[name]: insert() done here, anything else by sqlite-utils' Table."""

    def __init__(self, db: LeanDatabase, name: str) -> None:
        self.db = db
        self.name = name

    def insert(self, row: dict[str, Any]) -> LeanTable:
        """INSERT one row of plain values, as sqlite-utils' insert(row) does."""
        columns = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        self.db.conn.execute(
            f"INSERT INTO [{self.name}] ({columns}) VALUES ({marks})",
            tuple(row.values()),
        )
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.db.full()[self.name], name)


class LeanDatabase:
    """A connection with sqlite-utils' query/table_names/insert, and no import."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._full: Any = None

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self.conn.execute(sql, parameters)

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> Iterator[dict[str, Any]]:
        """Each row as a dict of column name to value (sqlite-utils' query)."""
        cursor = self.conn.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    def table_names(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [r[0] for r in rows]

    def close(self) -> None:
        self.conn.close()

    def full(self) -> Any:
        """The real sqlite_utils.Database on the same connection (imported now)."""
        if self._full is None:
            self._full = sqlite_utils_database(self.conn)
        return self._full

    def __getitem__(self, name: str) -> LeanTable:
        return LeanTable(self, name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)
