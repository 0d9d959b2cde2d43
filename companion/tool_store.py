"""Open the database from a command-line tool: keychain key, or a typed passphrase."""

from __future__ import annotations

import getpass

from companion.paths import AppPaths
from companion.store import Store, StoreError, open_store
from companion.store.keys import database_key, install_keyring_from_env, read_keyinfo


def _ask(new: bool) -> str | None:
    if new:
        return None  # a tool never creates a key; only the app does
    return getpass.getpass("Database passphrase: ")


def open_for_tool(paths: AppPaths) -> Store:
    """The store under paths, decrypted; StoreError says why it cannot open."""
    install_keyring_from_env()
    if not paths.database.exists():
        raise StoreError(f"No database at {paths.database}.")
    key = None
    if read_keyinfo(paths.database) is not None:
        key = database_key(paths.database, _ask)
    return open_store(paths.database, backup_dir=paths.backup_dir, key=key)
