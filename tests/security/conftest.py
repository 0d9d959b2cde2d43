"""Fixtures for security tests: a random key, sentinel patient data, text scanners."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Sentinels:
    """Patient strings that must never appear in plain bytes or a locked window."""

    chart: str
    name: str
    note: str

    def all(self) -> tuple[str, ...]:
        return (self.chart, self.name, self.note)


@pytest.fixture
def sentinels() -> Sentinels:
    """Unique, searchable patient data for this test."""
    tag = secrets.token_hex(4).upper()
    return Sentinels(
        chart=f"CHART{tag}",
        name=f"Zebulonia{tag} Quaxwell",
        note=f"Sentinel note {tag}: radiating pain after lifting crates",
    )


@pytest.fixture
def key() -> bytes:
    """A random 256-bit database key."""
    return secrets.token_bytes(32)


def files_containing(folder: Path, needles: tuple[str, ...]) -> list[str]:
    """Every file under folder whose raw bytes hold one of the needles (any case)."""
    found = []
    for path in folder.rglob("*"):
        try:
            data = path.read_bytes().lower() if path.is_file() else None
        except FileNotFoundError:
            continue  # a marker's temporary file, renamed since it was listed
        if data is None:
            continue
        for needle in needles:
            for encoded in (needle.encode("utf-8"), needle.encode("utf-16-le")):
                if encoded.lower() in data:
                    found.append(f"{path.name}: {needle}")
    return found
