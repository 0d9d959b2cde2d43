"""Damage a page that opening never reads: a leaf in the middle of the notes table."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

PAGE = 4096


def deep_leaf_page(db_path: Path, table: str = "note_revisions") -> int:
    """A leaf page of table, the middle one in key order (never the first or last,
    which the constant-time open check reads)."""
    conn = sqlite3.connect(db_path)
    try:
        leaves = [
            page
            for (page,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
                " ORDER BY path",
                (table,),
            )
        ]
    finally:
        conn.close()
    if len(leaves) < 3:
        raise ValueError(f"{table} has too few leaf pages to damage one deep")
    return leaves[len(leaves) // 2]


def scribble_deep_leaf(db_path: Path) -> None:
    """Overwrite one deep leaf page with random bytes (a plain, checkpointed file)."""
    page = deep_leaf_page(db_path)
    with open(db_path, "r+b") as handle:
        handle.seek(PAGE * (page - 1))
        handle.write(os.urandom(PAGE))
