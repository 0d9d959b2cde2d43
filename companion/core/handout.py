"""Patient-facing text for one region: the patient screen's topics and the handout."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from companion.core import progress, spine
from companion.core.clinical_rules import handout_options, raised_flags
from companion.core.content import Content
from companion.core.i18n import Strings, strings
from companion.core.records import Patient, Visit

# Red flags a patient must act on at home (call, go to the ER); the "prompt" ones
# are screening questions the clinician asks in the room.
WARNING_URGENCIES = ("emergency", "urgent")


@dataclass(frozen=True)
class PatientExplanation:
    """Everything a patient is told about one region, in plain words, one language.

    Built only from clinical content, never from records, so it cannot carry a
    name, a chart number or a clinician's note.
    """

    language: str
    region_id: str
    region_name: str
    spasm_what: str
    region_text: str
    muscles: tuple[tuple[str, str], ...]  # (muscle id, patient line), diagram order
    causes: tuple[str, ...]
    home_care: tuple[tuple[str, str], ...]  # (option id, patient text)
    warning_signs: tuple[str, ...]
    expect: str
    prevention: tuple[str, ...]
    notice: str


def region_of(content: Content, code: str) -> str:
    """The region id for a level, region or muscle code."""
    if spine.is_level(code) or spine.is_region(code):
        return content.region(code).id
    for region in content.regions.values():
        if code in region.muscles:
            return region.id
    raise KeyError(f"unknown selection code {code!r}")


def explain_for_patient(
    content: Content, code: str, raised: Iterable[str] = ()
) -> PatientExplanation:
    """The plain-language explanation for a level, region or muscle code.

    raised are red flag ids present at the visit: home care leaves out every
    option they rule out.
    """
    region = content.regions[region_of(content, code)]
    options = handout_options(content, region.id, (), raised)
    return PatientExplanation(
        language=content.language,
        region_id=region.id,
        region_name=region.name,
        spasm_what=content.general["spasm_what"],
        region_text=region.patient,
        # The short name matches the label on the diagram the patient is looking at.
        muscles=tuple(
            (m.id, f"{m.name.split(' (')[0]}: {m.patient}")
            for m in content.muscles_for(region.id)
        ),
        causes=tuple(
            c.patient for c in content.causes_for(region.id) if c.likelihood == "common"
        ),
        home_care=tuple((o.id, o.patient) for o in options.other),
        warning_signs=tuple(
            f.patient
            for f in content.red_flags_for(region.id)
            if f.urgency in WARNING_URGENCIES
        ),
        expect=content.escalation.patient,
        prevention=tuple(p.patient for p in content.prevention_for(region.id)),
        notice=content.general["notice"],
    )


def first_name(patient: Patient | None) -> str:
    """The most the patient screen may show of a patient: first name, else initials."""
    if patient is None:
        return ""
    words = patient.display_name.split()
    return words[0] if words else patient.initials


def format_date(day: date, labels: Strings) -> str:
    """A date written out in the labels' language ("June 3, 2025", "3 de junio…")."""
    months = [m.strip() for m in labels.t("handout.months").split(",")]
    return labels.t(
        "handout.date_format", day=day.day, month=months[day.month - 1], year=day.year
    )


@dataclass(frozen=True)
class PatientProgress:
    """Pain over time for one patient, in plain words: for the screen and handout.

    Only numbers (weeks, pain 0–10) and interface strings: no dates, notes or
    chart numbers, so it can be shown to the patient.
    """

    title: str
    sentence: str
    how_to_read: str
    pain_axis: str
    weeks_axis: str
    points: tuple[tuple[float, int], ...]  # (weeks since onset, pain), in order


def progress_points(
    summary: progress.ProgressSummary,
) -> tuple[tuple[float, int], ...]:
    """(weeks since onset, pain) for each visit with a pain score, oldest first."""
    return tuple((p.weeks, p.pain) for p in summary.points if p.pain is not None)


def progress_sentence(summary: progress.ProgressSummary, labels: Strings) -> str:
    """One or two short sentences (grade 8 or below) saying how the pain is going."""
    t = labels.t
    values = {
        "baseline": summary.baseline_pain,
        "latest": summary.latest_pain,
        "weeks": summary.whole_weeks,
    }
    if summary.status == progress.IMPROVING:
        return t("simple_progress.improving", **values)
    if summary.status == progress.WORSE:
        return t("simple_progress.worse", **values)
    if summary.status == progress.NOT_IMPROVING:
        return t("simple_progress.not_improving", **values)
    if summary.status == progress.TOO_EARLY and summary.latest_pain is not None:
        return t("simple_progress.too_early", **values)
    return t("simple_progress.no_data")


def patient_progress(
    visits: Iterable[Visit], labels: Strings
) -> PatientProgress | None:
    """The patient-facing progress for ONE patient's visits; None under 2 scores."""
    ordered = list(visits)
    if len({v.patient_id for v in ordered}) > 1:
        raise ValueError("progress is shown for one patient's visits only")
    summary = progress.summarize(ordered)
    points = progress_points(summary)
    if len(points) < 2:
        return None
    t = labels.t
    return PatientProgress(
        title=t("simple_progress.title"),
        sentence=progress_sentence(summary, labels),
        how_to_read=t("simple_progress.how_to_read"),
        pain_axis=t("simple_progress.axis_pain"),
        weeks_axis=t(
            "simple_progress.axis_weeks_onset"
            if summary.onset_recorded
            else "simple_progress.axis_weeks_visit"
        ),
        points=points,
    )


@dataclass(frozen=True)
class Section:
    """One titled block of the handout: a paragraph list, optionally bulleted."""

    key: str
    title: str
    paragraphs: tuple[str, ...]
    bullets: bool = True


@dataclass(frozen=True)
class Handout:
    """The text of a one-page take-home handout, ready to lay out."""

    language: str
    title: str
    clinic: str
    region_id: str
    region_name: str
    given_on: str
    prepared_for: str
    follow_up: str
    muscles: tuple[str, ...]  # muscle ids, in the diagram's colour order
    left: tuple[Section, ...]
    right: tuple[Section, ...]
    notice: str
    progress: PatientProgress | None = None  # shown with 2+ scored visits

    def plain_text(self) -> str:
        """All the handout's words, in reading order (for checks and copying)."""
        parts = [self.clinic, self.title, self.region_name, self.given_on]
        parts += [self.prepared_for, self.follow_up]
        for section in (*self.left, *self.right):
            parts.append(section.title)
            parts += section.paragraphs
        if self.progress is not None:
            parts += [self.progress.title, self.progress.sentence]
        parts.append(self.notice)
        return "\n".join(p for p in parts if p)


def compose_handout(
    content: Content,
    code: str,
    recommended: Iterable[str] = (),
    follow_up: date | None = None,
    clinic_name: str = "",
    given_on: date | None = None,
    name: str = "",
    labels: Strings | None = None,
    visits: Iterable[Visit] = (),
    red_flags: Mapping[str, str] | None = None,
) -> Handout:
    """The handout for a selection code in content's language.

    recommended are option ids from the visit, listed first in the clinician's
    order (unknown ids and options of another region are skipped); red_flags
    are the visit's answers: no option a present flag rules out is ever listed.
    name is at most a first name, and only when the clinic allows it. visits are
    the open patient's own visits: with two or more pain scores the page shows
    progress.
    """
    labels = labels or strings(content.language)
    t = labels.t
    raised = raised_flags(red_flags or {})
    explained = explain_for_patient(content, code, raised)
    chosen = handout_options(content, explained.region_id, recommended, raised)
    plan = tuple(o.patient for o in chosen.plan)
    plan_ids = {o.id for o in chosen.plan}
    home = tuple(text for i, text in explained.home_care if i not in plan_ids)
    left = (
        Section("what", t("handout.what_title"), (explained.spasm_what,), False),
        Section(
            "where",
            t("handout.where_title", region=explained.region_name),
            (explained.region_text,),
            False,
        ),
        Section(
            "muscles",
            t("handout.muscles_title"),
            tuple(line for _id, line in explained.muscles),
        ),
    )
    right = (
        Section("plan", t("handout.plan_title"), plan or (t("handout.no_plan"),)),
        Section(
            "home",
            t("handout.home_title" if plan else "handout.home_title_all"),
            home,
        ),
        Section("warning", t("handout.warning_title"), explained.warning_signs),
        Section("expect", t("handout.expect_title"), (explained.expect,), False),
        Section("prevention", t("handout.prevention_title"), explained.prevention),
    )
    return Handout(
        language=content.language,
        title=t("handout.title"),
        clinic=clinic_name.strip(),
        region_id=explained.region_id,
        region_name=explained.region_name,
        given_on=t("handout.given_on", date=format_date(given_on, labels))
        if given_on
        else "",
        prepared_for=t("handout.prepared_for", name=name) if name else "",
        follow_up=t("handout.follow_up", date=format_date(follow_up, labels))
        if follow_up
        else t("handout.no_follow_up"),
        muscles=tuple(m for m, _line in explained.muscles),
        left=left,
        right=tuple(s for s in right if s.paragraphs),
        notice=explained.notice,
        progress=patient_progress(visits, labels),
    )
