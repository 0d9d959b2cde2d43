"""Visits: start, change findings, list newest first, refuse bad values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from companion.store import InvalidInput, Patient, Store, Visit


def test_start_visit_defaults_to_today(store: Store, patient: Patient) -> None:
    """A visit without a date is dated today and has empty findings."""
    visit = store.start_visit(patient.id)
    assert visit.visit_date == date.today()
    assert visit.pain is None and visit.regions == () and dict(visit.red_flags) == {}
    assert store.get_visit(visit.id) == visit


def test_all_fields_round_trip(store: Store, patient: Patient) -> None:
    """Every visit field reads back exactly as saved."""
    visit = store.start_visit(
        patient.id,
        date(2024, 3, 5),
        onset_date=date(2024, 2, 20),
        mechanism="car_accident",
        pain=0,
        regions=["cervical", "thoracic"],
        levels=("C5", "C6", "T1"),
        red_flags={"saddle_anaesthesia": "absent", "fever": "present"},
        treatments_given=("heat", "soft_tissue"),
        treatments_recommended=("walking",),
        follow_up=date(2024, 3, 19),
    )
    loaded = store.get_visit(visit.id)
    assert loaded == visit
    assert loaded is not None and loaded.regions == ("cervical", "thoracic")
    assert loaded.red_flags["fever"] == "present"


def test_update_visit(store: Store, visit: Visit) -> None:
    """update_visit saves changed findings and moves 'updated' forward."""
    changed = store.update_visit(visit.id, pain=6, levels=("L5", "S1"))
    assert (changed.pain, changed.levels) == (6, ("L5", "S1"))
    assert changed.updated >= visit.updated
    assert store.get_visit(visit.id) == changed


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"pain": 11}, "pain"),
        ({"pain": -1}, "pain"),
        ({"pain": 4.5}, "pain"),
        ({"pain": "5"}, "pain"),
        ({"pain": True}, "pain"),
        ({"mechanism": "gardening"}, "mechanism"),
        ({"regions": ("neck",)}, "regions"),
        ({"levels": ("L9",)}, "levels"),
        ({"red_flags": {"fever": "maybe"}}, "red flag answer"),
        ({"onset_date": date.today() + timedelta(days=3)}, "onset_date"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(
    store: Store, patient: Patient, visit: Visit, fields: dict, field: str
) -> None:
    """Invalid findings raise InvalidInput naming the field; nothing is saved."""
    with pytest.raises(InvalidInput) as caught:
        store.start_visit(patient.id, **fields)
    assert caught.value.field == field
    with pytest.raises(InvalidInput):
        store.update_visit(visit.id, **fields)
    assert store.visits_for(patient.id) == [visit]


def test_visit_for_missing_patient_is_refused(store: Store) -> None:
    """A visit must belong to an existing patient."""
    with pytest.raises(InvalidInput, match="No patient"):
        store.start_visit("missing")


def test_visits_for_is_newest_first(store: Store, patient: Patient) -> None:
    """visits_for lists later visit dates first."""
    days = [date(2024, 1, 3), date(2024, 2, 1), date(2023, 12, 30)]
    for day in days:
        store.start_visit(patient.id, day)
    assert [v.visit_date for v in store.visits_for(patient.id)] == sorted(
        days, reverse=True
    )
    assert store.visits_for("someone-else") == []
