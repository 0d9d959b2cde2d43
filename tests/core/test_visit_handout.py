"""The visit's handout without Qt: its regions, the patient plan, file names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from companion.core.content import load_content
from companion.core.i18n import strings
from companion.core.records import Patient, Visit
from companion.core.visit_handout import (
    handout_file_name,
    handout_for_visit,
    missing_parts,
    plan_lines,
)

NOW = datetime(2031, 1, 1, tzinfo=UTC)


def visit(**fields) -> Visit:
    values = {
        "id": "v1",
        "patient_id": "p1",
        "visit_date": date(2031, 1, 6),
        "onset_date": None,
        "mechanism": "car_accident",
        "pain": 6,
        "regions": ("cervical", "thoracic", "lumbar"),
        "levels": ("C5", "T6", "L4"),
        "red_flags": {},
        "treatments_given": (),
        "treatments_recommended": (),
        "follow_up": None,
        "created": NOW,
        "updated": NOW,
        "episode_id": "e1",
    }
    values.update(fields)
    return Visit(**values)


def patient(**fields) -> Patient:
    values = {
        "id": "0123456789abcdef",
        "chart_number": "DEMO-003",
        "initials": "MG",
        "display_name": "",
        "preferred_language": "en",
        "created": NOW,
    }
    values.update(fields)
    return Patient(**values)


def test_handout_names_every_region_and_prints_the_patient_plan() -> None:
    """A C5/T6/L4 visit's handout names its three regions; the plan comes first."""
    content = load_content("en")
    v = visit(
        patient_plan="• Walk 20 minutes twice a day\n\n- Heat in the evening",
        treatments_recommended=("heat",),
        follow_up=date(2031, 1, 20),
    )
    handout = handout_for_visit(content, v, [v], strings("en"))
    for region in ("cervical", "thoracic", "lumbar"):
        assert content.regions[region].name in handout.region_name
    plan = next(s for s in handout.right if s.key == "plan")
    assert plan.paragraphs[:2] == ("Walk 20 minutes twice a day", "Heat in the evening")
    assert "January 20, 2031" in handout.follow_up


def test_missing_plan_and_follow_up_are_named() -> None:
    """An empty plan (nothing typed or recommended) and no follow-up are both said."""
    assert missing_parts(visit()) == ["plan", "follow_up"]
    assert missing_parts(visit(patient_plan="Walk", follow_up=date(2031, 2, 1))) == []
    assert plan_lines("  \n  ") == ()


def test_two_patients_on_one_day_get_different_file_names() -> None:
    """The chart number (or initials and id) and the date are in the name; no name."""
    day = date(2031, 1, 6)
    a = handout_file_name(patient(), day, "handout")
    b = handout_file_name(patient(chart_number="DEMO-004"), day, "handout")
    assert a == "handout-DEMO-003-2031-01-06.pdf" and a != b
    c = handout_file_name(patient(chart_number="", id="aaaaaa11"), day, "handout")
    d = handout_file_name(patient(chart_number="", id="bbbbbb22"), day, "handout")
    assert c != d and "MG" in c
    odd = handout_file_name(patient(chart_number="Ñ/1:2"), day, "folleto")
    assert "/" not in odd and ":" not in odd and odd.endswith(".pdf")


def test_a_raised_flag_keeps_a_ruled_out_option_off_the_handout() -> None:
    """With osteoporosis raised, no manipulation is printed, even if recommended."""
    content = load_content("en")
    manipulation = next(o for o in content.options if o.id == "manipulation")
    assert "osteoporosis" in manipulation.contraindicated_by
    v = visit(
        levels=("L4",),
        regions=("lumbar",),
        red_flags={"osteoporosis": "present"},
        treatments_recommended=("manipulation", "heat"),
        patient_plan="Walk daily",
    )
    text = handout_for_visit(content, v, [v], strings("en")).plain_text()
    assert manipulation.patient not in text
    assert "Walk daily" in text
