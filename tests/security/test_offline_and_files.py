"""Offline guarantee, private file modes, and no patient data outside the database."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.ui.main_window import MainWindow
from tests.security.conftest import Sentinels, files_containing

Launch = Callable[..., MainWindow]
FLOWS = Path(__file__).with_name("offline_flows.py")
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_start_up_and_main_flows_never_open_a_socket(
    tmp_path: Path, sentinels: Sentinels
) -> None:
    """With sockets forbidden, start, patient, visit, note, search, export, backup."""
    home = tmp_path / "home"
    env = {**os.environ, "COMPANION_KEYRING": "memory", "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(FLOWS), str(home), *sentinels.all()],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OFFLINE OK" in result.stdout
    # Nothing the app printed (its only log) names the patient.
    for needle in sentinels.all():
        assert needle not in result.stdout + result.stderr
    assert list((home / "exports").glob("*.json"))
    assert sorted(files_containing(home, sentinels.all())) == sorted(
        f"{p.name}: {n}"
        for p in (home / "exports").iterdir()
        for n in sentinels.all()
        if n in p.read_text(encoding="utf-8-sig")
    )  # only the export the clinician asked for holds patient text


@posix_only
def test_data_folder_is_0700_and_every_file_0600(
    launch: Launch, qtbot: QtBot, tmp_path: Path, sentinels: Sentinels
) -> None:
    """Folders 0700; db, wal, shm, backups, settings, key info and exports 0600."""
    home = tmp_path / "home"
    window = launch(home)
    window.ops.create_patient(chart_number=sentinels.chart)
    window.clinic.new_visit()
    window.backups.request("auto")
    assert window.backups.wait()
    window.export_to(str(home / "exports"))
    live = [home / "companion.db-wal", home / "companion.db-shm"]
    assert all(p.exists() for p in live)
    modes_while_open = {p.name: _mode(p) for p in live}
    window.close()
    assert modes_while_open == {p.name: 0o600 for p in live}
    for folder in (home, home / "backups", home / "config"):
        assert _mode(folder) == 0o700, folder
    files = [p for p in home.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"companion.db", "companion.db.keyinfo", "settings.ini"} <= names
    assert any(p.parent.name == "backups" for p in files)
    assert any(p.parent.name == "exports" for p in files)
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_settings_and_key_info_hold_no_patient_data(
    launch: Launch, qtbot: QtBot, tmp_path: Path, sentinels: Sentinels
) -> None:
    """settings.ini and companion.db.keyinfo never contain patient strings."""
    home = tmp_path / "home"
    window = launch(home)
    window.ops.create_patient(
        chart_number=sentinels.chart, display_name=sentinels.name
    )
    window.clinic.new_visit()
    window.clinic.editor.notes["S"].setPlainText(sentinels.note)
    window.clinic.editor.autosave.flush()
    window.close()
    for path in (home / "config" / "settings.ini", home / "companion.db.keyinfo"):
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in sentinels.all():
            assert needle not in text
    assert files_containing(home, sentinels.all()) == []
