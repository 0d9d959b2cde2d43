"""The weekly backup copies the verified daily one when nothing was saved since."""

from __future__ import annotations

import hashlib
import secrets
import time
from pathlib import Path

from companion.store import list_backups, open_store


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _clinic(tmp_path: Path) -> tuple[Path, Path, bytes]:
    key = secrets.token_bytes(32)
    db = tmp_path / "companion.db"
    with open_store(db, key=key) as store:
        for n in range(30):
            store.create_patient(chart_number=f"W-{n}")
    return db, tmp_path / "backups", key


def _settle() -> None:
    # Opening recreates the -wal file; the daily copy's name is to the second,
    # so it starts on the next one (in the app it comes 2 s after open).
    time.sleep(1.1)


def test_weekly_right_after_daily_is_the_daily_file(tmp_path: Path) -> None:
    """No save between: the weekly backup is a byte copy of the daily one."""
    db, backups, key = _clinic(tmp_path)
    with open_store(db, key=key, backup_dir=backups) as store:
        _settle()
        daily = store.backup_job("daily").run()
        weekly = store.backup_job("weekly").run()
    assert weekly != daily and weekly.name.startswith("companion-weekly-")
    assert _digest(weekly) == _digest(daily)
    assert sorted(b.kind for b in list_backups(backups)) == ["daily", "weekly"]
    with open_store(weekly, key=key) as copy:
        assert len(copy.find_patients("W-", limit=100)) == 30


def test_a_save_after_the_daily_makes_a_full_weekly_copy(tmp_path: Path) -> None:
    """A save after the daily copy began: the weekly backup is made afresh and
    holds it (a copy of the daily would lose it)."""
    db, backups, key = _clinic(tmp_path)
    with open_store(db, key=key, backup_dir=backups) as store:
        _settle()
        daily = store.backup_job("daily").run()
        store.create_patient(chart_number="W-after")
        weekly = store.backup_job("weekly").run()
    assert _digest(weekly) != _digest(daily)
    with open_store(weekly, key=key) as copy:
        assert [p.chart_number for p in copy.find_patients("W-after")] == ["W-after"]
