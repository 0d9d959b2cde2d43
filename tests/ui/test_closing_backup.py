"""Closing with a backup to make: the window keeps painting and can close at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from companion.store import list_backups, open_store
from companion.store.audit import BACKUP
from companion.store.backup import is_intact
from companion.ui.closing_backup import SHOW_AFTER_MS
from tests.store.backup_spy import HOLD_LIMIT_S, CopySpy, chart_numbers

Launch = Callable[..., Any]


def _closing_dialog(shown: bool = True) -> QProgressDialog | None:
    """The closing dialog; by default only once it is on screen."""
    for widget in QApplication.topLevelWidgets():
        if (
            isinstance(widget, QProgressDialog)
            and widget.objectName() == "closingBackup"
        ) and (widget.isVisible() or not shown):
            return widget
    return None


def _click_close_now(qtbot: QtBot) -> None:
    dialog = _closing_dialog()
    assert dialog is not None
    (button,) = dialog.findChildren(QPushButton)
    assert button.text() == "Close now"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


class _Ticker:
    """Counts event-loop turns: a frozen GUI thread counts none."""

    def __init__(self) -> None:
        self.ticks = 0
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.ticks += 1


def _when(condition: Callable[[], bool], then: Callable[[], None]) -> QTimer:
    """Run then() once, from the event loop, as soon as condition() holds."""
    timer = QTimer(interval=5)

    def check() -> None:
        if condition():
            timer.stop()
            then()

    timer.timeout.connect(check)
    timer.start()
    return timer


@pytest.fixture
def held_copy(monkeypatch: pytest.MonkeyPatch) -> CopySpy:
    """Every backup copy waits, mid-copy, until the test releases it."""
    return CopySpy(hold=True).install(monkeypatch)


def test_close_keeps_painting_while_the_quit_backup_runs(
    launch: Launch, qtbot: QtBot, tmp_path: Path, held_copy: CopySpy
) -> None:
    """The old close blocked the GUI thread for the whole copy; now it paints,
    says what it is doing, takes no input, and closes once the backup is made."""
    home = tmp_path / "clinic"
    window = launch(home)
    store = window.ops.store
    key = store.key
    store.create_patient(chart_number="Q-1")
    ticker = _Ticker()
    seen: dict[str, Any] = {}

    def while_held() -> None:
        dialog = _closing_dialog()
        seen["shown_after_s"] = time.monotonic() - began
        seen["ticks"] = ticker.ticks
        seen["dialog_text"] = dialog.labelText() if dialog else None
        seen["window_enabled"] = window.isEnabled()
        seen["store_open"] = not store.closed
        held_copy.release.set()

    # The dialog appears by itself after SHOW_AFTER_MS; then let the copy go.
    watch = _when(
        lambda: held_copy.snapshot_taken.is_set() and _closing_dialog() is not None,
        while_held,
    )
    began = time.monotonic()
    window.close()
    watch.stop()

    assert seen, "the closing dialog never appeared"
    assert seen["ticks"] > 0  # the event loop ran while the copy was held
    assert seen["dialog_text"] == window.state.strings.t("closing.backing_up")
    assert seen["window_enabled"] is False
    assert seen["store_open"]  # the store closes only after the backup
    # Not at once (a quick backup shows no dialog), and well before
    # QProgressDialog's own default of 4 s; Qt's coarse timers may fire 5% early.
    assert 0.9 * SHOW_AFTER_MS / 1000 <= seen["shown_after_s"] < 3.0
    assert not window.isVisible() and store.closed
    quits = list_backups(home / "backups", "quit")
    assert len(quits) == 1 and is_intact(quits[0].path, key)
    assert chart_numbers(quits[0].path, key) == ["Q-1"]
    with open_store(home / "companion.db", key=key) as reopened:
        recorded = [e.record_id for e in reopened.audit_log() if e.event == BACKUP]
    assert quits[0].path.name in recorded  # recorded before the store closed


def test_close_now_leaves_at_once_and_the_copy_still_finishes(
    launch: Launch, qtbot: QtBot, tmp_path: Path, held_copy: CopySpy
) -> None:
    """ "Close now" closes the window and the database while the copy is held;
    the copy then completes its file on its own thread."""
    home = tmp_path / "clinic"
    window = launch(home)
    store = window.ops.store
    key = store.key
    store.create_patient(chart_number="N-1")
    watch = _when(
        lambda: _closing_dialog() is not None, lambda: _click_close_now(qtbot)
    )

    window.close()
    watch.stop()

    assert not window.isVisible() and store.closed
    assert not held_copy.release.is_set()  # closed while the copy was still held
    # The lock is free: the clinic opens again at once.
    with open_store(home / "companion.db", key=key) as reopened:
        assert [p.chart_number for p in reopened.find_patients("N-1")] == ["N-1"]
    held_copy.release.set()
    deadline = time.monotonic() + HOLD_LIMIT_S
    while not held_copy.copied and time.monotonic() < deadline:
        qtbot.wait(20)
    quits = list_backups(home / "backups", "quit")
    assert len(quits) == 1 and is_intact(quits[0].path, key)


def test_a_second_close_while_waiting_is_ignored(
    launch: Launch, qtbot: QtBot, tmp_path: Path, held_copy: CopySpy
) -> None:
    """The title bar's close, clicked again while the backup finishes, is refused
    (the window manager sends a close event; close() itself is guarded by Qt)."""
    window = launch(tmp_path / "clinic")
    window.ops.store.create_patient(chart_number="R-1")
    answers: list[bool] = []

    def close_again() -> None:
        event = QCloseEvent()
        QApplication.sendEvent(window, event)
        answers.append(event.isAccepted())
        held_copy.release.set()

    watch = _when(held_copy.snapshot_taken.is_set, close_again)
    assert window.close()
    watch.stop()
    assert answers == [False]
    assert window.ops.store.closed and len(held_copy.copied) == 1


def test_nothing_to_back_up_closes_without_a_dialog(
    launch: Launch, qtbot: QtBot, tmp_path: Path
) -> None:
    """No change since the last backup and none running: no dialog, no quit backup."""
    home = tmp_path / "clinic"
    window = launch(home)
    window.backups.shutdown()  # whatever start-up had changed is backed up now
    before = {b.path.name for b in list_backups(home / "backups")}
    created: list[str] = []
    watch = _when(
        lambda: _closing_dialog(shown=False) is not None, lambda: created.append("x")
    )

    window.close()
    qtbot.wait(SHOW_AFTER_MS + 100)
    watch.stop()

    assert created == []
    assert window.ops.store.closed
    assert {b.path.name for b in list_backups(home / "backups")} == before
