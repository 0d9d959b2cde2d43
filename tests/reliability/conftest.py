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


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """An open store on a fresh database file."""
    opened = open_store(db_path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def patient(store: Store) -> Patient:
    """A saved patient."""
    return store.create_patient(chart_number="R-1")
