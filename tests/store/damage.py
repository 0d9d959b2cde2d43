"""Damage a closed database on purpose, through SQL the store would never run."""

from __future__ import annotations

from pathlib import Path

from companion.store.cipher import connect


def run_behind_the_store(path: Path, key: bytes | None, sql: str) -> None:
    """Execute sql on its own connection and commit (the store is closed)."""
    conn = connect(path, key)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
