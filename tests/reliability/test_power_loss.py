"""Power cuts: the disk keeps only what was fsynced; every acknowledged save survives.

A child process saves visits on the encrypted store through the app's save
path, under an LD_PRELOAD shim (fsync_log.c, compiled here with `cc`) that logs
every write, truncate and fsync on the data folder. Each cut point of that log
is rebuilt as a power cut would leave the files (power_cut.py): only what was
synced, or that plus any subset, or a torn prefix, of the unsynced writes.
The rebuilt clinic is opened through the normal open path.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from companion.store import open_store
from tests.reliability import power_cut
from tests.reliability.visit_writer import note_text

HERE = Path(__file__).parent
WRITER = HERE / "powerloss_writer.py"
SAVES = 120  # enough for the WAL to be checkpointed into the database (1,000 pages)
CUTS = 20
pytestmark = [
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="LD_PRELOAD, Linux"
    ),
    pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)"),
]


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shim") / "fsync_log.so"
    build = subprocess.run(
        [
            "cc",
            "-shared",
            "-fPIC",
            "-O1",
            "-o",
            str(out),
            str(HERE / "fsync_log.c"),
            "-ldl",
        ],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.skip(f"the fsync-logging shim does not compile here: {build.stderr}")
    return out


def _run_writer(
    shim: Path, folder: Path, key: bytes, *extra: str
) -> tuple[dict[str, bytes], list[power_cut.Op]]:
    """A clinic made and closed cleanly (the snapshot), then a writer under the shim."""
    db = folder / "companion.db"
    with open_store(db, key=key) as store:
        store.create_patient(initials="SN")
    os.sync()
    before = power_cut.snapshot(folder)
    log = folder.parent / f"{folder.name}.log"
    env = dict(os.environ, LD_PRELOAD=str(shim), PL_DIR=str(folder), PL_LOG=str(log))
    proc = subprocess.run(
        [sys.executable, "-I", str(WRITER), str(db), key.hex(), str(SAVES), *extra],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode(errors="replace")
    ops = power_cut.read_log(log)
    assert len(power_cut.acks(ops)) == SAVES, "the shim must see every ack"
    return before, ops


def _cut_points(ops: list[power_cut.Op], db: Path, rng: random.Random) -> list[int]:
    """Random points, some inside checkpoints (writes into the database file),
    and the end (the writer's own SIGKILL)."""
    into_db = [
        i + 1 for i, op in enumerate(ops) if op.kind == "W" and op.path == str(db)
    ]
    points = set(rng.sample(range(1, len(ops)), CUTS // 2))
    points.update(rng.sample(into_db, min(len(into_db), CUTS // 2 - 1)))
    points.add(len(ops))
    return sorted(points)


def _lost(folder: Path, key: bytes, acked: list[str]) -> tuple[int, str]:
    """(acknowledged visits missing or changed, damage found at open) after a cut."""
    with open_store(folder / "companion.db", key=key) as store:
        damage = "" if store.recovery is None else repr(store.recovery)
        notes = dict(
            store.conn.execute("SELECT visit_id || section, text FROM note_revisions")
        )
        visits = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        ok, messages = store.check_integrity()
        if not ok:
            damage += f" integrity: {messages}"
    lost = sum(
        1
        for v in acked
        if v not in visits or any(notes.get(v + s) != note_text(v, s) for s in "SP")
    )
    return lost, damage


@pytest.mark.slow
def test_every_acknowledged_save_survives_a_power_cut(shim: Path, tmp_path: Path):
    """20 cut points × (synced only, + a random subset, + a torn prefix of the
    unsynced writes): 0 acknowledged saves lost, the store opens undamaged."""
    key = secrets.token_bytes(32)
    folder = tmp_path / "clinic"
    before, ops = _run_writer(shim, folder, key)
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    points = _cut_points(ops, folder / "companion.db", rng)
    assert len(points) >= CUTS
    assert any(op.kind == "S" for op in ops), "the shim saw no fsync at all"
    syncs_in_db = sum(1 for op in ops if op.kind == "S" and op.path.endswith(".db"))
    trials = lost = 0
    for n, point in enumerate(points):
        acked = power_cut.acks(ops[:point])
        for mode in power_cut.MODES:
            dest = tmp_path / f"cut{n}-{mode}"
            power_cut.rebuild(before, ops[:point], mode, rng, folder, dest)
            missing, damage = _lost(dest, key, acked)
            assert not damage, f"cut {point} ({mode}, seed {seed}): {damage}"
            lost += missing
            trials += 1
            shutil.rmtree(dest)
    print(
        f"\npower cuts: {len(points)} points × {len(power_cut.MODES)} = {trials}"
        f" trials, {len(ops)} logged ops, {syncs_in_db} database fsyncs"
        f" (checkpoints), {lost} acknowledged saves lost, seed {seed}"
    )
    assert lost == 0


@pytest.mark.slow
def test_the_simulation_catches_a_store_that_skips_fsync(shim: Path, tmp_path: Path):
    """The same harness on a writer with synchronous=OFF loses acknowledged saves:
    the simulation can tell durable from merely written."""
    key = secrets.token_bytes(32)
    folder = tmp_path / "clinic"
    before, ops = _run_writer(shim, folder, key, "--no-sync")
    dest = tmp_path / "cut"
    power_cut.rebuild(before, ops, "synced", random.Random(0), folder, dest)
    missing, _damage = _lost(dest, key, power_cut.acks(ops))
    assert missing > 0
