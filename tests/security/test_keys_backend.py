"""The in-memory test keychain must never become the app's keychain by itself."""

from __future__ import annotations

import os

from tests.probe import run_python


def test_memory_keyring_is_never_chosen_automatically() -> None:
    """Importing the store leaves keyring's own choice alone (a key must persist)."""
    env = {k: v for k, v in os.environ.items() if k != "COMPANION_KEYRING"}
    code = (
        "import companion.store.keys as k, companion.app\n"
        "assert not isinstance(k.keychain(), k.MemoryKeyring), k.keychain()\n"
    )
    result = run_python(code, env=env)
    assert result.returncode == 0, result.stderr
