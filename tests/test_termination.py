"""A quit signal (logout, Ctrl+C) closes the app the way its close button does."""

from __future__ import annotations

import configparser
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.demo import DEMO_KEY
from companion.store import open_store

MAIN = Path(__file__).resolve().parents[1] / "main.py"
pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")


def _start(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, str(MAIN), "--demo", "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # The records are open once the WAL exists; a second more lets the first
    # full check and the restored layout settle.
    deadline = time.monotonic() + 60
    while not (data_dir / "companion.db-wal").exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
        assert time.monotonic() < deadline, "the app never opened its records"
        time.sleep(0.05)
    time.sleep(1.5)
    return proc


def _settings(data_dir: Path) -> configparser.ConfigParser:
    found = list(data_dir.rglob("*.ini"))
    assert found, f"no settings file under {data_dir}"
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(found[0], encoding="utf-8")
    return parser


@pytest.mark.parametrize("which", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_quit_signal_closes_the_window_and_saves_its_state(
    tmp_path: Path, which: str
) -> None:
    """Exit code 0, the window's layout written, the database closed cleanly."""
    data_dir = tmp_path / "clinic"
    proc = _start(data_dir)
    os.kill(proc.pid, getattr(signal, which))
    try:
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr:
            errors = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
    assert code == 0, f"{which} ended the app with {code}: {errors[-2000:]}"
    settings = _settings(data_dir)
    # Written only by the window's own close: proof it ran.
    assert settings.has_option("window", "geometry")
    # Closed, not killed: the lock is free and the WAL was checkpointed away.
    assert not (data_dir / "companion.db-wal").exists()
    with open_store(data_dir / "companion.db", key=DEMO_KEY) as store:
        assert store.find_patients("DEMO")
