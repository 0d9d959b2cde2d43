"""Subprocess for the power-loss test: save visits on the encrypted store, acking each.

Runs under the fsync-logging shim (fsync_log.c); prints each visit id once its
last COMMIT returned, then SIGKILLs itself after `count` saves.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from companion.store import open_store
from tests.reliability.visit_writer import note_text


def main(db_path: str, key_hex: str, count: int) -> None:
    """The app's save path (as visit_writer), encrypted, `count` acknowledged visits."""
    store = open_store(Path(db_path), key=bytes.fromhex(key_hex))
    if "--no-sync" in sys.argv:
        # Only for the test that proves the simulation catches a missing fsync.
        store.conn.execute("PRAGMA synchronous = OFF")
    patient = store.create_patient(initials="PL")
    out = sys.stdout
    for n in range(count):
        visit = store.start_visit(patient.id, pain=n % 11)
        store.save_note(visit.id, "S", note_text(visit.id, "S"))
        store.save_note(visit.id, "P", note_text(visit.id, "P"))
        store.save_draft("current-visit", visit.id)
        out.write(visit.id + "\n")
        out.flush()
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
