"""A real full disk (a small tmpfs mounted by the test, as root): clear words, no loss.

Unlike max_page_count (test_disk_full.py), the operating system itself says
ENOSPC here: to SQLite's WAL and database writes, to the backup's copy, to
the restore's copy, to the markers beside the database.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from companion.core.i18n import strings
from companion.store import StoreError, StoreFull, open_store
from companion.store.recovery import restore
from companion.ui.error_text import error_text

Mount = Callable[[str], Path]
NOTE = "dictated over the whole visit, dolor lumbar " * 200  # ~9 KB a note


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Mount]:
    """mount(size) -> a fresh tmpfs of that size; unmounted after the test."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs Linux and root")
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            [
                "mount",
                "-t",
                "tmpfs",
                "-o",
                f"size={size},mode=0700",
                "tmpfs",
                str(point),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    try:
        yield mount
    finally:
        for point in mounted:
            subprocess.run(["umount", "-l", str(point)], check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """A ballast file taking all the free space but about `leave` bytes."""
    ballast = folder / "ballast"
    stat = os.statvfs(folder)
    room = stat.f_bavail * stat.f_frsize - leave
    chunk = b"\xa5" * (1 << 16)
    with open(ballast, "ab") as out:
        try:
            while room > 0:
                room -= out.write(chunk[: min(len(chunk), room)] or chunk[:1])
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return ballast


def _plain_words(message: str) -> None:
    for raw in ("OperationalError", "DatabaseError", "Errno", "Traceback", "(<"):
        assert raw not in message, message


def _messages(error: BaseException) -> tuple[str, str]:
    return error_text(error, strings("en")), error_text(error, strings("es"))


def test_saves_until_the_disk_is_full_then_again_after_room(small_disk: Mount):
    """Encrypted clinic on a 4 MB disk: save until ENOSPC; the refusal is a clear,
    translated StoreFull; every acknowledged save is there after reopening on
    the still full disk; after freeing space saving works again."""
    disk = small_disk("4m")
    db = disk / "companion.db"
    key = secrets.token_bytes(32)
    acked: list[str] = []
    with open_store(db, key=key) as store:
        patient = store.create_patient(initials="DF")
        ballast = fill(disk, leave=1_200_000)
        with pytest.raises(StoreFull) as raised:
            for n in range(10_000):
                visit = store.start_visit(patient.id, pain=n % 11)
                store.save_note(visit.id, "S", f"{n} {NOTE}")
                acked.append(visit.id)
        assert len(acked) > 5
        english, spanish = _messages(raised.value)
        assert "disk is full" in english and "earlier work is safe" in english
        assert "disco" in spanish
        _plain_words(english)
        _plain_words(spanish)
        assert not store.conn.in_transaction
    with open_store(db, key=key) as store:  # the disk is still full
        notes = store.conn.execute("SELECT visit_id, text FROM note_revisions")
        found = {v: t for v, t in notes}
        for n, visit_id in enumerate(acked):
            assert found[visit_id] == f"{n} {NOTE}"
        ballast.unlink()
        visit = store.start_visit(patient.id)
        store.save_note(visit.id, "S", "after room was made")
        assert store.check_integrity() == (True, [])


def _clinic(db: Path, key: bytes, visits: int) -> None:
    with open_store(db, key=key, backup_dir=db.parent / "backups") as store:
        patient = store.create_patient(initials="BK")
        for n in range(visits):
            visit = store.start_visit(patient.id)
            store.save_note(visit.id, "S", f"{n} {NOTE}")


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_a_backup_onto_a_full_disk(small_disk: Mount, tmp_path: Path):
    """A backup that runs out of room: a clear message (not OperationalError),
    no .partial or -journal left in the backup folder, the database untouched."""
    db = tmp_path / "live" / "companion.db"
    key = secrets.token_bytes(32)
    _clinic(db, key, visits=200)  # ~2 MB
    target = small_disk("1m")
    with open_store(db, key=key, backup_dir=target) as store:
        before = store.conn.execute("SELECT count(*) FROM note_revisions").fetchone()
        with pytest.raises(StoreError) as raised:
            store.backup("auto")
        english, spanish = _messages(raised.value)
        _plain_words(english)
        _plain_words(spanish)
        assert str(target) in english
        assert "full" in english and "llena" in spanish
        assert sorted(p.name for p in target.iterdir()) == []
        after = store.conn.execute("SELECT count(*) FROM note_revisions").fetchone()
        assert after == before
        assert store.check_integrity() == (True, [])


def test_a_restore_onto_a_full_disk(small_disk: Mount, tmp_path: Path):
    """A restore whose copy does not fit: a clear message, no .restoring or
    journal left, the live database byte for byte as it was and still opening."""
    key = secrets.token_bytes(32)
    big = tmp_path / "big" / "companion.db"
    _clinic(big, key, visits=200)
    disk = small_disk("1m")
    live = disk / "companion.db"
    _clinic(live, key, visits=2)
    for side in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            assert not (disk / f"companion.db{side}").exists()
    files_before = sorted(p.name for p in disk.rglob("*"))
    digest = _digest(live)
    with pytest.raises(StoreError) as raised:
        restore(big, live, key)
    english, spanish = _messages(raised.value)
    _plain_words(english)
    _plain_words(spanish)
    assert "full" in english and "llena" in spanish
    assert "left as it was" in english
    assert sorted(p.name for p in disk.rglob("*")) == files_before
    assert _digest(live) == digest
    with open_store(live, key=key) as store:
        assert store.recovery is None
        count = store.conn.execute("SELECT count(*) FROM visits").fetchone()[0]
        assert count == 2


def test_typing_on_a_full_disk_is_kept_and_saved_after_room(
    small_disk: Mount, launch: Callable[..., object], qtbot: object
):
    """The app with its data folder on a small disk: when the disk fills, the
    save is refused with the translated message, the typing stays on screen,
    and once space is freed the retry saves it."""
    disk = small_disk("24m")
    window = launch(disk / "home")
    window.ops.create_patient(chart_number="FULL-1")  # type: ignore[attr-defined]
    window.state.select("L4")  # type: ignore[attr-defined]
    window.clinic.new_visit()  # type: ignore[attr-defined]
    editor = window.clinic.editor  # type: ignore[attr-defined]
    ballast = fill(disk)
    typed = "Typed on a full disk " + NOTE
    editor.notes["S"].setPlainText(typed)
    assert not editor.autosave.flush()
    message = editor.error_banner.text()
    assert "disk is full" in message, message
    _plain_words(message)
    assert editor.notes["S"].toPlainText() == typed
    assert editor.autosave.commit_timer.isActive()
    ballast.unlink()
    editor.autosave.commit_timer.timeout.emit()
    assert window.ops.current_notes()["S"].text == typed  # type: ignore[attr-defined]
    assert editor.error_banner.isHidden()
