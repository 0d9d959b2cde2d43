"""Tests for progress maths: weeks since onset, MCID by region, the 4–6-week rule."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from companion.core import progress
from companion.core.progress import (
    IMPROVING,
    LOW_BACK,
    NECK,
    NECK_AND_LOW_BACK,
    NO_DATA,
    NOT_IMPROVING,
    TOO_EARLY,
    WORSE,
    summarize,
)
from companion.core.records import Visit

ONSET = date(2024, 3, 4)
CREATED = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def visit(
    day: int,
    pain: int | None,
    regions: tuple[str, ...] = ("lumbar",),
    *,
    onset: date | None = ONSET,
    levels: tuple[str, ...] = (),
    given: tuple[str, ...] = (),
    psfs: tuple[tuple[str, int], ...] = (),
) -> Visit:
    """A visit `day` days after ONSET (ids follow the day, so they sort readably)."""
    return Visit(
        id=f"v{day:03d}",
        patient_id="p1",
        visit_date=ONSET + timedelta(days=day),
        onset_date=onset,
        mechanism=None,
        pain=pain,
        regions=regions,
        levels=levels,
        red_flags={},
        treatments_given=given,
        treatments_recommended=(),
        follow_up=None,
        created=CREATED + timedelta(days=day),
        updated=CREATED + timedelta(days=day),
        psfs=psfs,
    )


def series(region: str, *day_pain: tuple[int, int | None]) -> list[Visit]:
    return [visit(day, pain, (region,)) for day, pain in day_pain]


# (id, visits, status, change, meets MCID)
STATUS_CASES = [
    ("improving_lbp", series("lumbar", (3, 8), (17, 5)), IMPROVING, -3, True),
    (
        "improving_early_is_still_improving",
        series("lumbar", (1, 6), (8, 4)),
        IMPROVING,
        -2,
        True,
    ),
    ("flat_after_6_weeks", series("lumbar", (3, 7), (45, 6)), NOT_IMPROVING, -1, False),
    (
        "flat_at_exactly_4_weeks",
        series("lumbar", (0, 7), (28, 7)),
        NOT_IMPROVING,
        0,
        False,
    ),
    (
        "flat_just_before_4_weeks",
        series("lumbar", (0, 7), (27, 7)),
        TOO_EARLY,
        0,
        False,
    ),
    ("too_early_small_drop", series("lumbar", (2, 6), (14, 5)), TOO_EARLY, -1, False),
    ("worse_after_5_weeks", series("lumbar", (3, 5), (36, 8)), WORSE, 3, False),
    ("worse_early", series("lumbar", (1, 4), (10, 6)), WORSE, 2, False),
    (
        "one_point_worse_is_not_worse",
        series("lumbar", (1, 4), (35, 5)),
        NOT_IMPROVING,
        1,
        False,
    ),
    (
        "missing_scores_between",
        series("lumbar", (1, None), (8, 7), (20, None), (33, 4)),
        IMPROVING,
        -3,
        True,
    ),
    (
        "all_scores_missing",
        series("lumbar", (1, None), (40, None)),
        NO_DATA,
        None,
        False,
    ),
    ("one_score_early", series("lumbar", (3, 7)), TOO_EARLY, None, False),
    ("one_score_late_needs_a_second", series("lumbar", (40, 7)), NO_DATA, None, False),
    # Percent vs absolute (low back: 2 points OR 30%).
    (
        "lbp_points_only_10_to_8",
        series("lumbar", (0, 10), (35, 8)),
        IMPROVING,
        -2,
        True,
    ),
    ("lbp_percent_only_3_to_2", series("lumbar", (0, 3), (35, 2)), IMPROVING, -1, True),
    ("lbp_neither_4_to_3", series("lumbar", (0, 4), (35, 3)), NOT_IMPROVING, -1, False),
    ("lbp_exactly_30_percent", series("lumbar", (0, 10), (35, 7)), IMPROVING, -3, True),
    # Neck vs low back: 1.3 points, no percent rule (cleland-2008).
    (
        "neck_3_to_2_is_not_enough",
        series("cervical", (0, 3), (35, 2)),
        NOT_IMPROVING,
        -1,
        False,
    ),
    ("neck_5_to_3_is_enough", series("cervical", (0, 5), (35, 3)), IMPROVING, -2, True),
    (
        "thoracic_uses_back_rule",
        series("thoracic", (0, 3), (35, 2)),
        IMPROVING,
        -1,
        True,
    ),
]


@pytest.mark.parametrize(
    ("visits", "status", "change", "meets"),
    [case[1:] for case in STATUS_CASES],
    ids=[case[0] for case in STATUS_CASES],
)
def test_status_table(
    visits: list[Visit], status: str, change: int | None, meets: bool
) -> None:
    """Each history gets the expected status, change from baseline and MCID verdict."""
    summary = summarize(visits)
    assert summary.status == status
    assert summary.change == change
    assert summary.meets_mcid is meets


@pytest.mark.parametrize(
    ("baseline", "latest", "by_points", "by_percent", "percent"),
    [
        (10, 8, True, False, -20.0),
        (3, 2, False, True, -33.3),
        (4, 3, False, False, -25.0),
        (7, 4, True, True, -42.9),
        (0, 0, False, False, None),
    ],
)
def test_points_and_percent_are_reported_separately(
    baseline: int,
    latest: int,
    by_points: bool,
    by_percent: bool,
    percent: float | None,
) -> None:
    """Low back: the points (2) and percent (30%) criteria are judged separately."""
    summary = summarize(series("lumbar", (0, baseline), (35, latest)))
    assert summary.reaches_mcid_points is by_points
    assert summary.reaches_mcid_percent is by_percent
    assert summary.percent_change == percent


@pytest.mark.parametrize(
    ("regions", "levels", "basis", "points", "percent", "sources", "recorded"),
    [
        (
            ("lumbar",),
            (),
            LOW_BACK,
            2.0,
            30,
            ("farrar-2001", "childs-2005", "ostelo-2008"),
            True,
        ),
        (
            ("sacral",),
            (),
            LOW_BACK,
            2.0,
            30,
            ("farrar-2001", "childs-2005", "ostelo-2008"),
            True,
        ),
        (("cervical",), (), NECK, 1.3, None, ("cleland-2008",), True),
        ((), ("C5", "C6"), NECK, 1.3, None, ("cleland-2008",), True),
        (("cervical", "lumbar"), (), NECK_AND_LOW_BACK, 2.0, None, None, True),
        (
            (),
            (),
            LOW_BACK,
            2.0,
            30,
            ("farrar-2001", "childs-2005", "ostelo-2008"),
            False,
        ),
    ],
)
def test_mcid_is_chosen_by_region(
    regions: tuple[str, ...],
    levels: tuple[str, ...],
    basis: str,
    points: float,
    percent: int | None,
    sources: tuple[str, ...] | None,
    recorded: bool,
) -> None:
    """Neck visits use cleland-2008's 1.3 points; back visits 2 points or 30%."""
    visits = [visit(0, 6, regions, levels=levels), visit(30, 5, regions, levels=levels)]
    summary = summarize(visits)
    assert summary.mcid_basis == basis
    assert summary.mcid_points == points
    assert summary.mcid_percent == percent
    assert summary.region_recorded is recorded
    if sources is not None:
        assert summary.mcid_sources == sources
    else:
        assert set(summary.mcid_sources) >= {"cleland-2008", "farrar-2001"}


def test_neck_and_low_back_must_meet_both_rules() -> None:
    """With neck and back regions, a 3 → 2 drop (33%, 1 point) is not enough."""
    visits = [visit(0, 3, ("cervical",)), visit(35, 2, ("lumbar",))]
    summary = summarize(visits)
    assert summary.mcid_basis == NECK_AND_LOW_BACK
    assert summary.status == NOT_IMPROVING


def test_out_of_order_visits_give_the_same_summary() -> None:
    """Visits in any order give the same summary as visits in date order."""
    ordered = series("lumbar", (2, 8), (9, None), (16, 7), (30, 6), (44, 3))
    shuffled = ordered[:]
    random.Random(4).shuffle(shuffled)
    assert shuffled != ordered
    assert summarize(shuffled) == summarize(ordered)
    summary = summarize(list(reversed(ordered)))
    assert summary.baseline_pain == 8
    assert summary.latest_pain == 3
    assert [p.visit_id for p in summary.points] == [v.id for v in ordered]


def test_onset_is_the_earliest_onset_given() -> None:
    """Weeks count from the earliest onset any visit records."""
    visits = [
        visit(10, 7, onset=None),
        visit(24, 6, onset=ONSET + timedelta(days=3)),
        visit(38, 6, onset=ONSET),
    ]
    summary = summarize(visits)
    assert summary.onset == ONSET
    assert summary.onset_recorded is True
    assert summary.weeks_since_onset == pytest.approx(38 / 7)
    assert summary.whole_weeks == 5
    assert [p.weeks for p in summary.points] == pytest.approx([10 / 7, 24 / 7, 38 / 7])


def test_without_onset_weeks_count_from_the_first_visit() -> None:
    """No onset recorded: the first visit date is the onset, and that is flagged."""
    visits = [visit(14, 7, onset=None), visit(42, 7, onset=None)]
    summary = summarize(visits)
    assert summary.onset == ONSET + timedelta(days=14)
    assert summary.onset_recorded is False
    assert summary.weeks_since_onset == 4.0
    assert summary.status == NOT_IMPROVING


def test_onset_never_after_the_first_visit() -> None:
    """An onset given later than an earlier visit is clamped to that visit."""
    visits = [visit(0, 7, onset=None), visit(20, 7, onset=ONSET + timedelta(days=10))]
    summary = summarize(visits)
    assert summary.onset == ONSET
    assert min(p.weeks for p in summary.points) == 0.0


def test_as_of_moves_the_assessment_date() -> None:
    """Weeks can be judged at a later date than the last visit."""
    visits = series("lumbar", (0, 7), (14, 7))
    assert summarize(visits).status == TOO_EARLY
    later = summarize(visits, as_of=ONSET + timedelta(weeks=6))
    assert later.status == NOT_IMPROVING
    assert later.imaging_window is True


def test_needs_review_only_from_four_weeks() -> None:
    """The re-evaluation prompt needs ≥ 4 weeks and no improvement (or worse)."""
    assert summarize(series("lumbar", (0, 7), (42, 7))).needs_review is True
    assert summarize(series("lumbar", (0, 4), (35, 7))).needs_review is True
    assert summarize(series("lumbar", (0, 4), (10, 7))).needs_review is False
    assert summarize(series("lumbar", (0, 7), (42, 3))).needs_review is False
    assert summarize([]).needs_review is False
    assert summarize([]).status == NO_DATA


@pytest.mark.parametrize(
    ("region", "baseline", "improve_at", "worse_at"),
    [("lumbar", 3, 2.1, 5.0), ("lumbar", 8, 6.0, 10.0), ("cervical", 3, 1.7, 4.3)],
)
def test_mcid_thresholds_for_the_chart_band(
    region: str, baseline: int, improve_at: float, worse_at: float
) -> None:
    """The band edges are the pains that meet the MCID down and up from baseline."""
    summary = summarize(series(region, (0, baseline), (7, baseline)))
    assert summary.improvement_threshold == pytest.approx(improve_at)
    assert summary.worsening_threshold == pytest.approx(worse_at)


def test_treatment_changes_are_marked() -> None:
    """A visit whose treatments given differ from the visit before is marked."""
    visits = [
        visit(0, 7, given=("heat",)),
        visit(7, 6, given=("heat",)),
        visit(14, 6, given=("heat", "manipulation")),
        visit(21, 5, given=("manipulation", "heat")),
    ]
    flags = [p.treatment_changed for p in summarize(visits).points]
    assert flags == [False, False, True, False]


def test_psfs_change_is_summarised() -> None:
    """PSFS baseline, latest and change use the mean scores; MCID is 2 points."""
    first = (("Sitting", 2), ("Walking", 3), ("Lifting", 4))
    later = (("Sitting", 5), ("Walking", 5), ("Lifting", 5))
    visits = [visit(0, 7, psfs=first), visit(7, 6), visit(28, 5, psfs=later)]
    summary = summarize(visits)
    assert summary.psfs_baseline == 3.0
    assert summary.psfs_latest == 5.0
    assert summary.psfs_change == 2.0
    assert summary.psfs_meets_mcid is True
    assert [p.psfs for p in summary.points] == [3.0, None, 5.0]


def test_status_codes_are_the_documented_ones() -> None:
    """The UI translates exactly these five codes."""
    assert progress.STATUSES == (
        "no_data",
        "too_early",
        "improving",
        "not_improving",
        "worse",
    )
