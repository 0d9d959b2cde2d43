"""Pick the OS keychain for this platform directly, without keyring's search.

keyring finds its backend by loading every installed backend through package
entry points and asking each one whether it works (about 100 ms here, on
every records open). This platform has one or two candidates, so they are
asked directly. A backend the user configured for keyring (the
PYTHON_KEYRING_BACKEND variable or keyringrc.cfg) still wins. Imported by
companion.store.keys before anything asks keyring for a key.
"""

from __future__ import annotations

import sys

import keyring
import keyring.core
from keyring.backend import KeyringBackend
from keyring.backends import fail


def _candidates() -> list[type[KeyringBackend]]:
    """The keychains this platform can have, most usual first."""
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        from keyring.backends import macOS

        return [macOS.Keyring]
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        from keyring.backends import Windows

        return [Windows.WinVaultKeyring]
    from keyring.backends import SecretService, kwallet

    return [SecretService.Keyring, kwallet.DBusKeyring]


def platform_backend() -> KeyringBackend:
    """The first usable keychain of this platform, or keyring's 'fail' backend."""
    for backend in _candidates():
        try:
            # keyring's own test of a backend: priority raises when unusable
            # (no D-Bus session, no daemon, a missing library).
            usable = backend.priority > 0  # type: ignore[operator]
        except Exception:  # any failure means "not here"
            continue
        if usable:
            return backend()
    return fail.Keyring()


def choose_backend() -> None:
    """Set keyring's backend unless one is set or configured already."""
    if getattr(keyring.core, "_keyring_backend", None) is not None:
        return  # chosen already (the in-memory one of tests, or a caller's)
    configured = keyring.core.load_env() or keyring.core.load_config()
    keyring.set_keyring(configured or platform_backend())


choose_backend()
