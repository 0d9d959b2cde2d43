"""Subprocess for the crash test: save visits and notes forever, acking each save."""

from __future__ import annotations

import sys
from pathlib import Path

# Run with `python -I`, so the project root has to be put on the path by hand.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from companion.store import open_store


def note_text(visit_id: str, section: str) -> str:
    """The note the writer saves for a visit, so the test can check it exactly."""
    return f"{section} note for {visit_id}: dolor lumbar 😀 \x00 end"


def main(db_path: str, key_hex: str = "") -> None:
    """Save until killed; print a visit id only after its last COMMIT returned.

    With a key (hex) the store is encrypted, as the app keeps it.
    """
    store = open_store(Path(db_path), key=bytes.fromhex(key_hex) if key_hex else None)
    patient = store.create_patient(initials="KW")
    out = sys.stdout
    n = 0
    while True:
        visit = store.start_visit(patient.id, pain=n % 11)
        store.save_note(visit.id, "S", note_text(visit.id, "S"))
        store.save_note(visit.id, "P", note_text(visit.id, "P"))
        store.save_draft("current-visit", visit.id)
        out.write(visit.id + "\n")
        out.flush()
        n += 1


if __name__ == "__main__":
    main(*sys.argv[1:3])
