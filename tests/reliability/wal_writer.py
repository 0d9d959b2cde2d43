"""Subprocess: save N acknowledged visits on the encrypted store, then SIGKILL itself.

The kill leaves the WAL as the app would after a crash: never checkpointed.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from companion.store import open_store


def main(db_path: str, key_hex: str, count: int) -> None:
    """Print each visit id once its COMMIT returned; then die without cleanup."""
    store = open_store(Path(db_path), key=bytes.fromhex(key_hex))
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")  # every save stays in the WAL
    patient = store.create_patient(initials="WL")
    for n in range(count):
        visit = store.start_visit(patient.id, pain=n % 11)
        store.save_note(visit.id, "S", f"wal note {n} " + "spasm " * 20)
        print(visit.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
