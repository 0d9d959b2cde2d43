"""The key's check value in keyinfo: a right key on a damaged file, or a wrong key.

Page 1 failing SQLCipher's HMAC reads the same for a wrong key and for a
damaged first page. The keyinfo (which never holds the key) keeps an HMAC of
a fixed label under the key; a key that reproduces it is the database's own,
so a page 1 that still fails is damage, handled like a missing database.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
from pathlib import Path

from companion.store.keys import read_keyinfo, write_keyinfo

_LABEL = b"spine-companion key check v1"


def key_check(key: bytes) -> str:
    """The check value of a key (32 hex digits; reveals nothing of the key)."""
    return hmac.new(key, _LABEL, hashlib.sha256).hexdigest()[:32]


def key_is_known_good(db_path: Path, key: bytes) -> bool:
    """True when the database's keyinfo holds this key's check value."""
    info = read_keyinfo(db_path)
    return bool(info and info.check) and hmac.compare_digest(
        info.check, key_check(key)
    )


def remember_key_check(db_path: Path, key: bytes) -> None:
    """Add the check value to a keyinfo written before there was one.

    Called once the key has opened the database, so the value is the right one.
    """
    info = read_keyinfo(db_path)
    if info is None or info.check:
        return
    # A read-only folder: the check value is only an aid.
    with contextlib.suppress(OSError):
        write_keyinfo(db_path, dataclasses.replace(info, check=key_check(key)))
