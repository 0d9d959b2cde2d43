"""Tests for FileCache: it answers only for the exact source bytes, else misses."""

from __future__ import annotations

import marshal
import zlib
from pathlib import Path

import pytest

from companion.core import file_cache
from companion.core.file_cache import FileCache

DATA = b"the source file's bytes"
PAYLOAD = b"what was made from them" * 50


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "sample.toml"
    path.parent.mkdir()
    path.write_bytes(DATA)
    return path


@pytest.fixture
def cache(tmp_path: Path) -> FileCache:
    return FileCache(tmp_path / "cache", "test-cache", "1")


def entry_of(cache: FileCache) -> Path:
    (entry,) = cache.directory.glob("*.test-cache")
    return entry


def forged(version: str, data: bytes, payload: object) -> bytes:
    """An entry with a correct checksum around whatever body we like."""
    body = marshal.dumps((version, data, payload))
    return file_cache._MAGIC + zlib.crc32(body).to_bytes(4, "big") + body


def test_a_stored_payload_comes_back_for_the_same_bytes(source, cache):
    """put then get returns the payload; an empty cache folder is a miss."""
    assert cache.get(source, DATA) is None
    cache.put(source, DATA, PAYLOAD)
    assert cache.get(source, DATA) == PAYLOAD
    assert list(cache.directory.glob("*.tmp")) == []


def test_other_bytes_another_version_or_another_file_miss(source, cache, tmp_path):
    """The entry is for these bytes, this payload format and this file only."""
    cache.put(source, DATA, PAYLOAD)
    assert cache.get(source, DATA + b" edited") is None
    assert FileCache(cache.directory, "test-cache", "2").get(source, DATA) is None
    other = tmp_path / "elsewhere" / "sample.toml"
    other.parent.mkdir()
    other.write_bytes(DATA)
    assert cache.get(other, DATA) is None


def test_every_kind_of_damaged_entry_is_a_miss(source, cache):
    """Truncated, flipped, foreign, empty or mis-shaped entries give None."""
    cache.put(source, DATA, PAYLOAD)
    entry = entry_of(cache)
    good = entry.read_bytes()
    damaged = [
        b"",
        b"garbage",
        good[:10],
        good[: len(good) // 2],
        good + b"tail",
        b"X" + good[1:],
        file_cache._MAGIC + b"\0\0\0\0" + good[len(file_cache._MAGIC) + 4 :],
        forged("1", DATA, "a str, not bytes"),
        forged("1", DATA, None),
        file_cache._MAGIC + zlib.crc32(b"\xff").to_bytes(4, "big") + b"\xff",
        *(
            good[:i] + bytes([good[i] ^ 0x5A]) + good[i + 1 :]
            for i in range(0, len(good), max(1, len(good) // 200))
        ),
    ]
    for blob in damaged:
        entry.write_bytes(blob)
        assert cache.get(source, DATA) is None
    entry.write_bytes(forged("1", DATA, PAYLOAD))
    assert cache.get(source, DATA) == PAYLOAD  # the forger's checksum is right


def test_an_unwritable_cache_folder_is_harmless(source, tmp_path):
    """If the folder cannot be made, put does nothing and get misses."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    cache = FileCache(blocker / "cache", "test-cache", "1")
    cache.put(source, DATA, PAYLOAD)
    assert cache.get(source, DATA) is None
    assert list(tmp_path.glob("**/*.tmp")) == []
