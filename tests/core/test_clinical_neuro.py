"""Tests of the quick nerve-root screen and the red flags its findings raise."""

from __future__ import annotations

import pytest

from companion.core.clinical_neuro import (
    RootFinding,
    abnormal_parts,
    answers_after_screen,
    flags_from_screen,
)
from companion.core.content import Content, load_content


@pytest.fixture(scope="module")
def content() -> Content:
    """The real English content."""
    return load_content("en")


def normal(root: str, side: str = "left") -> RootFinding:
    """A fully normal finding for one root."""
    return RootFinding(root, side, sensation="normal", strength=5, reflex="normal")


def test_a_normal_screen_raises_nothing(content: Content) -> None:
    """All roots normal on both sides: no flag."""
    findings = [normal(r, s) for r in content.nerve_roots for s in ("left", "right")]
    assert flags_from_screen(content, findings) == frozenset()


@pytest.mark.parametrize(
    "finding",
    [
        RootFinding("L5", "right", strength=4),
        RootFinding("C6", "left", sensation="reduced"),
        RootFinding("S1", "left", reflex="absent"),
    ],
)
def test_a_sensory_motor_or_reflex_change_raises_the_deficit_flag(
    content: Content, finding: RootFinding
) -> None:
    """Weak key muscle, reduced key point or lost reflex: neurological deficit."""
    assert flags_from_screen(content, [normal("L4"), finding]) == {"neuro_deficit"}


def test_a_root_without_a_reliable_reflex_ignores_its_reflex(content: Content) -> None:
    """C8, T1, L2 and L5 have no reliable reflex: 'absent' there raises nothing."""
    finding = RootFinding("L5", "left", sensation="normal", strength=5, reflex="absent")
    assert abnormal_parts(content, finding) == ()
    assert flags_from_screen(content, [finding]) == frozenset()


def test_a_brisk_reflex_also_raises_myelopathy(content: Content) -> None:
    """A brisk biceps reflex is an upper motor neurone sign."""
    flags = flags_from_screen(content, [RootFinding("C5", "left", reflex="brisk")])
    assert flags == {"neuro_deficit", "myelopathy"}


def test_a_positive_neurodynamic_test_alone_raises_nothing(content: Content) -> None:
    """A positive straight-leg raise supports radicular pain, not a deficit."""
    finding = RootFinding("S1", "left", strength=5, neurodynamic_positive=True)
    assert flags_from_screen(content, [finding]) == frozenset()


def test_screen_raises_the_visit_flag_and_never_clears_one(content: Content) -> None:
    """Abnormal findings mark the flag present; a normal screen leaves answers."""
    answers = {"neuro_deficit": "absent", "cancer": "present"}
    raised = answers_after_screen(
        content, answers, [RootFinding("L4", "left", strength=3)]
    )
    assert raised == {"neuro_deficit": "present", "cancer": "present"}
    assert answers_after_screen(content, answers, [normal("L4")]) == answers


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"root": "L6", "side": "left"}, "unknown root"),
        ({"root": "L4", "side": "up"}, "side must be"),
        ({"root": "L4", "side": "left", "strength": 6}, "strength must be 0 to 5"),
        ({"root": "L4", "side": "left", "strength": True}, "strength must be"),
        ({"root": "L4", "side": "left", "reflex": "weird"}, "unknown reflex"),
        ({"root": "L4", "side": "left", "sensation": "odd"}, "unknown sensation"),
    ],
)
def test_bad_findings_are_refused(kwargs: dict, message: str) -> None:
    """A finding outside the screen's scales is refused with a clear message."""
    with pytest.raises(ValueError, match=message):
        RootFinding(**kwargs)
