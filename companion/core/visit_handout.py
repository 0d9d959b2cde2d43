"""The handout of one visit: its regions, the plan typed today, its follow-up date."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from companion.core import visit_rules
from companion.core.content import Content
from companion.core.episodes import visits_of_episode
from companion.core.handout import (
    Handout,
    Section,
    compose_handout,
    explain_for_patient,
)
from companion.core.i18n import Strings
from companion.core.records import Patient, Visit

PLAN_KEY = "plan"


def plan_lines(plan: str) -> tuple[str, ...]:
    """The patient's plan as typed, one paragraph per non-empty line."""
    lines = (
        re.sub(r"^[\s•\-*·]+", "", line).strip() for line in plan.splitlines()
    )
    return tuple(line for line in lines if line)


def handout_for_visit(
    content: Content,
    visit: Visit,
    visits: Sequence[Visit],
    labels: Strings,
    clinic_name: str = "",
    name: str = "",
) -> Handout:
    """The handout for the open visit, in content's language.

    The explanation is of the visit's first region, its title names every
    region of the visit, the plan starts with what was typed in the note's
    Plan for the patient (never the clinician's SOAP note), then the options
    recommended today; progress is the visit's episode.
    """
    codes = visit_rules.visit_codes(visit.levels, visit.regions)
    if not codes:
        raise ValueError("the visit records no level or region")
    own = [v for v in visits if v.patient_id == visit.patient_id]
    handout = compose_handout(
        content,
        codes[0],
        recommended=visit.treatments_recommended,
        follow_up=visit.follow_up,
        clinic_name=clinic_name,
        given_on=visit.visit_date,
        name=name,
        labels=labels,
        visits=visits_of_episode(own, visit.episode_id),
        # Nothing a raised flag rules out is ever printed (manipulation with a
        # suspected fracture, for example); today's choices come first.
        red_flags=visit.red_flags,
    )
    regions = visit_rules.visit_regions(visit.levels, visit.regions)
    names = [content.regions[r].name for r in regions if r in content.regions]
    # Every region of the visit is explained, and every region's warning signs
    # go home: a crash at C5, T6 and L4 needs all three.
    explained = [explain_for_patient(content, r) for r in regions]
    muscles = tuple(dict.fromkeys(m for e in explained for m, _ in e.muscles))
    lines = tuple(dict.fromkeys(line for e in explained for _, line in e.muscles))
    merged = {
        "where": tuple(e.region_text for e in explained),
        "muscles": lines,
        "warning": tuple(dict.fromkeys(w for e in explained for w in e.warning_signs)),
    }
    typed = plan_lines(visit.patient_plan)
    if typed:
        composed = next(s for s in handout.right if s.key == PLAN_KEY).paragraphs
        placeholder = labels.t("handout.no_plan")
        merged[PLAN_KEY] = (*typed, *(p for p in composed if p != placeholder))

    def merge(sections: tuple[Section, ...]) -> tuple[Section, ...]:
        if len(explained) < 2 and not typed:
            return sections
        where = labels.t("handout.where_title", region=", ".join(names))
        return tuple(
            dataclasses.replace(
                s,
                paragraphs=merged[s.key],
                title=where if s.key == "where" else s.title,
            )
            if s.key in merged and (len(explained) > 1 or s.key == PLAN_KEY)
            else s
            for s in sections
        )

    return dataclasses.replace(
        handout,
        region_name=" · ".join(names) or handout.region_name,
        muscles=muscles if len(explained) > 1 else handout.muscles,
        left=merge(handout.left),
        right=merge(handout.right),
    )


def missing_parts(visit: Visit) -> list[str]:
    """What the handout would go home without: "plan" and/or "follow_up"."""
    missing = []
    if not plan_lines(visit.patient_plan) and not visit.treatments_recommended:
        missing.append("plan")
    if visit.follow_up is None:
        missing.append("follow_up")
    return missing


def handout_file_name(patient: Patient, day: date, word: str) -> str:
    """A file name that tells two patients' handouts of one day apart.

    It carries the chart number (or initials), never the patient's name, and
    only characters every file system accepts.
    """
    # Chart numbers are unique; initials are not, so they get the record's id.
    who = patient.chart_number or f"{patient.initials}-{patient.id[:6]}"
    raw = f"{word}-{who}-{day:%Y-%m-%d}"
    ascii_only = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_only).strip("._") or "handout"
    return f"{safe[:100]}.pdf"
