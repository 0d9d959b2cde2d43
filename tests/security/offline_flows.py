"""Subprocess for the offline test: forbid sockets, then run start-up and main flows."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

FORBIDDEN = ("socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo")
attempts: list[str] = []


def _no_network(event: str, _args: tuple) -> None:
    if event in FORBIDDEN:
        attempts.append(event)
        raise RuntimeError(f"network access attempted: {event}")


def _refuse(*_args: object, **_kwargs: object) -> None:
    attempts.append("create_connection()")
    raise RuntimeError("socket creation is forbidden in this test")


class _RefusedSocket(socket.socket):
    """Still a class (ssl subclasses socket.socket at import), never constructible."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        attempts.append("socket()")
        raise RuntimeError("socket creation is forbidden in this test")


sys.addaudithook(_no_network)
socket.socket = _RefusedSocket  # type: ignore[misc]
socket.create_connection = _refuse  # type: ignore[assignment]


def main(home: str, chart: str, name: str, note: str) -> int:
    """Start the app on home, create, note, search, export and back up; print OK."""
    from companion.app import application, build_ready
    from companion.ui.notes_search import NotesSearchDialog

    app = application()
    window = build_ready(["--data-dir", home])
    session = window.ops
    session.create_patient(chart_number=chart, display_name=name)
    window.clinic.new_visit()
    editor = window.clinic.editor
    editor.notes["S"].setPlainText(note)
    editor.autosave.flush()
    app.processEvents()
    hits = session.store.search_notes(note.split()[-1])
    assert hits, "search found nothing"
    dialog = NotesSearchDialog(session, window.state.strings, window)
    dialog.query.setText(note.split()[-1])
    dialog.run_search()  # on a worker: wait for its answer
    for _ in range(500):
        if not dialog.searching:
            break
        app.processEvents()
        time.sleep(0.01)
    assert dialog.results.count() == 1
    exported = window.export_to(str(Path(home) / "exports"))
    assert exported is not None
    window.backups.request("auto")
    assert window.backups.wait(), "the backup did not finish"
    assert session.store.audit_log()
    window.close()
    app.processEvents()
    if attempts:
        print("NETWORK:", attempts)
        return 1
    print("OFFLINE OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:5]))
