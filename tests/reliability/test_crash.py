"""Kill a writing process at random moments; every acknowledged save must survive."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from companion.store import open_store
from companion.store.lock import InstanceLock
from tests.reliability.visit_writer import note_text

WRITER = Path(__file__).with_name("visit_writer.py")
LANES = 2  # one database per lane, run side by side on the two cores
ROUNDS_PER_LANE = 100
KEYS = (None, bytes(range(32)))
pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"
)


def _one_kill(db: Path, rng: random.Random, key: bytes | None) -> list[str]:
    """Start the writer, wait for an ack, let it run 5–50 ms, SIGKILL it."""
    extra = [key.hex()] if key else []
    proc = subprocess.Popen(
        [sys.executable, "-I", str(WRITER), str(db), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # A writer stuck before its first ack would hang the suite; kill it instead.
    watchdog = threading.Timer(30, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        if first:
            time.sleep(rng.uniform(0.005, 0.050))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        rest = proc.stdout.read()
        errors = proc.stderr.read().decode(errors="replace")
    finally:
        watchdog.cancel()
        proc.stdout.close()
        proc.stderr.close()
    assert first, f"writer never acknowledged a save: {errors}"
    assert proc.returncode == -signal.SIGKILL
    lines = (first + rest).decode().splitlines()
    # A line cut short by the kill was never a complete acknowledgement.
    return [line for line in lines if len(line) == 32]


def _check(db: Path, acked: set[str], key: bytes | None) -> None:
    """Reopen (proving the lock died) and find every acked visit with its notes."""
    probe = InstanceLock(db)
    probe.acquire()  # raises StoreLocked if the killed process still held it
    probe.release()
    with open_store(db, key=key) as store:
        assert store.recovery is None
        visits = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        missing = acked - visits
        assert not missing, f"{len(missing)} acknowledged visits lost"
        notes = dict(
            store.conn.execute(
                "SELECT visit_id || section, text FROM note_revisions"
            ).fetchall()
        )
        for visit_id in acked:
            for section in "SP":
                assert notes[visit_id + section] == note_text(visit_id, section)
        ok, messages = store.check_integrity()
        assert ok, messages


def _lane(folder: Path, seed: int, key: bytes | None) -> tuple[int, int]:
    rng = random.Random(seed)
    folder.mkdir()
    db = folder / "companion.db"
    acked: set[str] = set()
    for _ in range(ROUNDS_PER_LANE):
        acked.update(_one_kill(db, rng, key))
        _check(db, acked, key)
    return ROUNDS_PER_LANE, len(acked)


@pytest.mark.slow
def test_acknowledged_saves_survive_sigkill(tmp_path: Path) -> None:
    """Over 200 kills, no acknowledged visit or note is lost and the file is intact."""
    seed = random.randrange(2**32)
    with ThreadPoolExecutor(LANES) as pool:
        futures = [
            # Lane 0 plain SQLite, lane 1 the encrypted store as the app keeps it.
            pool.submit(_lane, tmp_path / f"lane{n}", seed + n, KEYS[n % 2])
            for n in range(LANES)
        ]
        results = [f.result() for f in futures]
    rounds = sum(r for r, _ in results)
    saves = sum(a for _, a in results)
    print(f"\ncrash test: {rounds} kills, {saves} acknowledged visits, seed {seed}")
    assert rounds >= 200
    assert saves >= rounds  # every round acknowledged at least one save
