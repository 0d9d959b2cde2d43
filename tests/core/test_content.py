"""Tests for the clinical content files and their loader/validator."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from companion.core import spine
from companion.core.content import (
    DEFAULT_CONTENT_DIR,
    EVIDENCE_GRADES,
    URGENCIES,
    Content,
    ContentError,
    available_languages,
    load_all,
    load_content,
)

REGIONS = ("cervical", "thoracic", "lumbar", "sacral")
MUSCLE_IDS = {
    "trapezius_upper",
    "trapezius_middle",
    "trapezius_lower",
    "sternocleidomastoid",
    "levator_scapulae",
    "splenius",
    "scalenes",
    "rhomboids",
    "erector_spinae",
    "multifidus",
    "latissimus_dorsi",
    "quadratus_lumborum",
}


@pytest.fixture(scope="module")
def content() -> Content:
    """The real English content."""
    return load_content("en")


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the real content directory, safe to break."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def edit_item(path: Path, header: str, item_id: str, old: str, new: str) -> None:
    """Replace the first `old` after the `[[header]]` table with the given id."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f'[[{header}]]\nid = "{item_id}"\n')
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace one exact occurrence of old in the file, failing if absent."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(language: str, content_dir: Path) -> ContentError:
    """Load and return the ContentError the loader raises."""
    with pytest.raises(ContentError) as info:
        load_content(language, content_dir)
    return info.value


def assert_error(err: ContentError, file: str, key: str, problem: str) -> None:
    """The error names exactly this file, key and problem."""
    assert (err.file, err.key, err.problem) == (file, key, problem)
    assert str(err) == f"{file}: {key}: {problem}"


def make_spanish_copy(content_dir: Path) -> Path:
    """Copy en.toml to es.toml, relabelled as Spanish."""
    es = content_dir / "es.toml"
    text = (content_dir / "en.toml").read_text(encoding="utf-8")
    text = text.replace('language = "en"', 'language = "es"', 1)
    text = text.replace('language_name = "English"', 'language_name = "Español"', 1)
    es.write_text(text, encoding="utf-8")
    return es


# ------------------------------------------------------------ completeness ---


def test_every_region_has_muscles_causes_flags_and_options(content: Content) -> None:
    """Each of the four regions offers muscles, causes, red flags and options."""
    assert tuple(content.regions) == REGIONS
    for region in REGIONS:
        assert content.muscles_for(region), region
        assert content.causes_for(region), region
        assert content.red_flags_for(region), region
        assert content.options_for(region), region


def test_every_citation_key_resolves(content: Content) -> None:
    """Every item cites at least one key and every key is in references.toml."""
    items = [
        *content.regions.values(),
        *content.muscles.values(),
        *content.causes,
        *content.red_flags,
        *content.options,
        *content.prevention,
        content.escalation,
    ]
    for item in items:
        assert item.cite, item
        for key in item.cite:
            assert content.citation(key).text.strip()


def test_references_hold_every_documented_key(content: Content) -> None:
    """references.toml has a full reference for each of the 47 documented keys."""
    expected = {
        "seed", "nice-ng59", "acp-2017", "acp-imaging-2011", "choosing-wisely-lbp",
        "acr-lbp", "jospt-neck-2017", "canadian-cspine", "gray-1918", "farrar-2001",
        "childs-2005", "ostelo-2008", "vernon-1991", "stratford-1995", "hill-2008",
        "nass-cw", "aca-cw", "henschke-2009", "cleland-2008", "french-2006",
        "ahrq-hl", "clas", "weiss-ama",
        # issue 15: safety, region-true content and the nerve-root screen
        "biller-2014", "rushton-2023", "who-chiro-2005", "acr-spine-trauma",
        "nexus-2000", "nice-ng65", "finucane-2020", "nice-ng234", "nice-cg95",
        "acc-aha-aorta-2022", "nice-ng158", "nice-ng156", "nice-ng118",
        "nice-ng111", "beers-2023", "fda-nsaid-2020", "steffens-2016",
        "bogduk-2009", "vleeming-2008", "lirette-2014", "hopayian-2010",
        "asia-isncsci", "magee-2014",
    }  # fmt: skip
    assert set(content.references) == expected


def test_muscle_ids_are_the_diagram_ids(content: Content) -> None:
    """Exactly the twelve muscle ids the diagram artist draws are defined."""
    assert set(content.muscles) == MUSCLE_IDS


def test_every_text_field_is_filled(content: Content) -> None:
    """No name, clinician or patient text is blank, and all labels exist."""
    for item in [*content.regions.values(), *content.muscles.values()]:
        assert item.name.strip() and item.clinician.strip() and item.patient.strip()
    for grade in EVIDENCE_GRADES:
        assert content.text(f"evidence_{grade}")
    for urgency in URGENCIES:
        assert content.text(f"urgency_{urgency}")
    assert content.text("from_article_false")
    assert "Charley horse" in content.text("spasm_what")
    assert content.language_name == "English"


def test_patient_text_uses_short_sentences(content: Content) -> None:
    """Patient text keeps sentences short, a proxy for a low reading grade."""
    texts = [
        content.text("spasm_what"),
        content.text("notice"),
        content.escalation.patient,
        *(r.patient for r in content.regions.values()),
        *(m.patient for m in content.muscles.values()),
        *(x.patient for x in content.causes),
        *(x.patient for x in content.red_flags),
        *(x.patient for x in content.options),
        *(x.patient for x in content.prevention),
    ]
    for text in texts:
        sentences = [s for s in re.split(r"[.!?]+\s*", text) if s.strip()]
        lengths = [len(s.split()) for s in sentences]
        assert max(lengths) <= 22, text
        assert sum(lengths) / len(lengths) <= 15, text


# ----------------------------------------------------------- article facts ---


def test_region_muscles_follow_the_article(content: Content) -> None:
    """Neck, mid back and low back list the article's muscles first."""
    cervical = content.region("cervical").muscles
    assert cervical[:2] == ("trapezius_upper", "sternocleidomastoid")
    thoracic = content.region("thoracic").muscles
    assert "rhomboids" in thoracic
    assert {"trapezius_middle", "trapezius_lower"} & set(thoracic)
    lumbar = content.region("lumbar").muscles
    assert lumbar[:2] == ("erector_spinae", "latissimus_dorsi")


def test_additions_are_marked(content: Content) -> None:
    """Muscles the article never names are flagged as anatomical additions."""
    additions = {m.id for m in content.muscles.values() if not m.from_article}
    assert additions == {
        "levator_scapulae",
        "splenius",
        "scalenes",
        "multifidus",
        "quadratus_lumborum",
    }
    for region in REGIONS:
        flags = [m.from_article for m in content.muscles_for(region)]
        # Article muscles come before additions in every region.
        assert flags == sorted(flags, reverse=True), region


def test_spasm_frequency_by_region(content: Content) -> None:
    """The mid back moves less, so spasm there is less common than neck or low back."""
    assert content.region("thoracic").spasm_frequency == "less_common"
    assert content.region("cervical").spasm_frequency == "common"
    assert content.region("lumbar").spasm_frequency == "common"
    assert "less" in content.region("thoracic").patient


def test_causes_common_before_serious(content: Content) -> None:
    """Strain and sleeping position are common; disc and nerve causes are serious."""
    by_id = {c.id: c for c in content.causes}
    assert by_id["strain"].likelihood == "common"
    assert "lifting" in by_id["strain"].suggests
    assert "bending" in by_id["strain"].suggests
    assert by_id["sleep_position"].likelihood == "common"
    assert "disc" in by_id["disc_microtear"].name.lower()
    assert by_id["disc_microtear"].likelihood == "serious"
    assert by_id["nerve_irritation"].likelihood == "serious"
    assert "radiat" in by_id["nerve_irritation"].suggests
    ranks = [c.likelihood for c in content.causes]
    assert ranks == sorted(ranks, key=("common", "serious").index)
    assert content.causes[0].id == "strain"


def test_red_flags_carry_the_right_actions(content: Content) -> None:
    """Trauma, osteoporosis, spondylitis and cauda equina lead to their actions."""
    flags = {f.id: f for f in content.red_flags}
    trauma = flags["trauma"]
    assert "neurological" in trauma.action
    assert "MRI" in trauma.action and "imaging" in trauma.action
    assert "Canadian C-spine" in trauma.action
    assert trauma.urgency == "emergency"
    assert "compression fracture" in flags["osteoporosis"].action
    assert "No thrust" in flags["osteoporosis"].action
    assert "fused" in flags["ankylosing_spondylitis"].action
    assert "No thrust" in flags["ankylosing_spondylitis"].action
    assert flags["cauda_equina"].urgency == "emergency"
    assert "ER" in flags["cauda_equina"].patient
    for flag_id in ("cancer", "infection", "neuro_deficit", "older_age"):
        assert flag_id in flags


def test_neck_only_flags_stay_in_the_neck(content: Content) -> None:
    """Myelopathy and artery-dissection signs are asked about for the neck only."""
    flags = {f.id: f for f in content.red_flags}
    assert flags["myelopathy"].regions == ("cervical",)
    assert flags["artery_dissection_signs"].regions == ("cervical",)
    assert "manipulate" in flags["artery_dissection_signs"].action
    assert "cauda_equina" not in {f.id for f in content.red_flags_for("C4")}


def test_options_reflect_the_evidence(content: Content) -> None:
    """Soft collar is neck-only comfort care and ultrasound is graded against."""
    options = {o.id: o for o in content.options}
    assert options["soft_collar"].regions == ("cervical",)
    assert options["soft_collar"].evidence == "comfort_only"
    for region in ("thoracic", "lumbar", "sacral"):
        assert "soft_collar" not in {o.id for o in content.options_for(region)}
    ultrasound = options["ultrasound"]
    assert ultrasound.evidence == "against"
    assert "NICE" in ultrasound.evidence_note
    assert "against" in ultrasound.evidence_note
    assert "Paracetamol" in options["nsaids"].clinician
    assert "exercise" in options["manipulation"].evidence_note
    expected = {
        "heat", "ice", "nsaids", "muscle_relaxants", "manipulation", "massage",
        "stay_active", "exercise_therapy", "aquatic_exercise", "ultrasound",
        "soft_collar", "mobilisation", "cervical_manipulation",
    }  # fmt: skip
    assert set(options) == expected


def test_escalation_window_is_four_to_six_weeks(content: Content) -> None:
    """After 4–6 weeks without progress the plan is re-evaluated, not a reflex MRI."""
    assert content.escalation.weeks == (4, 6)
    assert "re-evaluate" in content.escalation.clinician
    assert "injection" in content.escalation.clinician
    assert "4 to 6 weeks" in content.escalation.patient


def test_prevention_covers_the_article(content: Content) -> None:
    """Core, back extensors, stretching, yoga and Pilates are covered, plus the neck."""
    ids = {p.id for p in content.prevention}
    assert ids == {
        "core_fitness", "back_extensors", "stretching", "yoga", "pilates",
        "neck_strength",
    }  # fmt: skip
    words = " ".join(f"{p.name} {p.clinician}" for p in content.prevention)
    for word in ("abdominal", "erector spinae", "stretching", "Yoga", "Pilates"):
        assert word in words


# ------------------------------------------------------------ spine levels ---


def test_every_muscle_span_is_valid(content: Content) -> None:
    """Each span names real levels, runs downward and expands to its levels."""
    for muscle in content.muscles.values():
        first, last = muscle.span
        assert spine.level(first).index <= spine.level(last).index
        assert muscle.levels[0] == first and muscle.levels[-1] == last
        assert muscle.levels == tuple(lv.code for lv in spine.level_span(first, last))


def test_trapezius_fibres_share_a_group(content: Content) -> None:
    """Upper, middle and lower trapezius are one muscle for the diagram."""
    groups = {m.group for m in content.muscles.values() if m.id.startswith("trap")}
    assert groups == {"trapezius"}


def test_muscles_at_level(content: Content) -> None:
    """muscles_at_level returns exactly the muscles whose span covers the level."""
    at_c2 = {m.id for m in content.muscles_at_level("C2")}
    assert {"trapezius_upper", "sternocleidomastoid", "scalenes"} <= at_c2
    assert "latissimus_dorsi" not in at_c2
    at_l3 = {m.id for m in content.muscles_at_level("L3")}
    assert {"erector_spinae", "latissimus_dorsi", "quadratus_lumborum"} <= at_l3
    assert "rhomboids" not in at_l3
    assert {m.id for m in content.muscles_at_level("S1")} == {
        "erector_spinae",
        "multifidus",
        "latissimus_dorsi",
    }
    assert content.muscles_at_level("Co") == ()
    with pytest.raises(KeyError):
        content.muscles_at_level("C9")


def test_region_accepts_a_level_code(content: Content) -> None:
    """region(), muscles_for() and friends take a level code like C5 or S1."""
    assert content.region("C5").id == "cervical"
    assert content.region("T12").id == "thoracic"
    assert content.region("L4") is content.region("lumbar")
    assert content.region("Co").id == "sacral"
    assert content.muscles_for("T6") == content.muscles_for("thoracic")
    assert content.options_for("C3") == content.options_for("cervical")
    assert content.causes_for("L5") == content.causes_for("lumbar")
    with pytest.raises(KeyError):
        content.region("neck")


# ---------------------------------------------------------------- loading ---


def test_languages_and_cache() -> None:
    """English is discovered first, load_all validates it, and loads are cached."""
    assert available_languages()[0] == "en"
    everything = load_all()
    assert everything["en"] is load_content("en")
    assert everything["en"] is load_content("en", DEFAULT_CONTENT_DIR)


def test_a_complete_translation_loads(content_copy: Path) -> None:
    """A second language file with the same keys is discovered and loaded."""
    make_spanish_copy(content_copy)
    assert available_languages(content_copy) == ("en", "es")
    loaded = load_all(content_copy)
    assert loaded["es"].language == "es"
    assert loaded["es"].language_name == "Español"


def test_unknown_language_is_reported(content_copy: Path) -> None:
    """Asking for a language with no file names the missing file."""
    assert_error(load_error("fr", content_copy), "fr.toml", "(file)", "not found")


# --------------------------------------------------------- broken content ---


def test_unknown_muscle_in_region(content_copy: Path) -> None:
    """A region listing a muscle id that is not defined is rejected."""
    edit_item(
        content_copy / "spine.toml", "region", "thoracic", '"rhomboids"', '"rhomboid"'
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "region.thoracic.muscles",
        "unknown muscle id 'rhomboid'",
    )


def test_missing_citation(content_copy: Path) -> None:
    """An item with no cite list is rejected."""
    edit_item(
        content_copy / "spine.toml", "muscle", "scalenes", 'cite = ["gray-1918"]\n', ""
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "muscle.scalenes.cite",
        "missing citation",
    )


def test_unknown_citation(content_copy: Path) -> None:
    """A cite key that references.toml does not define is rejected."""
    edit_item(
        content_copy / "spine.toml",
        "red_flag",
        "cauda_equina",
        "nice-ng59",
        "nice-ng95",
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "red_flag.cauda_equina.cite",
        "unknown citation key 'nice-ng95'",
    )


def test_missing_translation_in_spanish(content_copy: Path) -> None:
    """A Spanish file missing one field names the file, the key and the problem."""
    es = make_spanish_copy(content_copy)
    text = es.read_text(encoding="utf-8")
    start = text.index("[muscle.rhomboids]")
    at = text.index("patient = ", start)
    end = text.index("\n", at) + 1
    es.write_text(text[:at] + text[end:], encoding="utf-8")
    assert_error(
        load_error("es", content_copy),
        "es.toml",
        "muscle.rhomboids.patient",
        "missing translation",
    )
    with pytest.raises(ContentError, match=r"es\.toml: muscle\.rhomboids\.patient"):
        load_all(content_copy)


def test_empty_translation_counts_as_missing(content_copy: Path) -> None:
    """A blank text is as bad as an absent one."""
    es = make_spanish_copy(content_copy)
    replace_once(es, 'name = "Heat"', 'name = ""')
    assert_error(
        load_error("es", content_copy),
        "es.toml",
        "option.heat.name",
        "missing translation",
    )


def test_translation_general_keys_must_match(content_copy: Path) -> None:
    """A translation's [general] must have exactly the reference language's keys."""
    es = make_spanish_copy(content_copy)
    replace_once(es, "notice = ", "aviso = ")
    assert_error(
        load_error("es", content_copy),
        "es.toml",
        "general.notice",
        "missing translation",
    )
    replace_once(es, "aviso = ", "notice = ")
    replace_once(es, "[general]\n", '[general]\nextra = "sobra"\n')
    assert_error(
        load_error("es", content_copy),
        "es.toml",
        "general.extra",
        "not in the reference language (en.toml)",
    )


def test_missing_table_in_language_file(content_copy: Path) -> None:
    """An id from spine.toml with no table in the language file is rejected."""
    replace_once(content_copy / "en.toml", "[cause.sleep_position]", "[cause.sleeping]")
    assert_error(
        load_error("en", content_copy),
        "en.toml",
        "cause.sleep_position",
        "missing translation",
    )


def test_extra_id_in_language_file(content_copy: Path) -> None:
    """A language table for an id spine.toml does not define is rejected."""
    en = content_copy / "en.toml"
    en.write_text(
        en.read_text(encoding="utf-8")
        + '\n[prevention.tai_chi]\nname = "Tai chi"\nclinician = "x"\npatient = "y"\n',
        encoding="utf-8",
    )
    assert_error(
        load_error("en", content_copy),
        "en.toml",
        "prevention.tai_chi",
        "unknown id (not in spine.toml)",
    )


def test_duplicate_id(content_copy: Path) -> None:
    """Two items of one kind with the same id are rejected."""
    spine_file = content_copy / "spine.toml"
    spine_file.write_text(
        spine_file.read_text(encoding="utf-8")
        + '\n[[cause]]\nid = "strain"\nlikelihood = "common"\n'
        'regions = ["lumbar"]\ncite = ["seed"]\n',
        encoding="utf-8",
    )
    assert_error(
        load_error("en", content_copy), "spine.toml", "cause.strain", "duplicate id"
    )


def test_toml_syntax_error_names_the_line(content_copy: Path) -> None:
    """A TOML syntax error reports the file and the line tomllib found it on."""
    en = content_copy / "en.toml"
    lines = en.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(
        n for n, line in enumerate(lines, 1) if line.startswith("language_name")
    )
    lines[number - 1] = "language_name = English\n"
    en.write_text("".join(lines), encoding="utf-8")
    err = load_error("en", content_copy)
    assert (err.file, err.key) == ("en.toml", f"line {number}")
    assert err.problem.startswith("TOML syntax error: ")
    assert str(err).startswith(f"en.toml: line {number}: TOML syntax error: ")


def test_unknown_region_in_option(content_copy: Path) -> None:
    """An option naming a region that does not exist is rejected."""
    edit_item(
        content_copy / "spine.toml",
        "option",
        "soft_collar",
        'regions = ["cervical"]',
        'regions = ["neck"]',
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "option.soft_collar.regions",
        "unknown region 'neck'",
    )


def test_bad_span(content_copy: Path) -> None:
    """A span with an unknown level code, or one running upward, is rejected."""
    spine_file = content_copy / "spine.toml"
    original = spine_file.read_text(encoding="utf-8")
    edit_item(spine_file, "muscle", "scalenes", '["C2", "C7"]', '["C2", "C9"]')
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "muscle.scalenes.span",
        "unknown level code 'C9'",
    )
    spine_file.write_text(original, encoding="utf-8")
    edit_item(spine_file, "muscle", "scalenes", '["C2", "C7"]', '["C7", "C2"]')
    other = content_copy.parent / "again"
    shutil.copytree(content_copy, other)  # a new path, so the cache cannot answer
    assert_error(
        load_error("en", other),
        "spine.toml",
        "muscle.scalenes.span",
        "span runs upward (C7 to C2)",
    )


def test_bad_enum_value(content_copy: Path) -> None:
    """An urgency outside emergency/urgent/prompt is rejected with the choices."""
    edit_item(
        content_copy / "spine.toml",
        "red_flag",
        "trauma",
        'urgency = "emergency"',
        'urgency = "soon"',
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "red_flag.trauma.urgency",
        "bad value 'soon' (expected one of: emergency, urgent, prompt)",
    )


def test_missing_reference_text(content_copy: Path) -> None:
    """A reference table without its text is rejected."""
    replace_once(
        content_copy / "references.toml", '["clas"]\ntext = "', '["clas"]\nnote = "'
    )
    assert_error(
        load_error("en", content_copy), "references.toml", "clas.text", "missing"
    )


def test_misspelt_section_is_rejected(content_copy: Path) -> None:
    """A section name spine.toml does not know (a typo) is reported, not ignored."""
    replace_once(
        content_copy / "spine.toml",
        '[[prevention]]\nid = "yoga"',
        '[[preventions]]\nid = "yoga"',
    )
    assert_error(
        load_error("en", content_copy), "spine.toml", "preventions", "unknown section"
    )


# ------------------------------------------ issue 15: the validator's rules ---


def test_authoring_note_in_shown_text_is_rejected(content_copy: Path) -> None:
    """A note meant for authors ('not named in the source article') never loads."""
    replace_once(
        content_copy / "en.toml",
        'name = "Sacrum and tailbone"\nclinician = "',
        'name = "Sacrum and tailbone"\nclinician = "Not named in the source article. ',
    )
    assert_error(
        load_error("en", content_copy),
        "en.toml",
        "region.sacral.clinician",
        "authoring note in shown text ('Not named in')",
    )


def test_authoring_note_in_a_label_or_translation_is_rejected(
    content_copy: Path,
) -> None:
    """The rule covers [general] labels and every language, not only items."""
    replace_once(
        content_copy / "es.toml",
        'from_article_false = "también en esta región"',
        'from_article_false = "no figura en el artículo de origen"',
    )
    assert_error(
        load_error("es", content_copy),
        "es.toml",
        "general.from_article_false",
        "authoring note in shown text ('artículo')",
    )


def test_warning_sign_without_who_to_call_is_rejected(content_copy: Path) -> None:
    """A red flag must say who the patient calls and how soon."""
    edit_item(
        content_copy / "spine.toml",
        "red_flag",
        "trauma",
        'call = "emergency_services"\n',
        "",
    )
    assert_error(
        load_error("en", content_copy), "spine.toml", "red_flag.trauma.call", "missing"
    )


def test_warning_sign_with_too_slow_a_call_is_rejected(content_copy: Path) -> None:
    """An urgent flag cannot tell the patient to wait for the next visit."""
    edit_item(
        content_copy / "spine.toml",
        "red_flag",
        "cancer",
        'call = "doctor_same_day"',
        'call = "tell_clinician"',
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "red_flag.cancer.call",
        "'tell_clinician' is too slow for urgency 'urgent' (expected one of: "
        "emergency_services, doctor_same_day, clinic_same_day)",
    )


def test_option_without_region_valid_evidence_note_is_rejected(
    content_copy: Path,
) -> None:
    """Heat's low-back note cannot stand for the neck: the neck needs its own note."""
    replace_once(
        content_copy / "en.toml",
        'evidence_note_extrapolated = "Evidence comes from low back pain (ACP 2017); '
        'its use here is extrapolated."\n',
        "",
    )
    assert_error(
        load_error("en", content_copy),
        "en.toml",
        "option.heat",
        "no evidence note valid for the cervical region (add "
        "evidence_note_cervical, or evidence_note_extrapolated if the evidence "
        "is from another region)",
    )


def test_evidence_note_for_a_region_the_option_skips_is_rejected(
    content_copy: Path,
) -> None:
    """A region note on an option not offered there is a mistake, not ignored."""
    replace_once(
        content_copy / "en.toml",
        'name = "Soft neck collar"\n',
        'name = "Soft neck collar"\nevidence_note_lumbar = "Not for the back."\n',
    )
    assert_error(
        load_error("en", content_copy),
        "en.toml",
        "option.soft_collar.evidence_note_lumbar",
        "the option is not offered for lumbar",
    )


def test_citation_list_starting_with_the_source_article_is_rejected(
    content_copy: Path,
) -> None:
    """Guidelines come first; a list that starts with the source article fails."""
    edit_item(
        content_copy / "spine.toml",
        "cause",
        "strain",
        'cite = ["acp-2017", "nice-ng59", "jospt-neck-2017", "seed"]',
        'cite = ["seed", "acp-2017", "nice-ng59", "jospt-neck-2017"]',
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "cause.strain.cite",
        "the source article ('seed') must come last, after a guideline or reference",
    )


def test_source_article_alone_is_not_a_citation(content_copy: Path) -> None:
    """An item resting on the source article alone has no guideline behind it."""
    edit_item(
        content_copy / "spine.toml",
        "cause",
        "sleep_position",
        'cite = ["nice-ng59", "jospt-neck-2017", "seed"]',
        'cite = ["seed"]',
    )
    err = load_error("en", content_copy)
    assert (err.file, err.key) == ("spine.toml", "cause.sleep_position.cite")


def test_contraindication_must_name_a_red_flag(content_copy: Path) -> None:
    """An option ruled out by an unknown flag id is a typo the loader reports."""
    edit_item(
        content_copy / "spine.toml",
        "option",
        "manipulation",
        '"osteoporosis"',
        '"osteoporsis"',
    )
    assert_error(
        load_error("en", content_copy),
        "spine.toml",
        "option.manipulation.contraindicated_by",
        "unknown red flag id 'osteoporsis'",
    )


def test_every_screened_root_is_required(content_copy: Path) -> None:
    """The nerve-root screen covers C5–T1 and L2–S1: a missing root is reported."""
    replace_once(
        content_copy / "spine.toml",
        '[[nerve_root]]\nid = "L5"',
        '[[nerve_root]]\nid = "L6"',
    )
    assert_error(
        load_error("en", content_copy), "spine.toml", "nerve_root.L6", "unknown id"
    )


# ------------------------------------------- issue 15: the content itself ---


def all_items(content: Content) -> list:
    """Every cited item of the content."""
    return [
        *content.regions.values(),
        *content.muscles.values(),
        *content.causes,
        *content.red_flags,
        *content.options,
        *content.prevention,
        *content.radicular.values(),
        *content.nerve_roots.values(),
        *content.manipulation_screen,
        content.escalation,
    ]


def test_source_article_is_cited_last(content: Content) -> None:
    """Wherever the source article is cited, a guideline or reference comes first."""
    for item in all_items(content):
        if "seed" in item.cite:
            assert item.cite[-1] == "seed" and len(item.cite) > 1, item
    assert content.citation("seed").text.startswith("Source article:")


def test_neck_options_carry_neck_evidence_or_say_extrapolated(
    content: Content,
) -> None:
    """With the neck selected no option cites low-back evidence as if it were neck's."""
    for region in REGIONS:
        for option in content.options_for(region):
            note = option.evidence_note
            assert note == option.evidence_note_for(region)
            if region not in option.evidence_regions:
                assert "extrapolat" in note, (region, option.id, note)
    neck = {o.id: o for o in content.options_for("cervical")}
    assert "JOSPT" in neck["exercise_therapy"].evidence_note
    assert "JOSPT" in neck["cervical_manipulation"].evidence_note
    assert "low back" not in neck["cervical_manipulation"].evidence_note
    assert "manipulation" not in neck  # the lumbar thrust is not the neck's


def test_prevention_is_the_regions_own(content: Content) -> None:
    """Neck prevention is not lumbar core work; low back keeps the direct evidence."""
    neck = {p.id for p in content.prevention_for("cervical")}
    assert "neck_strength" in neck
    assert not neck & {"core_fitness", "back_extensors", "pilates"}
    lumbar = content.prevention_for("lumbar")
    assert all("steffens-2016" in p.cite for p in lumbar)


def test_neck_manipulation_explains_risks_alternatives_and_refusal(
    content: Content,
) -> None:
    """Neck thrust text names stroke risk, alternatives, the right to say no, 911."""
    option = next(o for o in content.options if o.id == "cervical_manipulation")
    assert option.regions == ("cervical",) and option.thrust
    for point in ("stroke", "say no", "911", "exercise"):
        assert point in option.patient, point
    assert "biller-2014" in option.cite and "rushton-2023" in option.cite
    for flag in ("osteoporosis", "artery_dissection_signs", "myelopathy", "trauma"):
        assert flag in option.contraindicated_by
    thrusts = {o.id for o in content.options if o.thrust}
    assert thrusts == {"manipulation", "cervical_manipulation"}


def test_pre_manipulation_screen_has_all_three_parts(content: Content) -> None:
    """Absolute and relative contraindications and the IFOMPT arterial screening."""
    kinds = {item.kind for item in content.manipulation_screen}
    assert kinds == {"absolute", "relative", "arterial"}
    for item in content.manipulation_screen:
        if item.kind == "arterial":
            assert "rushton-2023" in item.cite
    for kind in kinds:
        assert content.text(f"screen_{kind}")


def test_artery_dissection_signs_are_complete(content: Content) -> None:
    """The question lists the IFOMPT signs, including the pain-only early picture."""
    flag = next(f for f in content.red_flags if f.id == "artery_dissection_signs")
    for sign in (
        "one side", "face", "unsteady walking", "drop attacks", "nausea",
        "nystagmus", "Horner", "pulsing noise", "loss of vision", "minor trauma",
    ):  # fmt: skip
        assert sign in flag.question, sign
    assert flag.cite[0] == "rushton-2023"
    for word in ("Balance", "Eye", "Face", "Arm or leg", "Speech", "911"):
        assert word in flag.patient


def test_every_warning_sign_says_who_to_call(content: Content) -> None:
    """Emergency flags call 911; urgent ones a same-day call; each has its label."""
    for flag in content.red_flags:
        assert content.call_text(flag)
        if flag.urgency == "emergency":
            assert flag.call == "emergency_services"
            assert "911" in flag.patient or "ER" in flag.patient, flag.id
        elif flag.urgency == "urgent":
            assert "today" in flag.patient or "same day" in flag.patient, flag.id
    cancer = next(f for f in content.red_flags if f.id == "cancer")
    assert "night" in cancer.patient and "rest" in cancer.patient
    assert "acute oncology" in cancer.action and cancer.cite[0] == "nice-ng234"


def test_non_spine_causes_are_asked_about(content: Content) -> None:
    """Mid back asks about heart, aorta and lungs; low back about aneurysm, kidney."""
    thoracic = {f.id for f in content.red_flags_for("thoracic")}
    lumbar = {f.id for f in content.red_flags_for("lumbar")}
    assert "chest_warning" in thoracic
    assert {"aortic_aneurysm", "kidney"} <= lumbar
    chest = next(f for f in content.red_flags if f.id == "chest_warning")
    for cause in ("heart attack", "aortic dissection", "pulmonary embolism"):
        assert cause in chest.action


def test_trauma_action_is_ct_first_with_the_rules_scope(content: Content) -> None:
    """Per ACR: CT first, MRI for cord/root/ligament; Canadian rule scope; NEXUS."""
    trauma = next(f for f in content.red_flags if f.id == "trauma")
    action = trauma.action
    assert action.index("CT first") < action.index("MRI for suspected cord")
    assert "advanced imaging such as MRI" not in action
    for fact in ("GCS 15", "age 16 or over", "NEXUS", "no midline tenderness"):
        assert fact in action
    assert trauma.cite[0] == "acr-spine-trauma" and "nexus-2000" in trauma.cite


def test_spondylitis_uses_nice_entry_criteria(content: Content) -> None:
    """NG65: onset before 45 and over 3 months; minor trauma is imaged with CT."""
    flag = next(f for f in content.red_flags if f.id == "ankylosing_spondylitis")
    assert "before age 45" in flag.question and "over 3 months" in flag.question
    assert "minor trauma" in flag.action and "CT" in flag.action
    assert flag.cite[0] == "nice-ng65"


def test_cauda_equina_safety_net_is_complete(content: Content) -> None:
    """Genital numbness, wiping, sexual change, both legs; and sciatica repeats it."""
    flag = next(f for f in content.red_flags if f.id == "cauda_equina")
    for sign in ("private parts", "wipe", "sex", "both legs"):
        assert sign in flag.patient
    assert flag.cite[0] == "finucane-2020"
    for region in ("lumbar", "sacral"):
        assert "ER" in content.radicular_for(region).patient


def test_medicine_cautions(content: Content) -> None:
    """NSAIDs: pregnancy from 20 weeks, 65+, blood thinners; relaxants: Beers 2023."""
    options = {o.id: o for o in content.options}
    nsaids = options["nsaids"]
    for caution in ("20 or more weeks pregnant", "65 or older", "blood thinner"):
        assert caution in nsaids.patient
    assert {"fda-nsaid-2020", "beers-2023"} <= set(nsaids.cite)
    relaxants = options["muscle_relaxants"]
    assert "Beers" in relaxants.clinician and "beers-2023" in relaxants.cite


def test_scope_is_adults_and_a_child_is_flagged(content: Content) -> None:
    """The notice says adults 16+; a child's back pain lowers the threshold."""
    assert "16" in content.text("notice")
    assert "16" in content.text("scope_clinician")
    child = next(f for f in content.red_flags if f.id == "child")
    assert "lower threshold" in child.action


def test_sacrum_has_its_own_causes(content: Content) -> None:
    """SI joint, gluteals and piriformis, coccyx and pelvic girdle pain in pregnancy."""
    sacral = {c.id for c in content.causes_for("sacral")}
    assert {
        "si_joint", "gluteal_piriformis", "coccydynia", "pelvic_girdle_pregnancy",
    } <= sacral  # fmt: skip
    assert "si_joint" not in {c.id for c in content.causes_for("cervical")}


def test_referred_and_radicular_pain_are_told_apart(content: Content) -> None:
    """Spreading pain is not nerve irritation; radicular pain follows a dermatome."""
    scm = content.muscles["sternocleidomastoid"]
    assert "refers pain to the head and face" in scm.clinician
    assert "points to inflammation or an irritated nerve" not in scm.clinician
    referred = next(c for c in content.causes if c.id == "referred_pain")
    assert "dermatomal" in referred.suggests
    sciatica = content.radicular_for("lumbar").clinician
    assert "gabapentinoids" in sciatica and "oral corticosteroids" in sciatica
    assert "epidural" in sciatica and "surgical opinion" in sciatica
    assert tuple(content.radicular) == REGIONS


def test_anatomy_fixes(content: Content) -> None:
    """Levator scapulae rotates down; both SCMs extend the head; rhomboids elevate."""
    muscles = content.muscles
    assert "rotates it downward" in muscles["levator_scapulae"].action
    assert "extend the head" in muscles["sternocleidomastoid"].action
    assert "elevate" in muscles["rhomboids"].action
    collar = next(o for o in content.options if o.id == "soft_collar")
    assert "minimising collar use" in collar.evidence_note


def test_nerve_root_screen_matches_isncsci(content: Content) -> None:
    """Ten roots with ISNCSCI key points and muscles, reflex and neurodynamic test."""
    roots = content.nerve_roots
    assert tuple(roots) == ("C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1")
    assert "Elbow flexors" in roots["C5"].myotome
    assert "Biceps" in roots["C5"].reflex
    assert "Wrist extensors" in roots["C6"].myotome
    assert "Triceps" in roots["C7"].reflex
    assert "Ankle dorsiflexors" in roots["L4"].myotome
    assert "Long toe extensors" in roots["L5"].myotome
    assert "Achilles" in roots["S1"].reflex and "heel" in roots["S1"].dermatome
    assert [r.id for r in roots.values() if not r.has_reflex] == [
        "C8",
        "T1",
        "L2",
        "L5",
    ]
    tests = {r.id: r.neurodynamic for r in roots.values()}
    assert tests["C6"] == "spurling" and tests["L3"] == "femoral_stretch"
    assert tests["S1"] == "straight_leg_raise"
    for root in roots.values():
        assert root.cite[0] == "asia-isncsci"


def shown_strings(value: object) -> list[str]:
    """Every text value in a parsed language file (comments are not values)."""
    if isinstance(value, dict):
        return [s for inner in value.values() for s in shown_strings(inner)]
    return [value] if isinstance(value, str) else []


def test_spanish_terminology_fixes() -> None:
    """One term for the emergency department, shoulder blade; no 'derivar', 'panza'."""
    data = tomllib.loads((DEFAULT_CONTENT_DIR / "es.toml").read_text("utf-8"))
    es = " ".join(shown_strings(data))
    for wrong in (
        "hondos", "panza", "sala de emergencias", "deriv", "fusionad", "Adición",
    ):  # fmt: skip
        assert wrong not in es, wrong
    assert es.count("proveedor de salud") == 0
    assert "anestesia en silla de montar" in es
    assert "salir despedido del vehículo" in es
    assert "músculos pequeños y profundos" in es
    spanish = load_content("es")
    patient = " ".join(m.patient for m in spanish.muscles.values())
    assert "escápula" not in patient and "omóplato" in patient
