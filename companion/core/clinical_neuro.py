"""The quick nerve-root screen: per-root findings and the red flags they raise."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from companion.core.clinical_rules import RAISED
from companion.core.content import SCREENED_ROOTS, Content

SIDES = ("left", "right")
SENSATION = ("normal", "reduced", "absent", "increased")
REFLEX = ("normal", "reduced", "absent", "brisk")
FULL_STRENGTH = 5  # MRC (Oxford) scale 0-5

NEURO_DEFICIT = "neuro_deficit"
MYELOPATHY = "myelopathy"


@dataclass(frozen=True)
class RootFinding:
    """What was found for one root on one side; None means not tested."""

    root: str  # one of SCREENED_ROOTS
    side: str  # "left" or "right"
    sensation: str | None = None  # at the root's key sensory point
    strength: int | None = None  # of the root's key muscle, 0-5
    reflex: str | None = None  # only for a root with a reliable reflex
    neurodynamic_positive: bool | None = None

    def __post_init__(self) -> None:
        if self.root not in SCREENED_ROOTS:
            raise ValueError(f"unknown root {self.root!r}")
        if self.side not in SIDES:
            raise ValueError(f"side must be left or right, not {self.side!r}")
        if self.sensation is not None and self.sensation not in SENSATION:
            raise ValueError(f"unknown sensation finding {self.sensation!r}")
        if self.strength is not None and (
            isinstance(self.strength, bool)
            or not isinstance(self.strength, int)
            or not 0 <= self.strength <= FULL_STRENGTH
        ):
            raise ValueError(f"strength must be 0 to 5, not {self.strength!r}")
        if self.reflex is not None and self.reflex not in REFLEX:
            raise ValueError(f"unknown reflex finding {self.reflex!r}")


def abnormal_parts(content: Content, finding: RootFinding) -> tuple[str, ...]:
    """Which of sensation, strength and reflex are abnormal for this finding.

    A reflex is read only for a root that has a reliable one (C8, T1, L2 and L5
    have none), so an unreliable reflex never raises a flag.
    """
    parts = []
    if finding.sensation not in (None, "normal"):
        parts.append("sensation")
    if finding.strength is not None and finding.strength < FULL_STRENGTH:
        parts.append("strength")
    root = content.nerve_roots[finding.root]
    if root.has_reflex and finding.reflex not in (None, "normal"):
        parts.append("reflex")
    return tuple(parts)


def flags_from_screen(
    content: Content, findings: Iterable[RootFinding]
) -> frozenset[str]:
    """The red flags the screen's findings raise.

    Any sensory, motor or reflex change is a neurological deficit; a brisk
    reflex is an upper motor neurone sign, so it also raises myelopathy. A
    positive neurodynamic test alone supports radicular pain and raises nothing.
    """
    flags: set[str] = set()
    for finding in findings:
        if abnormal_parts(content, finding):
            flags.add(NEURO_DEFICIT)
        root = content.nerve_roots[finding.root]
        if root.has_reflex and finding.reflex == "brisk":
            flags.add(MYELOPATHY)
    return frozenset(flags)


def answers_after_screen(
    content: Content, answers: Mapping[str, str], findings: Iterable[RootFinding]
) -> dict[str, str]:
    """The visit's red-flag answers with the screen's flags marked present.

    It only ever raises a flag: a normal screen never clears an answer the
    clinician gave.
    """
    updated = dict(answers)
    for flag in flags_from_screen(content, findings):
        updated[flag] = RAISED
    return updated
