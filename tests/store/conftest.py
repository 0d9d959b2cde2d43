"""Fixtures: a real store on disk in a temporary folder, closed after each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.store import Patient, Store, Visit, open_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "clinic" / "companion.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """An open store on a fresh database file."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    opened = open_store(db_path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def patient(store: Store) -> Patient:
    """A saved patient with a chart number."""
    return store.create_patient(chart_number="C-100", initials="AB", display_name="Ana")


@pytest.fixture
def visit(store: Store, patient: Patient) -> Visit:
    """A saved visit for the fixture patient."""
    return store.start_visit(patient.id)
