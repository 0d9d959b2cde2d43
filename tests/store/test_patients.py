"""Patients: create, change, look up, find; identity rules."""

from __future__ import annotations

import pytest

from companion.store import InvalidInput, Patient, Store


def test_create_and_get_round_trip(store: Store) -> None:
    """A created patient reads back equal, with a 32-hex-digit UUID id."""
    created = store.create_patient(
        chart_number=" 7781 ",
        initials="jr",
        display_name="Jo Ruiz",
        preferred_language="es",
    )
    assert created.chart_number == "7781"  # surrounding spaces are not identity
    assert len(created.id) == 32 and int(created.id, 16) >= 0
    assert store.get_patient(created.id) == created


def test_initials_alone_are_enough(store: Store) -> None:
    """A patient with only initials is accepted."""
    assert store.create_patient(initials="MK").chart_number == ""


@pytest.mark.parametrize("chart, initials", [("", ""), ("   ", " "), ("\t", "")])
def test_no_chart_number_and_no_initials_is_refused(
    store: Store, chart: str, initials: str
) -> None:
    """Without a chart number or initials the patient is refused and not saved."""
    with pytest.raises(InvalidInput) as caught:
        store.create_patient(chart_number=chart, initials=initials)
    assert caught.value.field == "chart_number"
    assert "chart number or" in str(caught.value)
    assert store.find_patients("") == []


def test_unknown_language_is_refused(store: Store) -> None:
    """Only English and Spanish are accepted."""
    with pytest.raises(InvalidInput, match="preferred_language"):
        store.create_patient(initials="AB", preferred_language="fr")


def test_chart_number_is_unique_ignoring_case(store: Store, patient: Patient) -> None:
    """A second patient cannot take an existing chart number."""
    with pytest.raises(InvalidInput, match="already belongs"):
        store.create_patient(chart_number=patient.chart_number.lower())
    # Empty chart numbers are not unique: many patients have only initials.
    store.create_patient(initials="X1")
    store.create_patient(initials="X2")


def test_update_patient_changes_fields(store: Store, patient: Patient) -> None:
    """update_patient saves the change and returns the new record."""
    changed = store.update_patient(patient.id, display_name="Ana B.", initials="")
    assert changed.display_name == "Ana B." and changed.initials == ""
    assert store.get_patient(patient.id) == changed


def test_update_patient_refuses_bad_changes(store: Store, patient: Patient) -> None:
    """Invalid or unknown changes are refused and the stored record is untouched."""
    with pytest.raises(InvalidInput):
        store.update_patient(patient.id, chart_number="", initials="")
    with pytest.raises(InvalidInput):
        store.update_patient(patient.id, id="someone-else")
    with pytest.raises(InvalidInput):
        store.update_patient("missing", initials="ZZ")
    assert store.get_patient(patient.id) == patient


def test_get_missing_patient_is_none(store: Store) -> None:
    """Looking up an unknown id returns None."""
    assert store.get_patient("0" * 32) is None


def test_find_by_chart_initials_and_name_prefix(store: Store) -> None:
    """find_patients matches prefixes of chart number, initials and name words."""
    a = store.create_patient(
        chart_number="A100", initials="JN", display_name="José Núñez"
    )
    b = store.create_patient(
        chart_number="B200", initials="MS", display_name="Mary Smith"
    )
    c = store.create_patient(initials="A1")
    assert {p.id for p in store.find_patients("a1")} == {a.id, c.id}
    assert [p.id for p in store.find_patients("ms")] == [b.id]
    assert [p.id for p in store.find_patients("NÚÑ")] == [a.id]
    assert [p.id for p in store.find_patients("smi")] == [b.id]
    assert store.find_patients("zzz") == []
    assert store.find_patients("%") == []  # LIKE wildcards are literal
    assert store.find_patients("_100") == []
    assert len(store.find_patients("", limit=2)) == 2


def test_exact_chart_number_ranks_first(store: Store) -> None:
    """Typing a full chart number puts that patient first."""
    store.create_patient(chart_number="12")
    store.create_patient(chart_number="1")
    assert [p.chart_number for p in store.find_patients("1")] == ["1", "12"]


def test_the_newest_patients_are_read_from_an_index_not_sorted(store: Store) -> None:
    """The picker's list as the records open: the last 50 added, never a sort
    of every patient (45-60 ms at 100,000 patients before m0011)."""
    made = [store.create_patient(chart_number=f"N-{n:03}") for n in range(60)]
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        listed = store.find_patients("", limit=50)
    finally:
        store.conn.set_trace_callback(None)
    assert [p.id for p in listed] == [p.id for p in reversed(made)][:50]
    (query,) = [s for s in statements if "FROM patients" in s]
    plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert "patients_created" in plan and "TEMP B-TREE" not in plan, plan
