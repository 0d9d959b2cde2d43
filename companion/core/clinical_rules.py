"""Clinical safety rules for one visit: contraindications, option order, consent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from companion.core.content import Content, Option

# The answer a visit records for a red flag that is present (records.py).
RAISED = "present"

# Problem codes returned by thrust_consent_problem; the UI words them.
THRUST_WITHOUT_CONSENT = "thrust_without_consent"
CONSENT_INCOMPLETE = "consent_incomplete"
CONSENT_FOR_OTHER_TECHNIQUE = "consent_for_other_technique"


def raised_flags(red_flags: Mapping[str, str]) -> frozenset[str]:
    """The flag ids a visit's answers mark as present ("absent" and unasked drop)."""
    return frozenset(f for f, answer in red_flags.items() if answer == RAISED)


def contraindications(
    content: Content, raised: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Option id -> the raised flags that rule it out, for each ruled-out option.

    The rule lives in the content (an option's contraindicated_by), so a new
    flag or option needs no code change here.
    """
    raised = set(raised)
    ruled_out: dict[str, tuple[str, ...]] = {}
    for option in content.options:
        reasons = tuple(f for f in option.contraindicated_by if f in raised)
        if reasons:
            ruled_out[option.id] = reasons
    return ruled_out


def is_contraindicated(option: Option, raised: Iterable[str]) -> bool:
    """True when any raised flag rules the option out."""
    return bool(set(option.contraindicated_by) & set(raised))


@dataclass(frozen=True)
class HandoutOptions:
    """The options a handout lists: the visit's plan first, then other home care."""

    plan: tuple[Option, ...]  # what the clinician chose, in the clinician's order
    other: tuple[Option, ...]  # other options for the region, in content order
    left_out: tuple[str, ...]  # chosen ids dropped: unknown, other region, ruled out


def handout_options(
    content: Content,
    region: str,
    chosen: Iterable[str],
    raised: Iterable[str] = (),
) -> HandoutOptions:
    """Order a region's options for the patient: chosen first, never a ruled-out one.

    chosen are option ids from the visit (given or recommended). Options the
    guidelines grade "against" are offered only when the clinician chose them.
    """
    raised = set(raised)
    offered = {o.id: o for o in content.options_for(region)}
    plan: list[Option] = []
    left_out: list[str] = []
    for option_id in dict.fromkeys(chosen):
        option = offered.get(option_id)
        if option is None or is_contraindicated(option, raised):
            left_out.append(option_id)
        else:
            plan.append(option)
    in_plan = {o.id for o in plan}
    other = tuple(
        o
        for o in offered.values()
        if o.id not in in_plan
        and o.evidence != "against"
        and not is_contraindicated(o, raised)
    )
    return HandoutOptions(tuple(plan), other, tuple(left_out))


@dataclass(frozen=True)
class ConsentRecord:
    """A patient's informed consent to a technique, as recorded on the visit."""

    technique: str  # option id consented to, e.g. "cervical_manipulation"
    given_by: str  # who consented (the patient, or who for them)
    recorded_by: str  # the clinician who explained and recorded it
    when: datetime
    explained: str  # what was explained: risks, alternatives, right to decline

    def is_complete(self) -> bool:
        """Every field is filled in."""
        texts = (self.technique, self.given_by, self.recorded_by, self.explained)
        return all(t.strip() for t in texts)


@dataclass(frozen=True)
class ConsentProblem:
    """Why a recorded thrust technique is not yet documented well enough."""

    code: str  # THRUST_WITHOUT_CONSENT, CONSENT_INCOMPLETE, ...
    option_id: str


def thrust_consent_problem(
    content: Content,
    treatments: Iterable[str],
    consents: Iterable[ConsentRecord] = (),
    reason: str = "",
) -> ConsentProblem | None:
    """The first thrust treatment that lacks a complete, matching consent record.

    A recorded reason (for example, consent held in another record) stands in
    for the consent record. None means the treatments may be saved as they are.
    """
    if reason.strip():
        return None
    thrusts = {o.id for o in content.options if o.thrust}
    consents = tuple(consents)
    for option_id in dict.fromkeys(treatments):
        if option_id not in thrusts:
            continue
        matching = [c for c in consents if c.technique == option_id]
        if not matching:
            code = CONSENT_FOR_OTHER_TECHNIQUE if consents else THRUST_WITHOUT_CONSENT
            return ConsentProblem(code, option_id)
        if not any(c.is_complete() for c in matching):
            return ConsentProblem(CONSENT_INCOMPLETE, option_id)
    return None
