"""Open the records the way the app now does: constant-time checks at open, then
the full check on a worker; damage it finds is recovered by reopening."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.store import Store, open_store


def open_after_full_check(db: Path, **options: Any) -> Store:
    """open_store, then the background full check; reopen when it finds damage."""
    store = open_store(db, **options)
    if store.recovery is not None:
        return store  # the checks at open already caught it
    try:
        outcome = store.full_check_job().run()
    except BaseException:
        store.close()
        raise
    if outcome.sound:
        return store
    store.close()
    return open_store(db, **options)
