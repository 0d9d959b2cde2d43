"""SIGKILL at every file step of a restore and an upgrade: never empty, never plain."""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from companion.store import open_store
from companion.store.backup import list_backups
from companion.store.missing_database import MissingDatabase
from companion.store.start_choices import restore_from_backup
from tests.security.conftest import files_containing

KILLER = Path(__file__).with_name("step_killer.py")
CHART = "KILLCHART7731"
NAME = "Quillonia Brackwater"
pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"
)


@dataclass
class Tally:
    """Kills made and what each cost, for the report."""

    kills: int = 0
    lost: int = 0
    leaked: int = 0


def _run(operation: str, folder: Path, key: bytes, kill_at: int) -> str:
    """Run step_killer in folder; 'killed' or 'done'."""
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            str(KILLER),
            operation,
            str(folder / "companion.db"),
            str(folder / "backups"),
            key.hex(),
            str(kill_at),
        ],
        capture_output=True,
        timeout=60,
    )
    if proc.returncode == -signal.SIGKILL:
        return "killed"
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return "done"


def _clinic(folder: Path, key: bytes | None, visits: int = 20) -> None:
    with open_store(folder / "companion.db", key=key) as store:
        patient = store.create_patient(chart_number=CHART, display_name=NAME)
        for n in range(visits):
            visit = store.start_visit(patient.id, pain=n % 11)
            store.save_note(visit.id, "S", f"{NAME} note {n} " + "spasm " * 50)
        store.backup("auto")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _has_the_patient(folder: Path, key: bytes) -> bool:
    """Open as the app would next time; True if the clinic's patient is there."""
    with open_store(folder / "companion.db", key=key) as store:
        return [p.chart_number for p in store.find_patients(CHART)] == [CHART]


def _kill_at_every_step(
    template: Path, work: Path, operation: str, key: bytes, check: object
) -> Tally:
    tally = Tally()
    for kill_at in range(1, 200):
        trial = work / f"trial-{kill_at}"
        shutil.copytree(template, trial)
        outcome = _run(operation.replace("{trial}", str(trial)), trial, key, kill_at)
        check(trial, tally)  # type: ignore[operator]
        if outcome == "done":
            return tally
        tally.kills += 1
        shutil.rmtree(trial)
    raise AssertionError("the operation never finished")


def _damaged_clinic(folder: Path, key: bytes) -> None:
    folder.mkdir()
    _clinic(folder, key)
    with open(folder / "companion.db", "r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\xff" * 4096)


def test_kill_at_every_step_of_a_restore_never_leaves_an_empty_clinic(
    tmp_path: Path,
) -> None:
    """Damaged db restored at open, killed before each file step: next start has it."""
    key = secrets.token_bytes(32)
    template = tmp_path / "template"
    _damaged_clinic(template, key)

    def check(trial: Path, tally: Tally) -> None:
        if not _has_the_patient(trial, key):
            tally.lost += 1

    tally = _kill_at_every_step(template, tmp_path, "open", key, check)
    print(f"\nrestore at open: {tally}")
    assert tally.kills >= 5  # the steps really were cut: copy, journal, renames
    assert tally.lost == 0


def test_kill_at_every_step_of_the_restore_choice(tmp_path: Path) -> None:
    """Restoring a backup into a missing database, killed at each step: never empty.

    After each kill the next start either asks again (the database still
    missing) or opens the restored clinic; it never opens an empty one.
    """
    key = secrets.token_bytes(32)
    template = tmp_path / "template"
    template.mkdir()
    _clinic(template, key)
    (template / "companion.db").unlink()
    backup = list_backups(template / "backups")[0].path.name

    def check(trial: Path, tally: Tally) -> None:
        try:
            found = _has_the_patient(trial, key)
        except MissingDatabase as missing:
            chosen = missing.findings.newest_backup
            assert chosen is not None and chosen.path.name == backup
            restore_from_backup(trial / "companion.db", chosen.path, key)
            found = _has_the_patient(trial, key)
        if not found:
            tally.lost += 1

    operation = "restore:{trial}/backups/" + backup
    tally = _kill_at_every_step(template, tmp_path, operation, key, check)
    print(f"\nrestore choice: {tally}")
    assert tally.kills >= 4
    assert tally.lost == 0


def test_kill_at_every_step_of_the_upgrade_leaves_no_plain_text(
    tmp_path: Path,
) -> None:
    """Plain db and backups encrypted at open, killed at each step: data, no plain.

    After each kill the next start finishes the upgrade; then every file under
    the data folder is scanned for the patient's chart number and name.
    """
    key = secrets.token_bytes(32)
    template = tmp_path / "template"
    template.mkdir()
    _clinic(template, None)
    with open_store(template / "companion.db") as store:
        store.backup("daily")  # two plain backups to encrypt

    def check(trial: Path, tally: Tally) -> None:
        if not _has_the_patient(trial, key):
            tally.lost += 1
        leaks = files_containing(trial, (CHART, NAME))
        tally.leaked += len(leaks)
        assert leaks == [], leaks

    tally = _kill_at_every_step(template, tmp_path, "open", key, check)
    print(f"\nupgrade: {tally}")
    assert tally.kills >= 8
    assert tally.lost == 0 and tally.leaked == 0


def test_kills_at_random_moments_during_a_large_restore(tmp_path: Path) -> None:
    """A 3 MB restore SIGKILLed at random moments: the next start has the clinic."""
    key = secrets.token_bytes(32)
    template = tmp_path / "template"
    template.mkdir()
    _clinic(template, key, visits=1500)
    with open(template / "companion.db", "r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\xff" * 4096)
    assert (template / "companion.db").stat().st_size > 2.5 * 2**20
    rng = random.Random(14)
    tally = Tally()

    def start(trial: Path) -> subprocess.Popen[bytes]:
        shutil.copytree(template, trial)
        return subprocess.Popen(
            [
                sys.executable,
                "-I",
                str(KILLER),
                "open",
                str(trial / "companion.db"),
                str(trial / "backups"),
                key.hex(),
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    began = time.monotonic()
    start(tmp_path / "timing").wait()  # how long an uncut start with restore takes
    whole = time.monotonic() - began
    for trial_number in range(12):
        trial = tmp_path / f"random-{trial_number}"
        proc = start(trial)
        time.sleep(rng.uniform(0.2, 0.95) * whole)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        tally.kills += proc.returncode == -signal.SIGKILL
        if not _has_the_patient(trial, key):
            tally.lost += 1
        shutil.rmtree(trial)
    print(f"\nrandom kills in a large restore: {tally}")
    assert tally.kills >= 6 and tally.lost == 0
