"""Subprocess for the read-only start test: pick a language, lock files, restart."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

NOBODY = 65534


def main(home: Path, language: str, as_nobody: bool) -> int:
    """Print REFUSED: <message> (5) when the restart is refused, else OPENED (0)."""
    from companion.app import StartupError, build_ready
    from companion.store.lock import lock_path_for

    # The first run also loads every module the second needs: as nobody, the
    # interpreter's own library (under root's home) may be unreadable.
    window = build_ready(["--data-dir", str(home)])
    # The background full check writes its marker beside the database when it
    # ends: let it, so the folder is not changing while its owner is changed.
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + 30
    while window.background_check.running and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    window.state.set_language(language)
    database = window.ops.store.path
    window.close()  # saves the language with the settings, releases the lock
    if as_nobody:
        # Root ignores file permissions; an unprivileged user meets them for real.
        for path in (home, *home.rglob("*")):
            os.chown(path, NOBODY, NOBODY)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    # The database and its lock file can no longer be written. Not the folder:
    # the app makes its own folder writable again for its owner at start.
    for path in (database, lock_path_for(database)):
        path.chmod(0o444)
    try:
        again = build_ready(["--data-dir", str(home)])
    except StartupError as error:
        print(f"REFUSED: {error}", flush=True)
        return 5
    again.close()
    print("OPENED", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), sys.argv[2], "--as-nobody" in sys.argv))
