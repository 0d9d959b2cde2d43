"""Start-up as the app runs it: a missing database, a new clinic, the demo, damage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from companion.app import build, build_ready
from companion.demo import DEMO_KEY
from companion.ui.main_window import MainWindow


def _dialog(name: str) -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if (
            isinstance(widget, QDialog)
            and widget.objectName() == name
            and widget.isVisible()
        ):
            return widget
    return None


def start_answering(
    qtbot: QtBot, home: Path, name: str, answer: Callable[[QDialog], None]
) -> MainWindow:
    """Start the app on home; answer the modal dialog called name when it shows.

    The answer runs from a timer, inside the dialog's own event loop (a modal
    dialog blocks the test's), once; the window is returned with its records open.
    """
    answered: list[bool] = []

    def poll() -> None:
        dialog = _dialog(name)
        if dialog is not None and not answered:
            answered.append(True)
            answer(dialog)

    timer = QTimer(interval=50)
    timer.timeout.connect(poll)
    timer.start()
    try:
        window = build(["--data-dir", str(home)])
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.records_ready, timeout=30000)
    finally:
        timer.stop()
    assert answered, f"{name} was never shown"
    return window


def test_a_deleted_database_beside_a_backup_is_restored_not_emptied(
    qtbot: QtBot, tmp_path: Path
):
    """companion.db deleted, a backup beside it: the app asks (restore is the
    default), restores, and opens with the patient from the backup."""
    home = tmp_path / "home"
    first = build_ready(["--data-dir", str(home)])
    qtbot.addWidget(first)
    first.ops.create_patient(chart_number="KEEP-1")
    first.ops.store.backup("daily")
    first.close()
    (home / "companion.db").unlink()
    for side in ("-wal", "-shm"):
        (home / f"companion.db{side}").unlink(missing_ok=True)

    seen: dict[str, str] = {}

    def restore(dialog: QDialog) -> None:
        seen["choice"] = dialog.choice
        dialog.accept()  # the default: restore the newest verified backup

    window = start_answering(qtbot, home, "missingDatabase", restore)
    assert seen == {"choice": "restore"}
    assert [p.chart_number for p in window.ops.find_patients("KEEP")] == ["KEEP-1"]
    window.close()


def test_a_new_clinic_is_welcomed_and_its_answers_kept(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """First start: the welcome asks clinic name and PIN; Start keeps both."""
    monkeypatch.delenv("COMPANION_NO_WELCOME")
    home = tmp_path / "home"

    def welcome(dialog: QDialog) -> None:
        dialog.clinic_name.setText("Riverside Spine")
        dialog.pin.setText("4821")
        dialog.pin_again.setText("4821")
        dialog.start_button.click()

    window = start_answering(qtbot, home, "welcomeDialog", welcome)
    assert window.settings.get_str("clinic/name") == "Riverside Spine"
    assert window.app_lock.has_pin
    window.close()
    again = build_ready(["--data-dir", str(home)])  # not a first start any more
    qtbot.addWidget(again)
    assert _dialog("welcomeDialog") is None
    again.close()


def test_the_demo_opens_with_its_fixed_key_and_no_prompt(qtbot: QtBot, tmp_path: Path):
    """--demo needs no keychain and asks no passphrase: its key is DEMO_KEY."""
    window = build_ready(["--demo", "--data-dir", str(tmp_path / "demo")])
    qtbot.addWidget(window)
    assert window.ops.store.key == DEMO_KEY
    assert window.ops.find_patients("DEMO-")
    window.close()


def test_damage_found_in_the_background_offers_a_restart(launch, qtbot: QtBot):
    """The background check's finding reaches the clinician with Restart / Later."""
    window: MainWindow = launch()
    window.background_check.damage_found.emit("database disk image is malformed")
    box = window.damage_box
    assert box is not None and box.isVisible()
    assert "malformed" in box.text()
    assert {b.text() for b in box.buttons()} == {"Restart now", "Later"}
