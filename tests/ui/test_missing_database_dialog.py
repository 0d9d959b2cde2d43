"""The missing-database dialog: restore by default, empty only with the typed word."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from companion.core.i18n import strings
from companion.store import open_store
from companion.store.missing_database import MissingDatabase
from companion.ui.missing_database import EMPTY, RESTORE, MissingDatabaseDialog


def _missing(tmp_path: Path, key: bytes) -> MissingDatabase:
    db = tmp_path / "companion.db"
    with open_store(db, key=key) as store:
        store.create_patient(chart_number="DLG-1")
        store.backup("auto")
    db.unlink()
    with pytest.raises(MissingDatabase) as caught:
        open_store(db, key=key)
    return caught.value


@pytest.mark.parametrize("language", ["en", "es"])
def test_restore_is_the_default_and_brings_the_records_back(
    qtbot: QtBot, tmp_path: Path, language: str
) -> None:
    """The dialog names the backup and its counts; OK restores it; records open."""
    key = secrets.token_bytes(32)
    error = _missing(tmp_path, key)
    dialog = MissingDatabaseDialog(error.findings, strings(language))
    qtbot.addWidget(dialog)
    assert dialog.choice == RESTORE
    found = dialog.findChild(QLabel, "missingFound")
    backup = error.findings.newest_backup
    assert backup is not None and backup.path.name in found.text()
    assert not dialog.salvage.isEnabled()  # no damaged copy to salvage
    dialog.apply(key)
    with open_store(error.findings.database, key=key) as store:
        assert store.find_patients("DLG-1")


def test_start_empty_needs_the_word_typed(qtbot: QtBot, tmp_path: Path) -> None:
    """OK stays disabled for 'empty' until the confirmation word is typed."""
    key = secrets.token_bytes(32)
    error = _missing(tmp_path, key)
    dialog = MissingDatabaseDialog(error.findings, strings("es"))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.empty.setChecked(True)
    assert dialog.choice == EMPTY and not ok.isEnabled()
    qtbot.keyClicks(dialog.confirm, "vac")  # typed only in part: still refused
    assert not ok.isEnabled()
    dialog.confirm.setText("vacía")  # QTest types ASCII only
    assert ok.isEnabled()
    dialog.apply(key)
    with open_store(error.findings.database, key=key) as store:
        assert store.find_patients("") == []
    assert error.findings.newest_backup.path.exists()  # nothing was deleted
