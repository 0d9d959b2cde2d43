"""Benchmark: note-search excerpts against FTS5's snippet(), notes of growing size.

Run: .venv/bin/python -m tests.store.bench_search_excerpt
Each note repeats the searched word all through (the worst case the attack run
found); the baseline is FTS5's own snippet() on the same database in the same
run. Prints seconds per search and the ratio; nothing is asserted.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from companion.store import open_store

SIZES_KB = (64, 128, 256, 512)  # snippet() takes 76 s at 976 KB
SNIPPET = """
    SELECT snippet(notes_fts, 0, '[', ']', '…', 12) FROM notes_fts
    WHERE notes_fts MATCH 'lumbar'
"""


def _best(run, tries: int = 3) -> float:
    best = float("inf")
    for _ in range(tries):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    print(
        f"{'note KB':>8} {'ours s':>9} {'snippet() s':>12} {'ratio':>7}"
        f" {'ours, word only at the end s':>29}"
    )
    for kb in SIZES_KB:
        with (
            tempfile.TemporaryDirectory() as folder,
            open_store(Path(folder) / "bench.db") as store,
        ):
            patient = store.create_patient(initials="BE")
            visit = store.start_visit(patient.id)
            text = "spasm lumbar " * (kb * 1024 // 13)
            store.save_note(visit.id, "S", text)
            ours = _best(lambda: store.search_notes("lumbar"))
            theirs = _best(lambda: store.conn.execute(SNIPPET).fetchall(), 1)
            # One match at the very end: our excerpt reads the whole note.
            store.save_note(visit.id, "S", "spasm " * (kb * 1024 // 6) + "lumbar")
            at_end = _best(lambda: store.search_notes("lumbar"))
        print(
            f"{kb:>8} {ours:>9.4f} {theirs:>12.3f} {theirs / ours:>7.0f}"
            f" {at_end:>29.4f}"
        )


if __name__ == "__main__":
    main()
