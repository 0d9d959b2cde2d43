"""The audit verifier on a read-only mount: it works, and creates no file there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from companion import audit_verify
from companion.store import open_store
from companion.store.keys import database_key

WAL_WRITER = Path(__file__).parents[1] / "reliability" / "wal_writer.py"
ReadOnly = Callable[[Path], Path]


@pytest.fixture
def read_only_view(tmp_path: Path) -> Iterator[ReadOnly]:
    """view(folder) -> the same folder through a read-only bind mount."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs Linux and root")
    views: list[Path] = []

    def view(folder: Path) -> Path:
        point = tmp_path / f"ro{len(views)}"
        point.mkdir()
        for args in (
            ["mount", "--bind", str(folder), str(point)],
            ["mount", "-o", "remount,bind,ro", str(point)],
        ):
            done = subprocess.run(args, capture_output=True, text=True)
            if done.returncode != 0:
                subprocess.run(["umount", str(point)], capture_output=True)
                pytest.skip(f"cannot make a read-only bind mount: {done.stderr}")
        views.append(point)
        # As root, only the mount itself stops writes: prove it does.
        with pytest.raises(OSError):
            (point / "probe").write_text("x")
        return point

    try:
        yield view
    finally:
        for point in reversed(views):
            subprocess.run(["umount", "-l", str(point)], check=False)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_verifier_on_a_read_only_mount(
    tmp_path: Path, read_only_view: ReadOnly, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cleanly closed clinic (no -wal/-shm) on read-only media verifies OK."""
    home = tmp_path / "home"
    home.mkdir()
    db = home / "companion.db"
    key = database_key(db)
    with open_store(db, key=key, backup_dir=home / "backups") as store:
        store.audit("backup", "one")
        store.backup("auto")
    before = _files(home)
    view = read_only_view(home)
    assert audit_verify.main(["--data-dir", str(view)]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 audit rows")
    assert _files(home) == before  # no -wal, -shm or lock was made


def test_verifier_reads_a_crashed_wal_on_a_read_only_mount(
    tmp_path: Path, read_only_view: ReadOnly, capsys: pytest.CaptureFixture[str]
) -> None:
    """A WAL left by a killed app holds audit rows: they are read (not skipped),
    and still no file appears on the read-only media."""
    home = tmp_path / "home"
    home.mkdir()
    db = home / "companion.db"
    key = database_key(db)
    with open_store(db, key=key, backup_dir=home / "backups") as store:
        store.backup("auto")
    proc = subprocess.run(
        [sys.executable, "-I", str(WAL_WRITER), str(db), key.hex(), "5"],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode(errors="replace")
    assert (home / "companion.db-wal").stat().st_size > 0
    with open_store(db, key=key) as store:  # what the rows are, read normally
        (rows,) = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()
    # That reopen checkpointed; kill another writer so the WAL holds rows again.
    proc = subprocess.run(
        [sys.executable, "-I", str(WAL_WRITER), str(db), key.hex(), "3"],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL
    # The -shm is lost (copied without it, or a reboot's tmp clean-up): SQLite
    # could not make one on the read-only media.
    (home / "companion.db-shm").unlink()
    before = _files(home)
    view = read_only_view(home)
    assert audit_verify.main(["--data-dir", str(view)]) == 0
    out = capsys.readouterr().out
    count = int(out.split()[1])
    assert count > rows  # the second writer's rows, only in the WAL, were read
    assert _files(home) == before
