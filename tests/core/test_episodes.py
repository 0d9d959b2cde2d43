"""Episode rules without Qt: when a visit is a new injury, how old visits group."""

from __future__ import annotations

from datetime import UTC, date, datetime

from companion.core.episodes import (
    episode_ids,
    group_into_episodes,
    is_new_episode,
    visits_of_episode,
)
from companion.core.records import Visit

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def visit(vid: str, day: date, onset=None, mechanism=None, episode=None) -> Visit:
    return Visit(
        id=vid,
        patient_id="p",
        visit_date=day,
        onset_date=onset,
        mechanism=mechanism,
        pain=None,
        regions=(),
        levels=(),
        red_flags={},
        treatments_given=(),
        treatments_recommended=(),
        follow_up=None,
        created=NOW,
        updated=NOW,
        episode_id=episode,
    )


def test_blank_onset_and_mechanism_continue() -> None:
    """A visit that leaves onset and cause blank is not a new episode."""
    assert not is_new_episode(date(2026, 1, 1), "lifting", None, None)
    assert not is_new_episode(None, None, date(2026, 1, 1), "fall")


def test_other_onset_or_mechanism_is_new() -> None:
    """A different onset date or mechanism is a new injury."""
    assert is_new_episode(date(2026, 1, 1), "lifting", date(2026, 2, 1), None)
    assert is_new_episode(date(2026, 1, 1), "lifting", None, "car_accident")
    assert not is_new_episode(date(2026, 1, 1), "lifting", date(2026, 1, 1), "lifting")


def test_grouping_walks_oldest_first() -> None:
    """Visits group in date order whatever order they are given in."""
    v3 = visit("3", date(2026, 3, 1), date(2026, 3, 1), "car_accident")
    v1 = visit("1", date(2026, 1, 5), date(2026, 1, 1), "lifting")
    v2 = visit("2", date(2026, 1, 12))
    groups = group_into_episodes([v3, v1, v2])
    assert [[v.id for v in g] for g in groups] == [["1", "2"], ["3"]]


def test_visits_of_episode_and_ids() -> None:
    """Filtering by episode keeps order; ids come newest episode first."""
    visits = [
        visit("b", date(2026, 3, 1), episode="e2"),
        visit("a", date(2026, 1, 1), episode="e1"),
    ]
    assert [v.id for v in visits_of_episode(visits, "e1")] == ["a"]
    assert len(visits_of_episode(visits, None)) == 2
    assert episode_ids(visits) == ["e2", "e1"]
