"""Tests of the pure handout and patient-explanation text (no Qt)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from companion.core.content import load_content
from companion.core.handout import compose_handout, explain_for_patient, first_name
from companion.core.i18n import strings
from companion.core.records import Patient

CONTENT = load_content("en")


def test_explanation_skips_advice_against_and_rare_causes():
    """Home care leaves out 'against' options; causes are the common ones only."""
    explained = explain_for_patient(CONTENT, "L4")
    assert explained.region_id == "lumbar"
    assert "ultrasound" not in {i for i, _ in explained.home_care}
    common = {c.patient for c in CONTENT.causes if c.likelihood == "common"}
    assert set(explained.causes) <= common


def test_muscle_code_explains_its_home_region():
    """A muscle selection explains the region the muscle belongs to."""
    assert explain_for_patient(CONTENT, "sternocleidomastoid").region_id == "cervical"


def test_plan_lists_recommended_options_in_order_and_skips_unknown_ids():
    """The plan keeps the clinician's order; unknown option ids are dropped."""
    handout = compose_handout(CONTENT, "lumbar", ["stay_active", "nope", "heat"])
    plan = next(s for s in handout.right if s.key == "plan")
    options = {o.id: o.patient for o in CONTENT.options}
    assert plan.paragraphs == (options["stay_active"], options["heat"])
    home = next(s for s in handout.right if s.key == "home")
    assert options["heat"] not in home.paragraphs


def test_dates_are_written_in_the_patients_language():
    """Follow-up dates read naturally in English and Spanish."""
    handout = compose_handout(CONTENT, "C5", follow_up=date(2031, 3, 14))
    assert handout.follow_up == "Your next visit: March 14, 2031"
    es = compose_handout(
        CONTENT, "C5", follow_up=date(2031, 3, 14), labels=strings("es")
    )
    assert es.follow_up == "Su próxima visita: 14 de marzo de 2031"


def test_first_name_is_the_most_ever_shown():
    """Only the first word of the name, else the initials, never the chart number."""
    created = datetime(2030, 1, 1, tzinfo=UTC)
    named = Patient("1", "CH-1", "MG", "Maria Garcia Lopez", "es", created)
    unnamed = Patient("2", "CH-2", "JD", "", "en", created)
    assert first_name(named) == "Maria"
    assert first_name(unnamed) == "JD"
    assert first_name(None) == ""
