"""Help ▸ Check database runs on a worker: the clinician keeps working meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from companion.store import integrity

Launch = Callable[..., Any]
HOLD_LIMIT_S = 30.0  # only so a broken test fails instead of hanging
SIGNAL_LIMIT_MS = 60_000


class HeldCheck:
    """Wraps the real check: it opens a read transaction, then waits for release."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reading = threading.Event()
        self.release = threading.Event()
        self.threads: list[int] = []
        real = integrity.findings

        def held(conn: Any, fts_command: bool) -> list[str]:
            self.threads.append(threading.get_ident())
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self.reading.set()
            assert self.release.wait(HOLD_LIMIT_S), "test never released"
            try:
                return real(conn, fts_command)
            finally:
                conn.commit()

        monkeypatch.setattr(integrity, "findings", held)


def test_saving_and_clicking_go_on_while_the_check_runs(
    launch: Launch, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old check ran on the GUI thread and froze the window for its whole
    length (about 10 s on a 100,000-visit clinic)."""
    window = launch(tmp_path / "clinic")
    held = HeldCheck(monkeypatch)
    saved: list[str] = []
    ticks: list[int] = []
    ticker = QTimer(interval=5)
    ticker.timeout.connect(lambda: ticks.append(1))
    ticker.start()

    def while_checking() -> None:
        if not held.reading.is_set():
            QTimer.singleShot(5, while_checking)
            return
        # A save and a click on the diagram, while the check holds its snapshot.
        patient = window.ops.store.create_patient(chart_number="W-1")
        saved.append(patient.chart_number)
        window.state.select("L4")
        held.release.set()

    QTimer.singleShot(5, while_checking)
    with qtbot.waitSignal(window.database_checked, timeout=SIGNAL_LIMIT_MS) as done:
        window.check_database()
        assert window.statusBar().currentMessage() == window.state.strings.t(
            "check.running"
        )
    ticker.stop()

    assert done.args == [True, []]
    assert saved == ["W-1"] and window.state.selection == "L4"
    assert ticks  # the event loop ran throughout
    assert held.threads and threading.get_ident() not in held.threads
    assert window.database_check.result_box.text() == window.state.strings.t("check.ok")
    assert window.statusBar().currentMessage() == ""


def test_asking_again_while_it_runs_starts_no_second_check(
    launch: Launch, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second click says the check is running; one result comes back."""
    window = launch(tmp_path / "clinic")
    held = HeldCheck(monkeypatch)
    results: list[tuple[bool, list[str]]] = []
    window.database_checked.connect(lambda ok, messages: results.append((ok, messages)))
    window.check_database()
    assert held.reading.wait(HOLD_LIMIT_S)
    window.check_database()
    held.release.set()
    qtbot.waitUntil(lambda: bool(results), timeout=SIGNAL_LIMIT_MS)
    qtbot.wait(100)  # a second result, if one were coming, would be here by now
    assert results == [(True, [])] and len(held.threads) == 1


def test_closing_while_the_check_runs_reports_nothing(
    launch: Launch, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window closes at once; the check's late result opens no dialog."""
    window = launch(tmp_path / "clinic")
    held = HeldCheck(monkeypatch)
    window.check_database()
    assert held.reading.wait(HOLD_LIMIT_S)
    window.close()
    assert window.ops.store.closed
    held.release.set()
    qtbot.waitUntil(lambda: not window.database_check.running, timeout=SIGNAL_LIMIT_MS)
    assert window.database_check.result_box is None
