"""Find a WAL whose frames fail their checksums before SQLite silently drops them.

SQLite replays a WAL frame by frame and stops at the first frame whose
cumulative checksum does not match: every frame after it, valid or not, is
ignored and later overwritten. A crash during the last write leaves such a
tail legitimately (that save was never acknowledged). A damaged frame with a
complete, committed transaction after it, in the same WAL generation (same
salts), is different: acknowledged saves would vanish without a word. This
module reads the WAL itself (its format is public: sqlite.org/fileformat.html)
to tell the two apart, so start-up can keep a copy and say so.
"""

from __future__ import annotations

import os
import shutil
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from companion.store.cipher import make_private

_MAGIC = (0x377F0682, 0x377F0683)  # low bit set: big-endian checksums
_HEADER = 32
_FRAME_HEADER = 24
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class WalDamage:
    """A WAL in which acknowledged transactions follow a frame that fails."""

    wal: Path
    copy: Path | None  # the WAL as found, kept before SQLite reads it
    first_bad_frame: int  # 1-based, as SQLite counts frames
    commits_lost: int  # committed transactions after the bad frame's own


def _checksum(data: bytes, s1: int, s2: int, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & _MASK
        s2 = (s2 + words[i + 1] + s1) & _MASK
    return s1, s2


def find_wal_damage(wal: Path) -> tuple[int, int] | None:
    """(first bad frame, commits after its transaction) if saves would be lost."""
    try:
        data = wal.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) < _HEADER:
        return None
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(
        ">8I", data[:_HEADER]
    )
    if magic not in _MAGIC or page_size < 512 or page_size & (page_size - 1):
        return None  # not a WAL SQLite would read either: nothing it would replay
    big_endian = bool(magic & 1)
    s1, s2 = _checksum(data[:24], 0, 0, big_endian)
    if (s1, s2) != (c1, c2):
        return None  # SQLite ignores the whole WAL; a torn header write
    frame_size = _FRAME_HEADER + page_size
    frames = (len(data) - _HEADER) // frame_size
    first_bad = None
    commits_after = 0
    bad_transaction_open = False
    for n in range(frames):
        start = _HEADER + n * frame_size
        header = data[start : start + _FRAME_HEADER]
        _page, db_size, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack(">6I", header)
        if (f_salt1, f_salt2) != (salt1, salt2):
            if first_bad is None:
                return None  # an older generation's frames: the normal end
            continue
        if first_bad is None:
            page = data[start + _FRAME_HEADER : start + frame_size]
            s1, s2 = _checksum(header[:8], s1, s2, big_endian)
            s1, s2 = _checksum(page, s1, s2, big_endian)
            if (s1, s2) != (f_c1, f_c2):
                first_bad = n + 1
                bad_transaction_open = db_size == 0
            continue
        if db_size != 0:  # a commit frame after the bad one
            if bad_transaction_open:
                bad_transaction_open = False  # the bad frame's own commit
            else:
                commits_after += 1
    if first_bad is None or commits_after == 0:
        return None
    return first_bad, commits_after


def check_wal(db_path: Path, now: datetime) -> WalDamage | None:
    """Keep a copy of a damaged WAL beside the database; None if it is sound.

    The WAL itself stays: SQLite still replays the frames before the damage.
    """
    wal = db_path.with_name(db_path.name + "-wal")
    found = find_wal_damage(wal)
    if found is None:
        return None
    first_bad, lost = found
    copy: Path | None = wal.with_name(f"{wal.name}.damaged-{now:%Y%m%d-%H%M%S}")
    assert copy is not None
    try:
        shutil.copyfile(wal, copy)
        make_private(copy)
        with open(copy, "rb+") as handle:
            os.fsync(handle.fileno())
    except OSError:
        copy.unlink(missing_ok=True)
        copy = None  # no room for a copy: still say what was found
    return WalDamage(wal, copy, first_bad, lost)


def _transactions(data: bytes) -> tuple[bytes, list[list[tuple[bytes, bool]]]] | None:
    """The WAL header and its committed transactions: lists of (frame, sound)."""
    magic, _v, page_size, _seq, salt1, salt2, _c1, _c2 = struct.unpack(
        ">8I", data[:_HEADER]
    )
    big_endian = bool(magic & 1)
    frame_size = _FRAME_HEADER + page_size
    prev = struct.unpack(">2I", data[24:_HEADER])
    transactions: list[list[tuple[bytes, bool]]] = []
    current: list[tuple[bytes, bool]] = []
    for n in range((len(data) - _HEADER) // frame_size):
        frame = data[_HEADER + n * frame_size : _HEADER + (n + 1) * frame_size]
        _page, db_size, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack(
            ">6I", frame[:_FRAME_HEADER]
        )
        if (f_salt1, f_salt2) != (salt1, salt2):
            break  # an older generation from here on
        # Each frame checked against the checksum stored in the one before it,
        # so one bad frame marks its own transaction only.
        s1, s2 = _checksum(frame[:8], *prev, big_endian)
        s1, s2 = _checksum(frame[_FRAME_HEADER:], s1, s2, big_endian)
        current.append((frame, (s1, s2) == (f_c1, f_c2)))
        prev = (f_c1, f_c2)
        if db_size != 0:
            transactions.append(current)
            current = []
    return data[:_HEADER], transactions


def repaired_wal(wal: Path) -> bytes | None:
    """The WAL without its damaged transactions, checksums chained anew.

    SQLite then replays every sound committed transaction, the ones after the
    damage included. A later transaction may still rest on a page the dropped
    one changed, so the result is only a source to read rows from, after an
    integrity check, never the database itself.
    """
    data = wal.read_bytes()
    parsed = _transactions(data)
    if parsed is None:
        return None
    header, transactions = parsed
    big_endian = bool(struct.unpack(">I", header[:4])[0] & 1)
    s1, s2 = struct.unpack(">2I", header[24:_HEADER])
    out = bytearray(header)
    for transaction in transactions:
        if not all(sound for _, sound in transaction):
            continue
        for frame, _sound in transaction:
            s1, s2 = _checksum(frame[:8], s1, s2, big_endian)
            s1, s2 = _checksum(frame[_FRAME_HEADER:], s1, s2, big_endian)
            out += frame[:16] + struct.pack(">2I", s1, s2) + frame[_FRAME_HEADER:]
    return bytes(out)
