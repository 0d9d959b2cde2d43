"""The database key: random and kept in the OS keychain, or derived from a passphrase.

Beside the database a small JSON file, ``<db>.keyinfo``, says which of the two
applies. It holds the keychain entry's name or the passphrase's argon2id salt
and cost parameters, never the key itself.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

# keyring (≈80 ms with urllib, email, D-Bus) and argon2 are imported only when
# a real keychain or a passphrase is used: the in-memory keychain of tests and
# the bench never loads them (tests/security/test_lazy_key_imports.py).
from companion.store.cipher import (
    KEY_BYTES,
    check_key,
    connect,
    ensure_private_file,
    is_plain_database,
    make_private,
)
from companion.store.errors import DB_ERRORS, StoreError

SERVICE = "SpineCompanion database key"
ENV_KEYRING = "COMPANION_KEYRING"  # "memory": an in-process keychain, for tests
MIN_PASSPHRASE = 8
# The keychain entry listing every key id this app made (not itself a key).
KEY_INDEX = "key-ids"
# RFC 9106's second recommended option (64 MiB, 3 passes), 4 lanes.
ARGON2 = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}


class KeyUnavailable(StoreError):
    """The key for an existing encrypted database cannot be found."""


class PassphraseNeeded(Exception):
    """No keychain: the caller must ask for the passphrase (new=True: choose one)."""

    def __init__(self, new: bool) -> None:
        super().__init__("new passphrase needed" if new else "passphrase needed")
        self.new = new


class Keychain(Protocol):
    """What the store asks of a keychain: keyring's backend interface."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


class MemoryKeyring:
    """A keychain that lives only in this process (tests; never the real one).

    Not a keyring backend: keyring never learns of it, so it can never be
    chosen on its own and a real database key never ends up in memory only.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


# The keychain in use; None until first asked for (then chosen, see keychain()).
_chosen: Keychain | None = None


def set_keychain(backend: Keychain | None) -> None:
    """Use backend as the keychain (None: choose again on next use)."""
    global _chosen
    _chosen = backend


def keychain() -> Keychain:
    """The keychain: the in-memory one if asked for, else the platform's."""
    if _chosen is None:
        install_keyring_from_env()
    if _chosen is None:
        # Chooses keyring's backend for this platform, once (see its docstring).
        import keyring

        from companion.store import keyring_backend  # noqa: F401

        set_keychain(keyring.get_keyring())
    assert _chosen is not None
    return _chosen


def _keychain_errors() -> tuple[type[BaseException], ...]:
    """keyring's error class, if keyring is in use (the memory one never fails)."""
    if isinstance(_chosen, MemoryKeyring) or _chosen is None:
        return ()
    import keyring.errors

    return (keyring.errors.KeyringError,)


def install_keyring_from_env(environ: dict[str, str] | None = None) -> None:
    """Use the in-memory keychain when COMPANION_KEYRING=memory (tests, demos)."""
    env = os.environ if environ is None else environ
    if env.get(ENV_KEYRING) == "memory" and not isinstance(_chosen, MemoryKeyring):
        set_keychain(MemoryKeyring())


def keychain_available() -> bool:
    """True unless keyring found no usable OS keychain (its 'fail' backend)."""
    backend: Any = keychain()
    if isinstance(backend, MemoryKeyring):
        return True
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring):
        return False
    chained = getattr(backend, "backends", None)
    return chained is None or bool(chained)


def keyinfo_path(db_path: Path) -> Path:
    """Where the key's description lives: <db>.keyinfo."""
    return db_path.with_name(db_path.name + ".keyinfo")


@dataclass(frozen=True)
class KeyInfo:
    """How the key of one database is obtained; never contains the key."""

    method: str  # "keychain" or "passphrase"
    key_id: str = ""
    salt: str = ""  # hex
    time_cost: int = ARGON2["time_cost"]
    memory_cost: int = ARGON2["memory_cost"]
    parallelism: int = ARGON2["parallelism"]
    check: str = ""  # key_check.key_check(key): tells damage from a wrong key


def read_keyinfo(db_path: Path) -> KeyInfo | None:
    """The database's key description, or None if it has none (plain or new)."""
    return _parse_keyinfo(keyinfo_path(db_path))


def _parse_keyinfo(path: Path) -> KeyInfo | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise KeyUnavailable(key="keyinfo_unreadable", path=path) from exc
    fields = {k: data[k] for k in KeyInfo.__dataclass_fields__ if k in data}
    return KeyInfo(**fields)


def write_keyinfo(db_path: Path, info: KeyInfo) -> None:
    """Save the key description atomically, readable by this user only."""
    path = keyinfo_path(db_path)
    temp = path.with_name(f".{path.name}.partial")
    temp.unlink(missing_ok=True)
    ensure_private_file(temp)
    with open(temp, "w", encoding="utf-8") as out:
        json.dump({"version": 1, **info.__dict__}, out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
    make_private(path)


def derive_key(passphrase: str, info: KeyInfo) -> bytes:
    """The argon2id key for a passphrase and the stored salt and costs."""
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        passphrase.encode("utf-8"),
        bytes.fromhex(info.salt),
        time_cost=info.time_cost,
        memory_cost=info.memory_cost,
        parallelism=info.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def stored_key(db_path: Path) -> bytes | None:
    """The keychain key of an existing database, or None (no keychain entry)."""
    info = read_keyinfo(db_path)
    if info is None or info.method != "keychain":
        return None
    backend = keychain()
    try:
        value = backend.get_password(SERVICE, info.key_id)
    except _keychain_errors():
        return None
    return None if value is None else bytes.fromhex(value)


def database_key(
    db_path: Path, ask_passphrase: Callable[[bool], str | None] | None = None
) -> bytes:
    """The key for db_path, created on first use.

    With a keychain: a random 256-bit key stored there. Without one: an argon2id
    key from the passphrase ask_passphrase(new) returns (None means cancelled).
    An encrypted database whose keyinfo is gone never gets a new key: the copy
    in the backup folder, then every key this app keeps in the keychain, is
    tried against it, and the keyinfo written back for the one that opens it.
    """
    info = read_keyinfo(db_path)
    if info is None and _encrypted_database_exists(db_path):
        return _find_lost_key(db_path, ask_passphrase)
    if info is None:
        return _new_key(db_path, ask_passphrase)
    if info.method == "keychain":
        key = stored_key(db_path)
        if key is None:
            raise KeyUnavailable(key="key_not_in_keychain", entry=info.key_id[:8])
        return key
    if info.method == "passphrase":
        passphrase = _ask(ask_passphrase, new=False)
        return derive_key(passphrase, info)
    raise KeyUnavailable(key="unknown_key_method", method=repr(info.method))


def _encrypted_database_exists(db_path: Path) -> bool:
    """True when db_path holds data that is not plain SQLite (so it has a key)."""
    try:
        if db_path.stat().st_size == 0:
            return False
    except FileNotFoundError:
        return False
    return not is_plain_database(db_path)


def backup_keyinfo_path(db_path: Path, backup_dir: Path | None = None) -> Path:
    """The copy of <db>.keyinfo each backup leaves in the backup folder."""
    folder = db_path.parent / "backups" if backup_dir is None else backup_dir
    return folder / keyinfo_path(db_path).name


def _opens(db_path: Path, key: bytes) -> bool:
    try:
        conn = connect(db_path, key, readonly=True)
    except DB_ERRORS:
        return False
    try:
        check_key(conn, db_path)
        return True
    except (StoreError, *DB_ERRORS):
        return False
    finally:
        conn.close()


def _keychain_ids() -> list[str]:
    """The ids of every key this app has put in the keychain (its own list)."""
    backend = keychain()
    try:
        listed = backend.get_password(SERVICE, KEY_INDEX)
    except _keychain_errors():
        return []
    try:
        ids = json.loads(listed) if listed else []
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def _remember_key_id(key_id: str) -> None:
    ids = _keychain_ids()
    if key_id not in ids:
        keychain().set_password(SERVICE, KEY_INDEX, json.dumps([*ids, key_id]))


def _find_lost_key(
    db_path: Path, ask_passphrase: Callable[[bool], str | None] | None
) -> bytes:
    """The key of an encrypted database whose keyinfo is missing, or a clear error.

    Tried in turn: the keyinfo copy in the backup folder (a passphrase one asks
    for the passphrase), then every key id in this app's keychain list. The one
    that opens the database has its keyinfo written back. No new key is ever
    made here: it could not open the database and would hide the real one.
    """
    copy = backup_keyinfo_path(db_path)
    try:
        info = _parse_keyinfo(copy)
    except KeyUnavailable:
        info = None
    candidates: list[tuple[KeyInfo, bytes]] = []
    if info is not None and info.method == "passphrase":
        candidates.append((info, derive_key(_ask(ask_passphrase, new=False), info)))
    ids = [info.key_id] if info is not None and info.method == "keychain" else []
    for key_id in [*ids, *_keychain_ids()]:
        try:
            value = keychain().get_password(SERVICE, key_id)
        except _keychain_errors():
            value = None
        if value is not None:
            candidates.append(
                (KeyInfo("keychain", key_id=key_id), bytes.fromhex(value))
            )
    for found, key in candidates:
        if _opens(db_path, key):
            write_keyinfo(db_path, dataclasses.replace(found, check=_check(key)))
            return key
    raise KeyUnavailable(key="keyinfo_missing", path=keyinfo_path(db_path), copy=copy)


def _new_key(
    db_path: Path, ask_passphrase: Callable[[bool], str | None] | None
) -> bytes:
    if keychain_available():
        key = secrets.token_bytes(KEY_BYTES)
        key_id = secrets.token_hex(16)
        try:
            keychain().set_password(SERVICE, key_id, key.hex())
            # Listed, so a lost keyinfo can find it again (keychains cannot be
            # searched through keyring's API).
            _remember_key_id(key_id)
        except _keychain_errors() as exc:
            raise KeyUnavailable(key="keychain_save_failed", reason=exc) from exc
        # Only after the keychain has it, or the database could be orphaned.
        write_keyinfo(db_path, KeyInfo("keychain", key_id=key_id, check=_check(key)))
        return key
    passphrase = _ask(ask_passphrase, new=True)
    if len(passphrase) < MIN_PASSPHRASE:
        raise StoreError(key="passphrase_too_short", count=MIN_PASSPHRASE)
    info = KeyInfo("passphrase", salt=secrets.token_bytes(16).hex())
    key = derive_key(passphrase, info)
    write_keyinfo(db_path, dataclasses.replace(info, check=_check(key)))
    return key


def _check(key: bytes) -> str:
    from companion.store.key_check import key_check

    return key_check(key)


def _ask(ask: Callable[[bool], str | None] | None, new: bool) -> str:
    if ask is None:
        raise PassphraseNeeded(new)
    passphrase = ask(new)
    if passphrase is None:
        raise KeyUnavailable(key="no_passphrase")
    return passphrase
