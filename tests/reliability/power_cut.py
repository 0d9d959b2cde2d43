"""Rebuild a folder as a power cut would leave it, from the fsync_log.c shim's log.

Each file is its snapshot plus the logged writes and truncates up to its last
fsync/fdatasync; what came after is dropped, kept in part (any subset, as if
the disk reordered them), or torn (in order up to one write cut at a 512-byte
sector). Renames and unlinks are applied as they happened (metadata is
assumed durable at once: ext4's ordered journal, not simulated further).
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("synced", "subset", "torn")
SECTOR = 512


@dataclass(frozen=True)
class Op:
    kind: str  # W write, T truncate, S sync, R rename, U unlink, A ack
    path: str
    offset: int
    data: bytes


@dataclass
class _File:
    base: bytes
    ops: list[Op] = field(default_factory=list)
    synced: int = 0  # ops[:synced] reached the disk


def read_log(log: Path) -> list[Op]:
    """Every complete record (a kill may cut the last one short)."""
    data = log.read_bytes() if log.exists() else b""
    ops: list[Op] = []
    i = 0
    while i + 5 <= len(data):
        kind = chr(data[i])
        (plen,) = struct.unpack_from("<I", data, i + 1)
        i += 5
        if i + plen + 16 > len(data):
            break
        path = data[i : i + plen].decode()
        i += plen
        offset, length = struct.unpack_from("<qq", data, i)
        i += 16
        payload = b""
        if kind in "WAR":
            payload = data[i : i + length]
            if len(payload) < length:
                break
            i += length
        ops.append(Op(kind, path, offset, payload))
    return ops


def acks(ops: list[Op]) -> list[str]:
    """The acknowledged visit ids, in order (complete lines only)."""
    text = b"".join(op.data for op in ops if op.kind == "A").decode()
    return [line for line in text.split("\n")[:-1] if len(line) == 32]


def _apply(buf: bytearray, op: Op, limit: int | None = None) -> None:
    if op.kind == "T":
        del buf[op.offset :]
        buf.extend(b"\0" * (op.offset - len(buf)))
        return
    data = op.data if limit is None else op.data[:limit]
    if op.offset > len(buf):
        buf.extend(b"\0" * (op.offset - len(buf)))
    buf[op.offset : op.offset + len(data)] = data


def _after_cut(file: _File, mode: str, rng: random.Random) -> bytes:
    buf = bytearray(file.base)
    for op in file.ops[: file.synced]:
        if op.kind != "S":
            _apply(buf, op)
    unsynced = [op for op in file.ops[file.synced :] if op.kind != "S"]
    if mode == "subset":
        for op in unsynced:
            if rng.random() < 0.5:
                _apply(buf, op)
    elif mode == "torn" and unsynced:
        stop = rng.randrange(len(unsynced))
        for op in unsynced[:stop]:
            _apply(buf, op)
        torn = unsynced[stop]
        if torn.kind == "W":
            _apply(buf, torn, rng.randrange(0, len(torn.data) + 1, SECTOR))
    return bytes(buf)


def rebuild(
    snapshot: dict[str, bytes],
    ops: list[Op],
    mode: str,
    rng: random.Random,
    src: Path,
    dest: Path,
) -> None:
    """Write into dest the files of src as a power cut after ops would leave them."""
    names = {path: _File(data) for path, data in snapshot.items()}
    for op in ops:
        if op.kind == "S" and Path(op.path).is_dir():
            continue  # a folder's fsync: renames count as durable anyway
        if op.kind in "WTS":
            file = names.setdefault(op.path, _File(b""))
            file.ops.append(op)
            if op.kind == "S":
                file.synced = len(file.ops)
        elif op.kind == "R" and op.path in names:
            names[op.data.decode()] = names.pop(op.path)
        elif op.kind == "U":
            names.pop(op.path, None)
    for path, file in names.items():
        if path.endswith("-shm"):
            continue  # shared memory: rebuilt from the WAL, never durable
        target = dest / Path(path).relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_after_cut(file, mode, rng))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder by absolute path (taken after a clean close + sync)."""
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
