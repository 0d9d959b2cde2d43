"""Tests for the Patient-Specific Functional Scale: validation, score, Visit field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from companion.core.psfs import (
    PSFS_MCID,
    psfs_improved,
    psfs_score,
    validate_psfs,
)
from companion.core.records import InvalidInput, Visit

THREE = (("Sitting 30 minutes", 4), ("Lifting my child", 2), ("Sleeping", 6))


def test_valid_answers_are_normalised() -> None:
    """Names are trimmed and inner spaces collapsed; ratings stay whole numbers."""
    answers = validate_psfs(
        [["  Sitting   30 minutes ", 4], ("Walking", 0), ("Run", 10)]
    )
    assert answers == (("Sitting 30 minutes", 4), ("Walking", 0), ("Run", 10))


@pytest.mark.parametrize("empty", [None, (), []])
def test_nothing_recorded_is_allowed(empty: object) -> None:
    """No PSFS at a visit is stored as an empty tuple."""
    assert validate_psfs(empty) == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((("Sitting", 4), ("Walking", 3)), "3 to 5 activities (got 2)"),
        (tuple((f"Task {n}", 5) for n in range(6)), "3 to 5 activities (got 6)"),
        ((("Sitting", 4), ("  ", 3), ("Run", 2)), "needs a name"),
        ((("Sitting", 11), ("Walking", 3), ("Run", 2)), "from 0 to 10 (got 11)"),
        ((("Sitting", -1), ("Walking", 3), ("Run", 2)), "from 0 to 10 (got -1)"),
        ((("Sitting", 4.5), ("Walking", 3), ("Run", 2)), "whole number"),
        ((("Sitting", True), ("Walking", 3), ("Run", 2)), "whole number"),
        ((("Sitting", "7"), ("Walking", 3), ("Run", 2)), "whole number"),
        ((("Sitting", 4), ("sitting ", 3), ("Run", 2)), "twice"),
        ((("Sitting", 4, 1), ("Walking", 3), ("Run", 2)), "(activity, rating) pair"),
        (("Sitting", "Walking", "Run"), "(activity, rating) pair"),
        ("Sitting 4", "list of (activity, rating)"),
        ((("x" * 81, 4), ("Walking", 3), ("Run", 2)), "at most 80 characters"),
    ],
)
def test_invalid_answers_say_what_is_wrong(value: object, message: str) -> None:
    """Each kind of bad input raises InvalidInput on field psfs with a clear message."""
    with pytest.raises(InvalidInput) as caught:
        validate_psfs(value)
    assert caught.value.field == "psfs"
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        (THREE, 4.0),
        ((("A", 1), ("B", 2), ("C", 2)), 1.67),
        ((("A", 10), ("B", 10), ("C", 10), ("D", 10), ("E", 9)), 9.8),
        ((), None),
    ],
)
def test_score_is_the_mean_rating(answers: tuple, score: float | None) -> None:
    """The PSFS score is the average of the ratings (2 decimals), None if empty."""
    assert psfs_score(answers) == score


def test_mcid_is_two_points() -> None:
    """A rise of 2 points or more is a meaningful improvement (stratford-1995)."""
    assert PSFS_MCID == 2.0
    assert psfs_improved(3.0, 5.0) is True
    assert psfs_improved(3.0, 4.67) is False
    assert psfs_improved(5.0, 3.0) is False


def _visit(psfs: object) -> Visit:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    return Visit(
        id="v1",
        patient_id="p1",
        visit_date=date(2024, 1, 2),
        onset_date=None,
        mechanism=None,
        pain=5,
        regions=(),
        levels=(),
        red_flags={},
        treatments_given=(),
        treatments_recommended=(),
        follow_up=None,
        created=now,
        updated=now,
        psfs=psfs,  # type: ignore[arg-type]
    )


def test_visit_validates_and_normalises_psfs() -> None:
    """A Visit refuses bad PSFS answers and stores good ones as tuples."""
    assert _visit([["Sitting", 4], ["Walking", 2], ["Sleeping", 6]]).psfs == (
        ("Sitting", 4),
        ("Walking", 2),
        ("Sleeping", 6),
    )
    with pytest.raises(InvalidInput, match="3 to 5"):
        _visit([("Sitting", 4)])


def test_visit_psfs_defaults_to_none_recorded() -> None:
    """Visits made without PSFS (older code paths) have an empty PSFS."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    visit = Visit(
        id="v1",
        patient_id="p1",
        visit_date=date(2024, 1, 2),
        onset_date=None,
        mechanism=None,
        pain=None,
        regions=(),
        levels=(),
        red_flags={},
        treatments_given=(),
        treatments_recommended=(),
        follow_up=None,
        created=now,
        updated=now,
    )
    assert visit.psfs == ()
