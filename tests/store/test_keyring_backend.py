"""The keychain backend is picked directly for the platform, never by a search."""

from __future__ import annotations

import os
import sys

import pytest

from tests.probe import run_python

_PROBE = (
    "import sys, companion.store.keys\n"
    "backend = companion.store.keys.keychain()\n"
    "searched = 'keyring.backends.chainer' in sys.modules\n"
    "print(type(backend).__module__ + '.' + type(backend).__name__, searched)\n"
)


def _env(**extra: str) -> dict[str, str]:
    drop = ("COMPANION_KEYRING", "PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    # An empty config folder: no keyringrc.cfg of the person running the tests.
    env["XDG_CONFIG_HOME"] = env["XDG_DATA_HOME"] = "/nonexistent-keyring-config"
    return {**env, **extra}


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux candidates")
def test_no_keychain_session_gives_the_fail_backend_without_a_search() -> None:
    """Without a D-Bus session the answer is 'no keychain' (then a passphrase),
    reached without loading every installed backend (the 100 ms search)."""
    result = run_python(_PROBE, env=_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["keyring.backends.fail.Keyring", "False"]


def test_a_backend_configured_for_keyring_still_wins() -> None:
    """PYTHON_KEYRING_BACKEND, keyring's own setting, is honoured."""
    env = _env(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    result = run_python(_PROBE, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "keyring.backends.null.Keyring"
