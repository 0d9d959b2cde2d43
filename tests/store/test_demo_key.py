"""The demo clinic opens with its published fixed key: no passphrase, no keychain."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from companion.demo import DEMO_KEY, DEMO_PREFIX, open_demo_store
from companion.store import open_store
from companion.store.cipher import is_plain_database
from companion.store.keys import keyinfo_path


def test_the_demo_is_encrypted_with_the_fixed_key(tmp_path: Path) -> None:
    """A first run builds an encrypted demo that the fixed key opens again."""
    db = tmp_path / "demo" / "companion.db"
    with open_demo_store(db) as store:
        assert store.encrypted and store.key == DEMO_KEY
        charts = {p.chart_number for p in store.find_patients(DEMO_PREFIX)}
    assert charts and all(c.startswith(DEMO_PREFIX) for c in charts)
    assert not is_plain_database(db)
    assert not keyinfo_path(db).exists()  # nothing for a keychain to hold
    with open_store(db, key=DEMO_KEY) as again:
        assert {p.chart_number for p in again.find_patients(DEMO_PREFIX)} == charts
    with open_demo_store(db) as twice:  # a second start adds no one
        assert len(twice.find_patients(DEMO_PREFIX, limit=100)) == len(charts)


def test_an_older_demo_under_another_key_is_kept_aside(tmp_path: Path) -> None:
    """A demo made with a keychain key is renamed aside untouched; a fresh one opens."""
    db = tmp_path / "demo" / "companion.db"
    with open_store(db, key=secrets.token_bytes(32)) as old:
        old.create_patient(chart_number="OLD-1")
    old_hash = hashlib.sha256(db.read_bytes()).hexdigest()
    with open_demo_store(db) as store:
        assert store.find_patients("OLD-") == []
        assert store.find_patients(DEMO_PREFIX)
    kept = [p for p in db.parent.iterdir() if ".old-key-" in p.name]
    main = [p for p in kept if p.name.endswith(tuple("0123456789"))]
    assert len(main) == 1
    assert hashlib.sha256(main[0].read_bytes()).hexdigest() == old_hash
