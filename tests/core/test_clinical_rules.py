"""Tests of the visit's clinical rules: contraindications, option order, consent."""

from __future__ import annotations

from datetime import datetime

import pytest

from companion.core.clinical_rules import (
    CONSENT_FOR_OTHER_TECHNIQUE,
    CONSENT_INCOMPLETE,
    THRUST_WITHOUT_CONSENT,
    ConsentRecord,
    contraindications,
    handout_options,
    raised_flags,
    thrust_consent_problem,
)
from companion.core.content import Content, load_content
from companion.core.handout import compose_handout, explain_for_patient


@pytest.fixture(scope="module")
def content() -> Content:
    """The real English content."""
    return load_content("en")


def consent(
    technique: str, explained: str = "Risks, alternatives, may say no"
) -> ConsentRecord:
    """A consent record for one technique, recorded at a fixed time."""
    return ConsentRecord(
        technique=technique,
        given_by="patient",
        recorded_by="Dr. Lee",
        when=datetime(2031, 5, 2, 10, 30),
        explained=explained,
    )


def test_only_present_answers_count_as_raised() -> None:
    """'absent' and unasked flags are not raised; 'present' ones are."""
    answers = {"osteoporosis": "present", "trauma": "absent", "cancer": ""}
    assert raised_flags(answers) == {"osteoporosis"}


def test_osteoporosis_rules_out_every_thrust_but_not_mobilisation(
    content: Content,
) -> None:
    """Thin bones rule out lumbar and neck thrusts; gentle mobilisation stays."""
    ruled_out = contraindications(content, {"osteoporosis"})
    assert ruled_out == {
        "manipulation": ("osteoporosis",),
        "cervical_manipulation": ("osteoporosis",),
    }
    assert contraindications(content, set()) == {}


def test_artery_signs_rule_out_all_neck_manual_therapy(content: Content) -> None:
    """Signs of a neck artery problem rule out neck thrust and mobilisation."""
    ruled_out = contraindications(content, {"artery_dissection_signs"})
    assert set(ruled_out) == {"cervical_manipulation", "mobilisation"}


def test_handout_lists_the_chosen_options_first_in_order(content: Content) -> None:
    """The clinician's choice comes first, in order; the rest follow in file order."""
    options = handout_options(content, "lumbar", ["exercise_therapy", "heat"])
    assert [o.id for o in options.plan] == ["exercise_therapy", "heat"]
    others = [o.id for o in options.other]
    assert others[0] == "ice" and "heat" not in others
    assert "ultrasound" not in others  # graded against: only if chosen


def test_handout_never_lists_a_ruled_out_option(content: Content) -> None:
    """A chosen thrust with osteoporosis raised is left out of plan and home care."""
    options = handout_options(
        content, "lumbar", ["manipulation", "heat"], raised={"osteoporosis"}
    )
    assert [o.id for o in options.plan] == ["heat"]
    assert options.left_out == ("manipulation",)
    assert "manipulation" not in {o.id for o in options.other}


def test_handout_skips_another_regions_option(content: Content) -> None:
    """The lumbar thrust is not the neck's: on a neck handout it is left out."""
    options = handout_options(content, "cervical", ["manipulation", "nope"])
    assert options.plan == ()
    assert options.left_out == ("manipulation", "nope")


def test_handout_of_a_visit_with_osteoporosis_lists_no_manipulation(
    content: Content,
) -> None:
    """The printed handout text has no thrust when the visit raised osteoporosis."""
    thrust = {o.id: o.patient for o in content.options if o.thrust}
    for region, option_id in (("L4", "manipulation"), ("C5", "cervical_manipulation")):
        everything = [o.id for o in content.options]
        plain = compose_handout(content, region, everything).plain_text()
        assert thrust[option_id] in plain
        flagged = compose_handout(
            content, region, everything, red_flags={"osteoporosis": "present"}
        ).plain_text()
        assert thrust[option_id] not in flagged
        cleared = compose_handout(
            content, region, everything, red_flags={"osteoporosis": "absent"}
        ).plain_text()
        assert thrust[option_id] in cleared


def test_patient_explanation_drops_ruled_out_home_care(content: Content) -> None:
    """The patient screen's home care leaves out an option a raised flag rules out."""
    ids = {i for i, _ in explain_for_patient(content, "L4").home_care}
    assert "manipulation" in ids
    flagged = explain_for_patient(content, "L4", {"ankylosing_spondylitis"})
    assert "manipulation" not in {i for i, _ in flagged.home_care}


def test_thrust_without_consent_is_a_problem(content: Content) -> None:
    """Recording a neck thrust with no consent record returns the problem."""
    problem = thrust_consent_problem(content, ["heat", "cervical_manipulation"])
    assert problem is not None
    assert (problem.code, problem.option_id) == (
        THRUST_WITHOUT_CONSENT,
        "cervical_manipulation",
    )


def test_complete_consent_or_a_reason_allows_the_thrust(content: Content) -> None:
    """A complete matching consent, or a recorded reason, clears the problem."""
    treatments = ["manipulation"]
    assert (
        thrust_consent_problem(content, treatments, [consent("manipulation")]) is None
    )
    assert (
        thrust_consent_problem(content, treatments, reason="Consent on paper file")
        is None
    )
    assert thrust_consent_problem(content, ["heat", "mobilisation"]) is None


def test_incomplete_or_mismatched_consent_is_a_problem(content: Content) -> None:
    """Consent with nothing explained, or for another technique, does not count."""
    blank = thrust_consent_problem(
        content, ["manipulation"], [consent("manipulation", explained=" ")]
    )
    assert blank is not None and blank.code == CONSENT_INCOMPLETE
    other = thrust_consent_problem(
        content, ["cervical_manipulation"], [consent("manipulation")]
    )
    assert other is not None and other.code == CONSENT_FOR_OTHER_TECHNIQUE
    assert thrust_consent_problem(content, ["manipulation"], reason="  ") is not None
