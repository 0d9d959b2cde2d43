"""The Patient-Specific Functional Scale: 3–5 activities rated 0–10, scored as the mean.

The patient names the activities they struggle with, so there is no item text to
license; score = average rating, MCID ≈ 2 points (stratford-1995).
"""

from __future__ import annotations

from collections.abc import Iterable

from companion.core.records import InvalidInput, check_storable

PSFS_MIN_ACTIVITIES = 3
PSFS_MAX_ACTIVITIES = 5
PSFS_MIN_RATING, PSFS_MAX_RATING = 0, 10
PSFS_MCID = 2.0  # points of the mean score (stratford-1995)
ACTIVITY_MAX_LENGTH = 80

Psfs = tuple[tuple[str, int], ...]


def validate_psfs(value: object) -> Psfs:
    """Return PSFS answers as ((activity, rating), …); () means not recorded.

    Raises InvalidInput (field "psfs") with a message the clinician can act on.
    """
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput("psfs", "PSFS must be a list of (activity, rating) pairs.")
    items = tuple(value)
    if not items:
        return ()
    if not PSFS_MIN_ACTIVITIES <= len(items) <= PSFS_MAX_ACTIVITIES:
        raise InvalidInput(
            "psfs",
            f"PSFS needs {PSFS_MIN_ACTIVITIES} to {PSFS_MAX_ACTIVITIES} activities "
            f"(got {len(items)}).",
        )
    answers: list[tuple[str, int]] = []
    seen: set[str] = set()
    for item in items:
        pair = () if isinstance(item, str | bytes) else item
        if not isinstance(pair, Iterable) or len(pair := tuple(pair)) != 2:
            raise InvalidInput(
                "psfs", f"PSFS entry {item!r} is not an (activity, rating) pair."
            )
        activity, rating = pair
        name = _activity(activity)
        if name.casefold() in seen:
            raise InvalidInput("psfs", f"PSFS lists the activity {name!r} twice.")
        seen.add(name.casefold())
        answers.append((name, _rating(name, rating)))
    return tuple(answers)


def psfs_score(answers: Iterable[tuple[str, int]]) -> float | None:
    """The PSFS score (mean rating, 2 decimals), or None when nothing was recorded."""
    ratings = [rating for _activity, rating in answers]
    if not ratings:
        return None
    return round(sum(ratings) / len(ratings), 2)


def psfs_improved(baseline: float, latest: float) -> bool:
    """True when the score rose by at least the MCID (higher is better function)."""
    return latest - baseline >= PSFS_MCID


def _activity(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("psfs", "Each PSFS activity needs a name.")
    name = " ".join(value.split())
    if len(name) > ACTIVITY_MAX_LENGTH:
        raise InvalidInput(
            "psfs",
            f"PSFS activity names are at most {ACTIVITY_MAX_LENGTH} characters "
            f"({name[:20]!r}… is {len(name)}).",
        )
    return check_storable("psfs", name)


def _rating(name: str, value: object) -> int:
    # bool is an int subclass, but True is not a rating.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            "psfs",
            f"Rate {name!r} with a whole number from 0 to 10 (got {value!r}).",
        )
    if not PSFS_MIN_RATING <= value <= PSFS_MAX_RATING:
        raise InvalidInput("psfs", f"Rate {name!r} from 0 to 10 (got {value}).")
    return value
