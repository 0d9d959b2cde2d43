"""The vertebral levels and regions of the spine, in order from skull to tailbone."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Region(StrEnum):
    """A region of the spine; its value is the code in content, art and database."""

    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SACRAL = "sacral"


# Value types are NamedTuples, not dataclasses: they load before the first paint,
# where each frozen dataclass costs about half a millisecond to define.
class Level(NamedTuple):
    """One clickable level: a vertebra, the sacrum (S1) or the coccyx (Co)."""

    code: str
    region: Region
    index: int  # 0 at C1, increasing toward the tailbone (shadows tuple.index)


def _build_levels() -> tuple[Level, ...]:
    codes: list[tuple[str, Region]] = []
    codes += [(f"C{n}", Region.CERVICAL) for n in range(1, 8)]
    codes += [(f"T{n}", Region.THORACIC) for n in range(1, 13)]
    codes += [(f"L{n}", Region.LUMBAR) for n in range(1, 6)]
    # The sacrum's five segments are fused, so the whole bone is one level, S1.
    codes += [("S1", Region.SACRAL), ("Co", Region.SACRAL)]
    return tuple(Level(code, region, i) for i, (code, region) in enumerate(codes))


LEVELS: tuple[Level, ...] = _build_levels()
LEVEL_BY_CODE: dict[str, Level] = {level.code: level for level in LEVELS}
REGIONS: tuple[Region, ...] = tuple(Region)


def level(code: str) -> Level:
    """Return the level for a code such as "C5", raising KeyError with the code."""
    try:
        return LEVEL_BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown spine level {code!r}") from None


def is_level(code: str) -> bool:
    """True when code names a vertebral level (C1…Co)."""
    return code in LEVEL_BY_CODE


def is_region(code: str) -> bool:
    """True when code names a region (cervical, thoracic, lumbar, sacral)."""
    return code in {r.value for r in Region}


def levels_in(region: Region | str) -> tuple[Level, ...]:
    """The levels of one region, top to bottom."""
    region = Region(region)
    return tuple(lv for lv in LEVELS if lv.region is region)


def level_span(first: str, last: str) -> tuple[Level, ...]:
    """All levels from first to last inclusive, in skull-to-tailbone order."""
    a, b = level(first).index, level(last).index
    if a > b:
        raise ValueError(f"level span {first}–{last} runs upward")
    return LEVELS[a : b + 1]


def step(code: str, delta: int) -> Level:
    """The level delta steps below (+) or above (-), clamped at the ends."""
    i = min(max(level(code).index + delta, 0), len(LEVELS) - 1)
    return LEVELS[i]


def step_region(code: str, delta: int) -> Level:
    """The first level of the region delta regions away, clamped at the ends."""
    order = list(REGIONS)
    i = order.index(level(code).region) + delta
    i = min(max(i, 0), len(order) - 1)
    return levels_in(order[i])[0]
