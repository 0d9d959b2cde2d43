"""Exporting a patient writes complete JSON and a one-row-per-visit CSV."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from companion.store import InvalidInput, Store


def test_json_and_csv_contents(store: Store, tmp_path: Path) -> None:
    """JSON holds patient, visits, current notes and history; CSV a row per visit."""
    patient = store.create_patient(
        chart_number="77/B", initials="LG", display_name="Lucía Gómez"
    )
    first = store.start_visit(
        patient.id,
        date(2024, 5, 1),
        pain=7,
        levels=("L4", "L5"),
        red_flags={"fever": "absent"},
    )
    second = store.start_visit(patient.id, date(2024, 5, 15), pain=3)
    store.save_note(first.id, "S", "dolor 7/10")
    store.save_note(first.id, "S", "dolor 7/10, peor al sentarse")
    store.save_note(first.id, "P", 'calor, "caminar"\n20 min')
    store.save_note(second.id, "A", "mejorando 😀")
    store.create_patient(initials="ZZ")  # another patient must not leak in

    json_path, csv_path = store.export_patient(patient.id, tmp_path / "out")

    assert json_path.name.startswith("77_B-") and json_path.suffix == ".json"
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert document["patient"]["display_name"] == "Lucía Gómez"
    assert [v["id"] for v in document["visits"]] == [second.id, first.id]
    old = document["visits"][1]
    assert old["pain"] == 7 and old["levels"] == ["L4", "L5"]
    assert old["red_flags"] == {"fever": "absent"}
    assert old["notes"] == {
        "S": "dolor 7/10, peor al sentarse",
        "P": 'calor, "caminar"\n20 min',
    }
    assert [r["text"] for r in old["note_history"]["S"]] == [
        "dolor 7/10",
        "dolor 7/10, peor al sentarse",
    ]
    assert document["visits"][0]["notes"] == {"A": "mejorando 😀"}

    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["visit_id"] for r in rows] == [second.id, first.id]
    assert rows[1]["S"] == "dolor 7/10, peor al sentarse"
    assert rows[1]["P"] == 'calor, "caminar"\n20 min'
    assert rows[1]["levels"] == "L4; L5" and rows[1]["pain"] == "7"
    assert rows[0]["A"] == "mejorando 😀" and rows[0]["S"] == ""
    assert not list((tmp_path / "out").glob(".*partial"))


def test_unknown_patient_is_refused(store: Store, tmp_path: Path) -> None:
    """Exporting an unknown patient raises InvalidInput and writes nothing."""
    with pytest.raises(InvalidInput):
        store.export_patient("missing", tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_export_includes_psfs_and_defuses_formulas(store: Store, tmp_path: Path):
    """PSFS ratings are exported; a note starting with '=' stays text in the CSV."""
    patient = store.create_patient(chart_number="F-1")
    visit = store.start_visit(
        patient.id, psfs=(("Sitting 30 min", 3), ("Lifting child", 5), ("Sleep", 4))
    )
    store.save_note(visit.id, "S", '=HYPERLINK("http://x")')

    json_path, csv_path = store.export_patient(patient.id, tmp_path / "out")

    exported = json.loads(json_path.read_text(encoding="utf-8"))["visits"][0]
    assert exported["psfs"] == [
        ["Sitting 30 min", 3],
        ["Lifting child", 5],
        ["Sleep", 4],
    ]
    assert exported["notes"]["S"] == '=HYPERLINK("http://x")'  # JSON is exact
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert json.loads(row["psfs"])[0] == ["Sitting 30 min", 3]
    assert row["S"] == '\'=HYPERLINK("http://x")'
