"""Fixtures for reliability tests: a real store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.store import Patient, Store, open_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "companion.db"


# Every test taking `key` runs twice: on plain SQLite (tools, tests) and on the
# SQLCipher store as the app keeps it.
ENCRYPTED_KEY = bytes(range(32))


@pytest.fixture(params=[None, ENCRYPTED_KEY], ids=["plain", "encrypted"])
def key(request: pytest.FixtureRequest) -> bytes | None:
    """None for a plain database, else the 32-byte key of an encrypted one."""
    return request.param


@pytest.fixture
def store(db_path: Path, key: bytes | None) -> Iterator[Store]:
    """An open store on a fresh database file (plain, then encrypted)."""
    opened = open_store(db_path, key=key)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def patient(store: Store) -> Patient:
    """A saved patient."""
    return store.create_patient(chart_number="R-1")
