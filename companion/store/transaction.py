"""One write transaction per save: commit all of it or roll all of it back."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from companion.store.errors import DB_ERRORS, raise_friendly


def new_id() -> str:
    """A random UUID as 32 hex digits, so databases can merge without collisions."""
    return uuid.uuid4().hex


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """A stored timestamp: ISO 8601 in UTC, which also sorts correctly as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """The aware datetime for a stored timestamp."""
    return datetime.fromisoformat(text)


def date_text(day: date | None) -> str | None:
    """A stored calendar date (YYYY-MM-DD) or None."""
    return None if day is None else day.isoformat()


def date_from(text: str | None) -> date | None:
    """The date for a stored YYYY-MM-DD text, or None."""
    return None if text is None else date.fromisoformat(text)


@contextmanager
def write_transaction(
    conn: sqlite3.Connection,
    path: Path | str,
    on_rollback: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Run the block in BEGIN IMMEDIATE … COMMIT, rolling back on any failure.

    IMMEDIATE takes the write lock up front, so a busy database fails before any
    work is done rather than halfway. SQLite errors the user can cause come out
    as StoreError subclasses; the connection is always left usable. on_rollback
    runs whenever the block's writes may not have been committed, so anything
    cached about them (the audit chain's last row) can be dropped.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            try:
                # A failed COMMIT (disk full) can leave the transaction open;
                # some errors roll it back already, so only roll back what is
                # still open.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            finally:
                if on_rollback is not None:
                    on_rollback()
            raise
    except DB_ERRORS as exc:
        raise_friendly(exc, path)
