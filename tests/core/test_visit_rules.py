"""Visit rules without Qt: selection, flags to ask and raised, trauma, levels."""

from __future__ import annotations

from companion.core import visit_rules as rules
from companion.core.content import load_content
from companion.core.i18n import strings

CONTENT = load_content("en")


def test_resolve_selection_names_region_level_and_muscle() -> None:
    """A level, a region and a muscle code each resolve to their region."""
    assert rules.resolve_selection(CONTENT, "C5")[:2] == (CONTENT.region("C5"), "C5")
    region, level, muscle = rules.resolve_selection(CONTENT, "quadratus_lumborum")
    assert region.id == "lumbar" and level is None and muscle == "quadratus_lumborum"


def test_involved_muscles_are_the_regions() -> None:
    """A level's involved muscles are its region's; nothing for no selection."""
    assert rules.involved_muscles(CONTENT, "L4") == list(CONTENT.region("L4").muscles)
    assert rules.involved_muscles(CONTENT, None) == []


def test_a_crash_records_trauma_present_and_raises_it_first() -> None:
    """Car accident or fall: trauma answered present, and it heads the banner."""
    answers = rules.answers_for_mechanism({"cancer": "absent"}, "car_accident")
    assert answers == {"cancer": "absent", "trauma": "present"}
    assert rules.answers_for_mechanism({}, "lifting") == {}
    raised = rules.raised_flags(CONTENT, {"cauda_equina": "present"}, "fall")
    assert [f.id for f in raised][:1] == ["trauma"]
    assert "cauda_equina" in [f.id for f in raised]


def test_all_absent_keeps_present_answers() -> None:
    """All absent fills only the unanswered flags; a present one stays present."""
    flags = rules.flags_to_ask(CONTENT, ["lumbar"])
    answers = rules.all_absent({flags[0].id: "present"}, flags)
    assert answers[flags[0].id] == "present"
    assert all(answers[f.id] == "absent" for f in flags[1:])
    assert len(answers) == len(flags)


def test_flags_to_ask_follow_the_regions() -> None:
    """Every flag with no region yet; only the region's flags once one is set."""
    assert rules.flags_to_ask(CONTENT, []) == list(CONTENT.red_flags)
    neck = rules.flags_to_ask(CONTENT, ["cervical"])
    assert neck and all("cervical" in f.regions for f in neck)


def test_levels_add_in_order_and_remove_with_their_region() -> None:
    """Added levels sort skull to tailbone; removing a region's last level drops it."""
    levels, regions = rules.add_to_visit(CONTENT, ["L4"], ["lumbar"], "C5")
    levels, regions = rules.add_to_visit(CONTENT, levels, regions, "T6")
    assert levels == ["C5", "T6", "L4"]
    assert regions == ["cervical", "thoracic", "lumbar"]
    levels, regions = rules.remove_from_visit(levels, regions, "T6")
    assert levels == ["C5", "L4"] and regions == ["cervical", "lumbar"]
    assert rules.remove_from_visit(["C5"], ["cervical", "lumbar"], "lumbar") == (
        ["C5"],
        ["cervical"],
    )


def test_suggested_assessment_names_every_level_and_presumes_nothing() -> None:
    """The assessment names each region with its levels and leaves the impression."""
    text = rules.suggested_assessment(
        CONTENT, strings("en"), ["C5", "T6", "L4"], ["cervical", "thoracic", "lumbar"]
    )
    for code in ("C5", "T6", "L4"):
        assert code in text
    assert "spasm" not in text.lower()
    assert rules.suggested_assessment(CONTENT, strings("en"), [], []) == ""
