"""Clinical rules of a visit: selection, involved muscles, flags to ask and raised."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from companion.core import spine
from companion.core.content import Content, RedFlag, RegionInfo
from companion.core.i18n import Strings

# A crash or a hard fall is significant trauma until an exam says otherwise
# (source article; NICE NG59 and the Canadian C-spine rule start from it).
TRAUMA_MECHANISMS: tuple[str, ...] = ("car_accident", "fall")
TRAUMA_FLAG = "trauma"
PRESENT, ABSENT = "present", "absent"


def resolve_selection(
    content: Content, code: str
) -> tuple[RegionInfo, str | None, str | None]:
    """Region for a selection code, plus the level and muscle it names (if any)."""
    if spine.is_level(code):
        return content.region(code), code, None
    if spine.is_region(code):
        return content.region(code), None, None
    if code in content.muscles:
        home = next(r for r in content.regions.values() if code in r.muscles)
        return home, None, code
    raise KeyError(f"unknown selection code {code!r}")


def involved_muscles(content: Content, code: str | None) -> list[str]:
    """The muscles to highlight for a selection: its region's, none for None."""
    if code is None:
        return []
    region = resolve_selection(content, code)[0]
    return [m.id for m in content.muscles_for(region.id)]


def visit_regions(levels: Iterable[str], regions: Iterable[str]) -> list[str]:
    """The regions a visit covers (its levels' and its own), top to bottom."""
    found = {spine.level(code).region.value for code in levels} | set(regions)
    return [r.value for r in spine.REGIONS if r.value in found]


def visit_codes(levels: Sequence[str], regions: Sequence[str]) -> list[str]:
    """What a visit is about, as diagram codes: its levels, else its regions."""
    return list(levels) if levels else list(regions)


def flags_to_ask(content: Content, regions: Sequence[str]) -> list[RedFlag]:
    """The red flags to screen for these regions; every flag when none is set."""
    if not regions:
        return list(content.red_flags)
    wanted = set(regions)
    return [f for f in content.red_flags if wanted & set(f.regions)]


def answers_for_mechanism(
    answers: Mapping[str, str], mechanism: str | None
) -> dict[str, str]:
    """The screen's answers once the mechanism is known.

    A car accident or a fall records significant trauma as present (the
    clinician may still change it); other mechanisms leave the answers alone.
    """
    updated = dict(answers)
    if mechanism in TRAUMA_MECHANISMS:
        updated[TRAUMA_FLAG] = PRESENT
    return updated


def all_absent(answers: Mapping[str, str], flags: Iterable[RedFlag]) -> dict[str, str]:
    """Every flag not yet answered marked absent; a present answer is kept."""
    updated = dict(answers)
    for flag in flags:
        updated.setdefault(flag.id, ABSENT)
    return updated


def raised_flags(
    content: Content, answers: Mapping[str, str], mechanism: str | None
) -> list[RedFlag]:
    """Flags that change the plan: those answered present, and trauma for a crash.

    Trauma comes first for a car accident or fall even before it is ticked, so
    the banner never waits on the checklist.
    """
    by_id = {f.id: f for f in content.red_flags}
    raised = [by_id[f] for f, a in answers.items() if a == PRESENT and f in by_id]
    trauma = by_id.get(TRAUMA_FLAG)
    if mechanism in TRAUMA_MECHANISMS and trauma is not None:
        if trauma in raised:
            raised.remove(trauma)
        raised.insert(0, trauma)
    return raised


def add_to_visit(
    content: Content, levels: Sequence[str], regions: Sequence[str], code: str
) -> tuple[list[str], list[str]]:
    """(levels, regions) after adding a selection code, levels top to bottom."""
    region, level, _muscle = resolve_selection(content, code)
    new_levels = list(levels)
    new_regions = list(regions)
    if level and level not in new_levels:
        new_levels.append(level)
    if region.id not in new_regions:
        new_regions.append(region.id)
    new_levels.sort(key=lambda c: spine.level(c).index)
    return new_levels, visit_regions(new_levels, new_regions)


def remove_from_visit(
    levels: Sequence[str], regions: Sequence[str], code: str
) -> tuple[list[str], list[str]]:
    """(levels, regions) after removing one level or region tag."""
    new_levels = [c for c in levels if c != code]
    if spine.is_region(code):
        new_levels = [c for c in new_levels if spine.level(c).region.value != code]
    # A region added on its own (no level) stays until its own tag is removed.
    new_regions = [r for r in regions if r != code and r not in _emptied(levels, code)]
    return new_levels, visit_regions(new_levels, new_regions)


def _emptied(levels: Sequence[str], code: str) -> set[str]:
    """Regions that lose their last level when code is removed."""
    if not spine.is_level(code):
        return {code} if spine.is_region(code) else set()
    region = spine.level(code).region.value
    others = [c for c in levels if c != code and spine.level(c).region.value == region]
    return set() if others else {region}


def suggested_assessment(
    content: Content,
    strings: Strings,
    levels: Sequence[str],
    regions: Sequence[str],
) -> str:
    """The assessment the visit's levels suggest, without presuming a diagnosis.

    It names where the findings are and which muscles to examine there; the
    clinician writes the impression (a spasm is one of several possibilities).
    """
    parts = []
    for region_id in visit_regions(levels, regions):
        region = content.regions[region_id]
        at = [c for c in levels if spine.level(c).region.value == region_id]
        parts.append(f"{region.name} ({', '.join(at)})" if at else region.name)
    if not parts:
        return ""
    muscles = []
    for region_id in visit_regions(levels, regions):
        muscles += [m.name for m in content.muscles_for(region_id)]
    return strings.t(
        "visit.assessment",
        where="; ".join(parts),
        muscles=", ".join(dict.fromkeys(muscles)),
    )
