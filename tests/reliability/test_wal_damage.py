"""A WAL frame that fails its checksum is found, kept and reported, not dropped."""

from __future__ import annotations

import secrets
import signal
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from companion.core.i18n import strings
from companion.store import open_store
from companion.store.wal_check import find_wal_damage
from companion.ui.error_text import recovery_text

WRITER = Path(__file__).with_name("wal_writer.py")
pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"
)


def _crashed_clinic(db: Path, key: bytes, visits: int = 30) -> list[str]:
    """A real writer killed after `visits` acknowledged saves; their ids."""
    proc = subprocess.run(
        [sys.executable, "-I", str(WRITER), str(db), key.hex(), str(visits)],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode(errors="replace")
    return proc.stdout.decode().split()


def _flip_a_bit_in_frame(wal: Path, frame: int) -> None:
    data = bytearray(wal.read_bytes())
    (page_size,) = struct.unpack(">I", data[8:12])
    offset = 32 + (frame - 1) * (24 + page_size) + 24 + page_size // 2
    data[offset] ^= 0x10
    wal.write_bytes(bytes(data))


def test_a_crash_without_damage_is_no_alarm(tmp_path: Path) -> None:
    """A killed writer's WAL (encrypted pages) passes the check; every save is there."""
    key = secrets.token_bytes(32)
    db = tmp_path / "companion.db"
    acked = _crashed_clinic(db, key)
    assert (tmp_path / "companion.db-wal").stat().st_size > 100_000
    assert find_wal_damage(tmp_path / "companion.db-wal") is None
    with open_store(db, key=key) as store:
        assert store.recovery is None
        ids = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        assert set(acked) <= ids


def _frames(wal: Path) -> int:
    (page_size,) = struct.unpack(">I", wal.read_bytes()[8:12])
    return (wal.stat().st_size - 32) // (24 + page_size)


def test_a_flipped_bit_in_the_wal_is_kept_reported_and_worked_around(
    tmp_path: Path,
) -> None:
    """One bit flipped mid-WAL: a copy is kept, it is reported, and the saves in
    the sound transactions after it are merged back (SQLite alone drops them)."""
    key = secrets.token_bytes(32)
    db = tmp_path / "companion.db"
    wal = tmp_path / "companion.db-wal"
    acked = _crashed_clinic(db, key)
    middle = _frames(wal) // 2
    _flip_a_bit_in_frame(wal, middle)
    damaged = wal.read_bytes()
    with open_store(db, key=key) as store:
        report = store.recovery
        assert report is not None and report.wal_damage is not None
        assert report.wal_damage.first_bad_frame == middle
        assert report.wal_damage.commits_lost >= 20
        assert report.moved_aside[0].read_bytes() == damaged  # the WAL as found
        assert report.restored_from is None
        ids = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        lost = set(acked) - ids
        notes = store.conn.execute("SELECT count(*) FROM note_revisions").fetchone()
        print(
            f"\nWAL bit flip at frame {middle}: {len(lost)} of {len(acked)} visits"
            f" and {len(acked) - notes[0]} notes lost; recovered {report.salvaged}"
        )
        assert len(lost) <= 1 and notes[0] >= len(acked) - 1  # one save at most
        assert report.salvaged["visits"] >= 10  # SQLite alone would drop these
        assert store.check_integrity() == (True, [])
        for language in ("en", "es"):
            text = recovery_text(report, strings(language))
            assert report.moved_aside[0].name in text
            assert str(report.wal_damage.commits_lost) in text
    assert report.moved_aside[0].exists()
    assert not (tmp_path / ".companion.db.walrepair").exists()  # work copy gone
