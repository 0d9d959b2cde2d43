"""Bench row: the GUI thread's longest wait for a save under a foreign write lock."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from companion.core.records import SECTIONS

# The busy timeout the window's connection had before one_attempt: each
# statement of a flush waited this long under a foreign lock.
OLD_GUI_BUSY_TIMEOUT_S = 0.02


def bench_busy_save(runs: int, folder: Path, key: bytes | None, frame_ms: float) -> Any:
    """A flush of four typed SOAP sections under another connection's BEGIN
    IMMEDIATE: NoteAutosave.flush as the window runs it (one attempt, the app's
    busy timeout) against the old path (the same drafts and revisions, one
    statement after another, each waiting out the old 20 ms timeout). Both are
    synchronous on the calling (GUI) thread, so the time each takes is the stall.
    """
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from companion.app import GUI_BUSY_TIMEOUT_S
    from companion.bench import Row
    from companion.store import open_store
    from companion.store.cipher import connect
    from companion.ui.note_autosave import NoteAutosave
    from companion.ui.ops import ClinicOps

    _app = QApplication.instance() or QApplication([sys.argv[0]])
    times: dict[str, list[float]] = {"new": [], "old": []}
    sides = {"new": GUI_BUSY_TIMEOUT_S, "old": OLD_GUI_BUSY_TIMEOUT_S}
    for name, timeout in sides.items():
        db_path = folder / name / "companion.db"
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with open_store(db_path, key=key, busy_timeout=timeout) as store:
            ops = ClinicOps(store)
            ops.create_patient(chart_number="BUSY")
            visit = ops.start_visit().value
            assert visit is not None
            editors = {s: QPlainTextEdit() for s in SECTIONS}
            autosave = NoteAutosave(ops, editors)
            autosave.load(visit.id)
            other = connect(db_path, key)
            try:
                for run in range(runs):
                    for section, editor in editors.items():
                        editor.setPlainText(f"{section} typed, try {run}")
                    other.execute("BEGIN IMMEDIATE")
                    began = time.perf_counter()
                    if name == "new":
                        autosave.flush()
                    else:
                        for section, editor in editors.items():
                            ops.save_draft(visit.id, section, editor.toPlainText())
                        for section, editor in editors.items():
                            ops.commit_note(visit.id, section, editor.toPlainText())
                    times[name].append((time.perf_counter() - began) * 1000)
                    other.execute("ROLLBACK")
            finally:
                other.close()
                autosave.commit_timer.stop()
    value, base = max(times["new"]), max(times["old"])
    return Row(
        "longest GUI stall while another program holds the write lock",
        value,
        base,
        "ms",
        f"≤ {frame_ms:.0f} ms (a frame)",
        value <= frame_ms,
        "flush of 4 typed sections under a foreign BEGIN IMMEDIATE, worst of"
        f" {runs}; baseline = the old path: 8 statements ×"
        f" {OLD_GUI_BUSY_TIMEOUT_S * 1000:.0f} ms busy timeout, one after another",
    )
