"""Progress maths: weeks since onset, pain change vs. the MCID, the 4–6-week rule."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from companion.core import spine
from companion.core.psfs import PSFS_MCID, psfs_score
from companion.core.records import Visit

# Status codes; the UI turns them into words through [progress] in assets/i18n.
NO_DATA = "no_data"
TOO_EARLY = "too_early"
IMPROVING = "improving"
NOT_IMPROVING = "not_improving"
WORSE = "worse"
STATUSES: tuple[str, ...] = (NO_DATA, TOO_EARLY, IMPROVING, NOT_IMPROVING, WORSE)

# Guidelines say re-evaluate after 4–6 weeks of conservative care without
# improvement, and consider imaging from about 6 weeks when red flags are present
# or surgery / an injection is being considered (acr-lbp, acp-imaging-2011;
# no routine imaging before 6 weeks: choosing-wisely-lbp, nass-cw, aca-cw).
REVIEW_WEEKS = 4
IMAGING_WEEKS = 6

# Which MCID rule applies (chosen from the visits' regions and levels).
LOW_BACK = "low_back"
NECK = "neck"
NECK_AND_LOW_BACK = "neck_and_low_back"


@dataclass(frozen=True)
class McidRule:
    """A minimal clinically important difference for the 0–10 pain scale (NPRS)."""

    name: str
    points: float
    percent: int | None  # None: the references give no percent threshold
    sources: tuple[str, ...]

    def improvement_met(self, baseline: int, latest: int) -> tuple[bool, bool]:
        """(points reached, percent reached) for a drop from baseline to latest."""
        drop = baseline - latest
        by_points = drop >= self.points
        # Integer cross-multiplication: 3 of 10 is exactly 30%, no float rounding.
        by_percent = (
            self.percent is not None
            and baseline > 0
            and drop * 100 >= self.percent * baseline
        )
        return by_points, by_percent


# NPRS MCID for low back pain: 2 points or about 30% from baseline
# (farrar-2001, childs-2005, ostelo-2008).
LOW_BACK_RULE = McidRule(
    LOW_BACK, 2.0, 30, ("farrar-2001", "childs-2005", "ostelo-2008")
)
# NPRS MCID for mechanical neck pain: about 1.3 points, no percent given
# (cleland-2008). On the whole-number scale that means a drop of 2 or more.
NECK_RULE = McidRule(NECK, 1.3, None, ("cleland-2008",))


@dataclass(frozen=True)
class ProgressPoint:
    """One visit placed on the time line: weeks since onset, pain and PSFS score."""

    visit_id: str
    visit_date: date
    weeks: float
    pain: int | None
    psfs: float | None
    treatment_changed: bool  # treatments given differ from the visit before


@dataclass(frozen=True)
class ProgressSummary:
    """Where a patient stands: the status code and every number behind it."""

    status: str  # one of STATUSES
    onset: date | None
    onset_recorded: bool  # False: onset is the first visit date (no onset given)
    weeks_since_onset: float | None  # at the assessment date
    whole_weeks: int | None
    baseline_pain: int | None  # first scored visit
    latest_pain: int | None  # last scored visit
    change: int | None  # latest − baseline; negative is better
    percent_change: float | None  # change as a % of baseline; None if baseline 0
    scored_visits: int
    mcid_basis: str  # LOW_BACK, NECK or NECK_AND_LOW_BACK
    region_recorded: bool  # False: no region given, so the low-back rule is assumed
    mcid_points: float  # largest points threshold of the rules in force
    mcid_percent: int | None  # percent threshold, None if a rule in force has none
    mcid_sources: tuple[str, ...]
    reaches_mcid_points: bool
    reaches_mcid_percent: bool
    meets_mcid: bool
    improvement_threshold: float | None  # pain at or below this meets the MCID
    worsening_threshold: float | None  # pain at or above this is meaningfully worse
    imaging_window: bool  # ≥ 6 weeks: imaging may be considered (with indications)
    psfs_baseline: float | None
    psfs_latest: float | None
    psfs_change: float | None
    psfs_meets_mcid: bool
    points: tuple[ProgressPoint, ...]

    @property
    def needs_review(self) -> bool:
        """True when the 4–6-week rule calls for re-evaluation."""
        return (
            self.status in (NOT_IMPROVING, WORSE)
            and self.weeks_since_onset is not None
            and self.weeks_since_onset >= REVIEW_WEEKS
        )


def mcid_rules(visits: Iterable[Visit]) -> tuple[tuple[McidRule, ...], bool]:
    """The MCID rules that fit the visits' regions, and whether any region was given.

    Neck only → the neck rule; thoracic, lumbar or sacral only → the low-back rule
    (no thoracic-specific NPRS MCID in the references, so back pain's is used);
    both → both must be met; nothing recorded → the low-back rule, flagged.
    """
    regions: set[str] = set()
    for visit in visits:
        regions.update(visit.regions)
        regions.update(spine.level(code).region.value for code in visit.levels)
    neck = spine.Region.CERVICAL.value in regions
    back = bool(regions - {spine.Region.CERVICAL.value})
    if neck and back:
        return (LOW_BACK_RULE, NECK_RULE), True
    if neck:
        return (NECK_RULE,), True
    return (LOW_BACK_RULE,), back


def onset_of(visits: Iterable[Visit]) -> tuple[date | None, bool]:
    """The episode's onset: the earliest onset given, else the first visit date.

    Never later than the first visit, since the pain had begun by then.
    """
    ordered = list(visits)
    if not ordered:
        return None, False
    first_visit = min(v.visit_date for v in ordered)
    given = [v.onset_date for v in ordered if v.onset_date is not None]
    if not given:
        return first_visit, False
    return min(min(given), first_visit), True


def weeks_between(start: date, end: date) -> float:
    """Weeks from start to end as a fraction (days / 7)."""
    return (end - start).days / 7


def summarize(visits: Iterable[Visit], as_of: date | None = None) -> ProgressSummary:
    """Summarise a patient's visits (any order, pain may be missing).

    The assessment date is as_of, else the latest visit's date.
    """
    ordered = sorted(visits, key=lambda v: (v.visit_date, v.created))
    rules, region_recorded = mcid_rules(ordered)
    mcid_points = max(rule.points for rule in rules)
    percents = [rule.percent for rule in rules]
    mcid_percent = None if None in percents else min(p for p in percents if p)
    sources = tuple(dict.fromkeys(s for rule in rules for s in rule.sources))
    onset, onset_recorded = onset_of(ordered)
    points = _points(ordered, onset)

    scored = [p for p in points if p.pain is not None]
    weeks: float | None = None
    if onset is not None:
        weeks = weeks_between(onset, as_of or ordered[-1].visit_date)
    psfs_scored = [p for p in points if p.psfs is not None]
    psfs_baseline = psfs_scored[0].psfs if psfs_scored else None
    psfs_latest = psfs_scored[-1].psfs if psfs_scored else None
    psfs_change: float | None = None
    if len(psfs_scored) >= 2 and psfs_latest is not None and psfs_baseline is not None:
        psfs_change = round(psfs_latest - psfs_baseline, 2)

    baseline = scored[0].pain if scored else None
    latest = scored[-1].pain if len(scored) >= 2 else None
    change = None if baseline is None or latest is None else latest - baseline
    percent = (
        None if change is None or not baseline else round(100 * change / baseline, 1)
    )
    by_points = by_percent = meets = False
    if baseline is not None and latest is not None:
        met = [rule.improvement_met(baseline, latest) for rule in rules]
        by_points = all(p for p, _ in met)
        by_percent = all(q for _, q in met)
        # Each rule in force is met by its points or its percent.
        meets = all(p or q for p, q in met)

    status = _status(weeks, baseline, change, meets, mcid_points)
    return ProgressSummary(
        status=status,
        onset=onset,
        onset_recorded=onset_recorded,
        weeks_since_onset=weeks,
        whole_weeks=None if weeks is None else math.floor(weeks),
        baseline_pain=baseline,
        latest_pain=latest,
        change=change,
        percent_change=percent,
        scored_visits=len(scored),
        mcid_basis=NECK_AND_LOW_BACK if len(rules) > 1 else rules[0].name,
        region_recorded=region_recorded,
        mcid_points=mcid_points,
        mcid_percent=mcid_percent,
        mcid_sources=sources,
        reaches_mcid_points=by_points,
        reaches_mcid_percent=by_percent,
        meets_mcid=meets,
        improvement_threshold=_improvement_threshold(baseline, rules),
        worsening_threshold=None if baseline is None else baseline + mcid_points,
        imaging_window=weeks is not None and weeks >= IMAGING_WEEKS,
        psfs_baseline=psfs_baseline,
        psfs_latest=psfs_latest,
        psfs_change=psfs_change,
        psfs_meets_mcid=psfs_change is not None and psfs_change >= PSFS_MCID,
        points=points,
    )


def _status(
    weeks: float | None,
    baseline: int | None,
    change: int | None,
    meets: bool,
    mcid_points: float,
) -> str:
    if baseline is None or weeks is None:
        return NO_DATA
    if change is None:
        # One score is a baseline, not a trend: too early, or ask for another score.
        return TOO_EARLY if weeks < REVIEW_WEEKS else NO_DATA
    if change >= mcid_points:
        # Worsening uses the points threshold only; the references give no
        # percent threshold for getting worse.
        return WORSE
    if meets:
        return IMPROVING
    return TOO_EARLY if weeks < REVIEW_WEEKS else NOT_IMPROVING


def _improvement_threshold(
    baseline: int | None, rules: tuple[McidRule, ...]
) -> float | None:
    """The highest pain that still meets every rule in force (by points or %)."""
    if baseline is None:
        return None
    limits = []
    for rule in rules:
        limit = baseline - rule.points
        if rule.percent is not None:
            limit = max(limit, baseline * (100 - rule.percent) / 100)
        limits.append(limit)
    return min(limits)


def _points(ordered: list[Visit], onset: date | None) -> tuple[ProgressPoint, ...]:
    points: list[ProgressPoint] = []
    previous: Visit | None = None
    for visit in ordered:
        changed = previous is not None and set(visit.treatments_given) != set(
            previous.treatments_given
        )
        points.append(
            ProgressPoint(
                visit_id=visit.id,
                visit_date=visit.visit_date,
                weeks=0.0 if onset is None else weeks_between(onset, visit.visit_date),
                pain=visit.pain,
                psfs=psfs_score(visit.psfs),
                treatment_changed=changed,
            )
        )
        previous = visit
    return tuple(points)
