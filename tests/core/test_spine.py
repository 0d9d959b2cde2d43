"""Tests for the spine's levels and regions."""

from __future__ import annotations

import pytest

from companion.core import spine


def test_levels_run_skull_to_tailbone() -> None:
    """C1–C7, T1–T12, L1–L5, sacrum and coccyx, 26 clickable levels in order."""
    codes = [lv.code for lv in spine.LEVELS]
    expected = [f"C{n}" for n in range(1, 8)] + [f"T{n}" for n in range(1, 13)]
    expected += [f"L{n}" for n in range(1, 6)] + ["S1", "Co"]
    assert codes == expected


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("C1", "cervical"),
        ("C7", "cervical"),
        ("T1", "thoracic"),
        ("T12", "thoracic"),
        ("L1", "lumbar"),
        ("L5", "lumbar"),
        ("S1", "sacral"),
        ("Co", "sacral"),
    ],
)
def test_each_level_maps_to_its_region(code: str, region: str) -> None:
    """Region boundaries fall between C7/T1, T12/L1 and L5/S1."""
    assert spine.level(code).region == region


def test_step_clamps_at_the_ends() -> None:
    """Moving past C1 or Co stays put."""
    assert spine.step("C1", -1).code == "C1"
    assert spine.step("Co", 1).code == "Co"
    assert spine.step("C7", 1).code == "T1"


def test_step_region_lands_on_first_level() -> None:
    """Region jumps land on the region's top level."""
    assert spine.step_region("C4", 1).code == "T1"
    assert spine.step_region("L3", -1).code == "T1"
    assert spine.step_region("S1", 1).code == "S1"


def test_unknown_level_names_the_code() -> None:
    """An unknown code raises with the code in the message."""
    with pytest.raises(KeyError, match="X9"):
        spine.level("X9")


def test_span_must_run_downward() -> None:
    """A span from a lower to a higher level is refused."""
    assert [lv.code for lv in spine.level_span("T11", "L1")] == ["T11", "T12", "L1"]
    with pytest.raises(ValueError, match="upward"):
        spine.level_span("L1", "T11")
