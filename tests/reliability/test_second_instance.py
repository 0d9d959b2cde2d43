"""A second process opening the same database is refused until the first closes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from companion.store import open_store

OPEN_ONCE = Path(__file__).with_name("open_once.py")


def _try_open(db: Path, key: bytes | None) -> subprocess.CompletedProcess[str]:
    extra = [f"--key={key.hex()}"] if key else []
    return subprocess.run(
        [sys.executable, "-I", str(OPEN_ONCE), str(db), *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_second_process_is_locked_out_until_close(
    db_path: Path, key: bytes | None
) -> None:
    """The other process gets StoreLocked with the message; after close it opens."""
    store = open_store(db_path, key=key)
    try:
        result = _try_open(db_path, key)
        assert result.returncode == 3, result.stderr
        assert result.stdout.startswith("LOCKED: Spine Companion is already open")
        assert str(db_path) in result.stdout
        assert "Close the other window first." in result.stdout
    finally:
        store.close()
    result = _try_open(db_path, key)
    assert (result.returncode, result.stdout.strip()) == (0, "OPENED"), result.stderr
