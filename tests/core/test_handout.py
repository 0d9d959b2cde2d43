"""Tests of the pure handout and patient-explanation text (no Qt)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from companion.core import progress
from companion.core.content import load_content
from companion.core.handout import (
    compose_handout,
    explain_for_patient,
    first_name,
    patient_progress,
    progress_sentence,
)
from companion.core.i18n import strings
from companion.core.readability import english_grade, spanish_ease
from companion.core.records import Patient, Visit

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


def _visit(day: int, pain: int | None, patient: str = "p1") -> Visit:
    created = datetime(2030, 1, 1, tzinfo=UTC)
    return Visit(
        id=f"v{day}",
        patient_id=patient,
        visit_date=date(2030, 1, 1) + timedelta(days=day),
        onset_date=date(2030, 1, 1),
        mechanism=None,
        pain=pain,
        regions=("lumbar",),
        levels=(),
        red_flags={},
        treatments_given=(),
        treatments_recommended=(),
        follow_up=None,
        created=created,
        updated=created,
    )


def test_progress_needs_two_pain_scores_of_one_patient():
    """One score is no trend; visits of two patients are refused."""
    labels = strings("en")
    assert patient_progress([_visit(3, 7), _visit(10, None)], labels) is None
    shown = patient_progress([_visit(3, 7), _visit(10, None), _visit(35, 4)], labels)
    assert shown is not None
    assert shown.points == ((3 / 7, 7), (5.0, 4))
    assert shown.weeks_axis == "Weeks since your pain began"
    with pytest.raises(ValueError):
        patient_progress([_visit(3, 7), _visit(35, 4, patient="p2")], labels)


@pytest.mark.parametrize(
    ("pains", "status", "english"),
    [
        ([(3, 7), (35, 4)], progress.IMPROVING,
         "Your pain has gone down from 7 to 4 since your first visit."),
        ([(3, 7), (35, 6)], progress.NOT_IMPROVING,
         "Your pain has not changed much in 5 weeks. "
         "We will check again and may change the plan."),
        ([(3, 5), (10, 8)], progress.WORSE,
         "Your pain has gone up from 5 to 8. "
         "We will check again and may change the plan."),
        ([(3, 7), (10, 6)], progress.TOO_EARLY,
         "Your pain was 7 at your first visit. Now it is 6. It is still early. "
         "Pain often gets better over a few weeks."),
    ],
)  # fmt: skip
def test_progress_sentence_is_plain_in_both_languages(pains, status, english):
    """Each status reads at grade 8 or below in English, INFLESZ 55+ in Spanish."""
    summary = progress.summarize([_visit(d, p) for d, p in pains])
    assert summary.status == status
    assert progress_sentence(summary, strings("en")) == english
    assert english_grade(english) <= 8
    spanish = progress_sentence(summary, strings("es"))
    assert spanish != english
    assert spanish_ease(spanish) >= 55


def test_handout_text_carries_the_progress_sentence():
    """compose_handout with scored visits adds the sentence to the handout's text."""
    visits = [_visit(3, 7), _visit(35, 4)]
    handout = compose_handout(CONTENT, "L4", visits=visits)
    assert handout.progress is not None
    assert "gone down from 7 to 4" in handout.plain_text()
    assert compose_handout(CONTENT, "L4", visits=visits[:1]).progress is None
