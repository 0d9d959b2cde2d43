"""Test-wide setup: Qt runs offscreen, and UI tests can launch the real app."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Set before any Qt import so every test, including subprocesses, runs headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The app's database key lives in a keychain: tests (and their subprocesses) get
# an in-process one, never the real OS keychain.
os.environ["COMPANION_KEYRING"] = "memory"
# Every test starts a fresh clinic: none of them is a new user to welcome
# (tests/ui/test_welcome_at_start.py clears it to see the welcome).
os.environ["COMPANION_NO_WELCOME"] = "1"


@pytest.fixture(autouse=True)
def fake_keychain() -> Any:
    """A fresh in-memory keychain for every test (the launch fixture's keys go here)."""
    # Without importing keyring: the store's own switch (companion.store.keys).
    from companion.store.keys import MemoryKeyring, set_keychain

    backend = MemoryKeyring()
    set_keychain(backend)
    return backend


@pytest.fixture
def launch(qtbot: Any, tmp_path: Path) -> Callable[..., Any]:
    """Start the app on a data folder (default: a fresh temp one), as a user would."""
    # Imported here so core and store tests never load Qt.
    from companion.app import build_ready
    from companion.ui.main_window import MainWindow

    def start(data_dir: Path | None = None) -> MainWindow:
        window = build_ready(["--data-dir", str(data_dir or tmp_path / "home")])
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)
        qtbot.waitExposed(window)
        # A fresh clinic's first full check runs on a worker and then writes its
        # marker beside the database: tests that list or change the folder's
        # files start once it is done.
        qtbot.waitUntil(lambda: not window.background_check.running, timeout=30000)
        return window

    return start
