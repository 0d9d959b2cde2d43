"""A spy around the real backup copy: which thread ran it, in what order, held."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from companion.store import backup as backup_module
from companion.store.cipher import connect

HOLD_LIMIT_S = 30.0  # only so a broken test fails instead of hanging


@dataclass
class CopySpy:
    """Wraps backup._copy: records each call, then runs the real copy.

    With hold set, each copy first opens a read transaction on its source (the
    snapshot the copy will take), signals snapshot_taken, and waits for
    release: the test can then act while a backup is mid-copy.
    """

    hold: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    snapshot_taken: threading.Event = field(default_factory=threading.Event)
    # ("enter" | "exit", thread id, backup file name), in the order they happened.
    events: list[tuple[str, int, str]] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> CopySpy:
        real = backup_module._copy

        def spy(conn: Any, dest: Path, key: bytes | None) -> None:
            name = dest.name.removeprefix(".").removesuffix(".partial")
            self._note("enter", name)
            self.sources.append(conn)
            try:
                if self.hold:
                    conn.execute("BEGIN")
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    self.snapshot_taken.set()
                    assert self.release.wait(HOLD_LIMIT_S), "test never released"
                real(conn, dest, key)
                if self.hold:
                    conn.commit()
            finally:
                self._note("exit", name)

        monkeypatch.setattr(backup_module, "_copy", spy)
        return self

    def _note(self, what: str, name: str) -> None:
        with self._lock:
            self.events.append((what, threading.get_ident(), name))

    @property
    def threads(self) -> set[int]:
        """Every thread that ran a copy."""
        return {thread for _, thread, _ in self.events}

    @property
    def copied(self) -> list[str]:
        """Backup file names, in the order their copies finished."""
        return [name for what, _, name in self.events if what == "exit"]

    def never_overlapped(self) -> bool:
        """True when each copy ended before the next began."""
        kinds = [what for what, _, _ in self.events]
        return kinds == ["enter", "exit"] * (len(kinds) // 2)


def chart_numbers(path: Path, key: bytes) -> list[str]:
    """The chart numbers in a backup file (opened read-only with its key)."""
    conn = connect(path, key, readonly=True)
    try:
        rows = conn.execute("SELECT chart_number FROM patients ORDER BY 1")
        return [chart for (chart,) in rows]
    finally:
        conn.close()
