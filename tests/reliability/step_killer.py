"""Subprocess: run one start-up recovery step and SIGKILL itself at its Nth file step.

The file steps are the calls that change what is on disk: os.replace, os.rename,
os.unlink and os.fsync. Before the Nth of them the process kills itself with a
real SIGKILL (no cleanup, no finally blocks), exactly as a power cut or a
task-manager kill would stop it there. With N beyond the last step the
operation finishes and the process prints DONE and the number of steps.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from companion.store import open_store
from companion.store.start_choices import restore_from_backup

_steps = 0


def _killing(real: Callable[..., Any], kill_at: int) -> Callable[..., Any]:
    def step(*args: Any, **kwargs: Any) -> Any:
        global _steps
        _steps += 1
        if _steps == kill_at:
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    return step


def main(operation: str, db: str, backups: str, key_hex: str, kill_at: int) -> None:
    """Run operation ("open" or "restore:<backup path>") with kills armed."""
    key = bytes.fromhex(key_hex) if key_hex else None
    for name in ("replace", "rename", "unlink", "fsync"):
        setattr(os, name, _killing(getattr(os, name), kill_at))
    if operation == "open":
        open_store(Path(db), backup_dir=Path(backups), key=key).close()
    else:
        restore_from_backup(Path(db), Path(operation.split(":", 1)[1]), key)
    print(f"DONE {_steps}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
