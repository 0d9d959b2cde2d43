"""Data derived from a file, kept between runs while the file stays unchanged."""

from __future__ import annotations

import contextlib
import marshal
import os
import zlib
from pathlib import Path

_MAGIC = b"companion-cache-1\n"
_HEAD = len(_MAGIC) + 4  # then a CRC-32 of the body, then the body


class FileCache:
    """One kind of derived data (say, parsed TOML) for any number of source files.

    Each entry holds the source's exact bytes, so an edited file is a miss, and
    a checksum, so a damaged entry is a miss too: a cache can cost a rebuild,
    never an error or a wrong answer. version names the payload's format; any
    change to how payloads are made must change it.
    """

    def __init__(self, directory: Path, kind: str, version: str) -> None:
        self.directory = Path(directory)
        self.kind = kind
        self.version = version

    def get(self, source: Path, data: bytes) -> bytes | None:
        """The payload stored for source when it held data, or None."""
        try:
            blob = self._entry(source).read_bytes()
        except OSError:
            return None
        if len(blob) < _HEAD or not blob.startswith(_MAGIC):
            return None
        body = blob[_HEAD:]
        if int.from_bytes(blob[len(_MAGIC) : _HEAD], "big") != zlib.crc32(body):
            return None
        try:
            version, stored, payload = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return None
        if version != self.version or stored != data or type(payload) is not bytes:
            return None
        return payload

    def put(self, source: Path, data: bytes, payload: bytes) -> None:
        """Remember payload for source holding data; failing to is harmless."""
        body = marshal.dumps((self.version, data, payload))
        blob = _MAGIC + zlib.crc32(body).to_bytes(4, "big") + body
        entry = self._entry(source)
        temp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        try:
            entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # This user's alone, like everything else the app writes.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(temp, entry)  # readers see the old entry or the new, never half
        except OSError:
            # A read-only or full disk only means the next start rebuilds.
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)

    def _entry(self, source: Path) -> Path:
        # One entry per source; the checksum of its location keeps a clinic's
        # own en.toml from evicting the bundled one.
        where = zlib.crc32(str(Path(source).resolve()).encode("utf-8"))
        return self.directory / f"{Path(source).stem}-{where:08x}.{self.kind}"
