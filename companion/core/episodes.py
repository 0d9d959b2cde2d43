"""Episodes of care: which visits follow one injury or onset, and when one begins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from companion.core.records import Visit


def is_new_episode(
    current_onset: date | None,
    current_mechanism: str | None,
    onset_date: date | None,
    mechanism: str | None,
) -> bool:
    """True when a visit's onset or mechanism names another injury than the episode's.

    A visit that leaves onset and mechanism blank continues the episode (that
    is what carrying "Pain began" forward means); a different onset date or a
    different recorded mechanism is a new injury.
    """
    new_onset = None not in (onset_date, current_onset) and onset_date != current_onset
    new_mechanism = (
        None not in (mechanism, current_mechanism) and mechanism != current_mechanism
    )
    return new_onset or new_mechanism


def group_into_episodes(visits: Iterable[Visit]) -> list[list[Visit]]:
    """One patient's visits split into episodes, oldest visit first in each.

    Used to migrate visits recorded before episodes existed: visits are walked
    oldest first and a new episode starts where the onset or mechanism changes.
    """
    ordered = sorted(visits, key=lambda v: (v.visit_date, v.created))
    episodes: list[list[Visit]] = []
    onset: date | None = None
    mechanism: str | None = None
    for visit in ordered:
        if not episodes or is_new_episode(
            onset, mechanism, visit.onset_date, visit.mechanism
        ):
            episodes.append([])
            onset, mechanism = None, None
        episodes[-1].append(visit)
        onset = visit.onset_date or onset
        mechanism = visit.mechanism or mechanism
    return episodes


def visits_of_episode(visits: Sequence[Visit], episode_id: str | None) -> list[Visit]:
    """The visits of one episode, in the order given; all of them for None."""
    if episode_id is None:
        return list(visits)
    return [v for v in visits if v.episode_id == episode_id]


def episode_ids(visits: Sequence[Visit]) -> list[str]:
    """Episode ids of a patient's visits, newest episode first (visits newest first)."""
    return list(dict.fromkeys(v.episode_id for v in visits if v.episode_id))
