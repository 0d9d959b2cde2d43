"""The full check runs on a worker after open, only when due, and reports damage."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from companion.store import open_store
from companion.ui.background_check import BackgroundCheck
from tests.deep_damage import scribble_deep_leaf


def _clinic_with_deep_damage(db: Path) -> Path:
    with open_store(db) as store:
        patient = store.create_patient(chart_number="deep")
        for n in range(120):
            visit = store.start_visit(patient.id)
            store.save_note(visit.id, "S", f"note {n} " + "lumbar spasm " * 40)
        backup = store.backup("daily")
    scribble_deep_leaf(db)
    return backup


def test_damage_found_after_open_reaches_the_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Records open at once; the worker finds the damage, and reopening restores."""
    db = tmp_path / "companion.db"
    backup = _clinic_with_deep_damage(db)
    check = BackgroundCheck()
    with open_store(db) as store:
        assert store.recovery is None
        with qtbot.waitSignal(check.damage_found, timeout=20_000) as found:
            assert check.start_if_due(store)
            assert check.running
        assert found.args[0]
        assert not check.running
    with open_store(db) as reopened:
        assert reopened.recovery is not None
        assert reopened.recovery.restored_from == backup


def test_a_sound_check_is_not_repeated_the_same_day(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """After a sound check, start_if_due does nothing until the next day."""
    db = tmp_path / "companion.db"
    check = BackgroundCheck()
    with open_store(db) as store:
        store.create_patient(initials="OK")
        with qtbot.waitSignal(check.sound, timeout=20_000):
            assert check.start_if_due(store)
        assert not check.start_if_due(store)
        assert not check.running
