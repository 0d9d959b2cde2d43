"""Property tests: any text round-trips; pain and identity rules hold for all input."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.store import InvalidInput, Patient, Store

# Lone surrogates cannot be encoded by Python at all, so no app could store them.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
FIXTURES_OK = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FIXTURES_OK
@given(text=ANY_TEXT, section=st.sampled_from("SOAP"))
def test_any_note_text_round_trips(
    store: Store, patient: Patient, text: str, section: str
) -> None:
    """Whatever text is saved as a note comes back identical."""
    visit = store.start_visit(patient.id)
    saved = store.save_note(visit.id, section, text)
    assert saved.text == text
    assert store.current_notes(visit.id)[section].text == text
    assert store.note_history(visit.id, section)[-1].text == text


@FIXTURES_OK
@given(key=ANY_TEXT.filter(bool), payload=ANY_TEXT)
def test_any_draft_round_trips(store: Store, key: str, payload: str) -> None:
    """Whatever key and payload are saved as a draft come back identical."""
    store.save_draft(key, payload)
    draft = store.get_draft(key)
    assert draft is not None and (draft.key, draft.payload) == (key, payload)


@FIXTURES_OK
@given(pain=st.integers(0, 10))
def test_pain_in_range_is_accepted(store: Store, patient: Patient, pain: int) -> None:
    """Every whole number from 0 to 10 is saved as the pain score."""
    visit = store.start_visit(patient.id, pain=pain)
    loaded = store.get_visit(visit.id)
    assert loaded is not None and loaded.pain == pain


@FIXTURES_OK
@given(pain=st.integers().filter(lambda n: not 0 <= n <= 10))
def test_pain_out_of_range_is_refused(
    store: Store, patient: Patient, pain: int
) -> None:
    """Every whole number outside 0–10 is refused with InvalidInput on 'pain'."""
    before = len(store.visits_for(patient.id))
    with pytest.raises(InvalidInput) as caught:
        store.start_visit(patient.id, pain=pain)
    assert caught.value.field == "pain"
    assert len(store.visits_for(patient.id)) == before


@FIXTURES_OK
@given(pain=st.one_of(st.floats(), st.text(), st.booleans(), st.decimals()))
def test_non_integer_pain_is_refused(
    store: Store, patient: Patient, pain: object
) -> None:
    """Floats, text and booleans are never a pain score."""
    with pytest.raises(InvalidInput):
        store.start_visit(patient.id, pain=pain)


@FIXTURES_OK
@given(
    chart=st.text(alphabet=" \t\n\r\u00a0\u3000", max_size=5),
    initials=st.text(alphabet=" \t\n", max_size=5),
)
def test_blank_chart_and_initials_are_refused(
    store: Store, chart: str, initials: str
) -> None:
    """A patient whose chart number and initials are both blank is never saved."""
    with pytest.raises(InvalidInput):
        store.create_patient(chart_number=chart, initials=initials)
    assert store.find_patients("") == []


CODE = ANY_TEXT.filter(str.strip)


@FIXTURES_OK
@given(
    given_=st.lists(CODE, max_size=4, unique=True),
    flags=st.dictionaries(CODE, st.sampled_from(["present", "absent"]), max_size=3),
)
def test_stored_lists_are_the_json_that_json_dumps_writes(
    store: Store, patient: Patient, given_: list[str], flags: dict[str, str]
) -> None:
    """Codes and red flags are stored byte for byte as json.dumps wrote them."""
    visit = store.start_visit(
        patient.id, regions=["lumbar"], treatments_given=given_, red_flags=flags
    )
    stored = store.conn.execute(
        "SELECT regions, treatments_given, treatments_recommended, red_flags"
        " FROM visits WHERE id = ?",
        (visit.id,),
    ).fetchone()
    assert stored == (
        json.dumps(["lumbar"], ensure_ascii=False),
        json.dumps(given_, ensure_ascii=False),
        json.dumps([], ensure_ascii=False),
        json.dumps(flags, ensure_ascii=False),
    )
    assert store.get_visit(visit.id) == visit
