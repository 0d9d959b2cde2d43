"""Subprocess for lock and permission tests: try to open a store, report, exit."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import _strptime  # noqa: F401  (loaded now: lazily it may be unreadable later)

from companion.store import StoreLocked, StoreReadOnly, open_store

NOBODY = 65534


def main(db_path: str, as_nobody: bool, key: bytes | None = None) -> int:
    """Print OPENED (0), LOCKED: <message> (3) or READONLY: <message> (4)."""
    if as_nobody:
        # Root ignores file permissions; an unprivileged user meets them for real.
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    try:
        store = open_store(Path(db_path), key=key)
    except StoreLocked as exc:
        print(f"LOCKED: {exc}", flush=True)
        return 3
    except StoreReadOnly as exc:
        print(f"READONLY: {exc}", flush=True)
        return 4
    try:
        store.create_patient(initials="OK")
    finally:
        store.close()
    print("OPENED", flush=True)
    return 0


if __name__ == "__main__":
    hexes = [a.removeprefix("--key=") for a in sys.argv[2:] if a.startswith("--key=")]
    key = bytes.fromhex(hexes[0]) if hexes else None
    raise SystemExit(main(sys.argv[1], "--as-nobody" in sys.argv[2:], key))
