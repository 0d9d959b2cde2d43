"""Load and validate the clinical content files into frozen per-language models."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from companion.core import spine
from companion.core.toml_cache import load_toml

DEFAULT_CONTENT_DIR: Path = Path(__file__).resolve().parents[2] / "assets" / "content"

SPINE_FILE = "spine.toml"
REFERENCES_FILE = "references.toml"
SCHEMA_VERSION = 1

SPASM_FREQUENCIES = ("common", "less_common")
LIKELIHOODS = ("common", "serious")
URGENCIES = ("emergency", "urgent", "prompt")
EVIDENCE_GRADES = ("supported", "limited", "comfort_only", "against")
# Who a patient contacts for a red flag, and how soon (most urgent first).
CALLS = ("emergency_services", "doctor_same_day", "clinic_same_day", "tell_clinician")
# The calls each urgency may use: an emergency always means emergency services.
CALLS_BY_URGENCY: dict[str, tuple[str, ...]] = {
    "emergency": ("emergency_services",),
    "urgent": ("emergency_services", "doctor_same_day", "clinic_same_day"),
    "prompt": CALLS,
}
SCREEN_KINDS = ("absolute", "relative", "arterial")
NEURODYNAMIC_TESTS = ("spurling", "femoral_stretch", "straight_leg_raise")
# The nerve roots of the quick screen: the arm's and the leg's key roots.
SCREENED_ROOTS = ("C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1")
# The citation key of the source article: shown as a source, always last.
SOURCE_ARTICLE = "seed"
# Phrases that belong in authoring comments, never in text the app shows.
AUTHORING_PHRASES = (
    "article",
    "artículo",
    "not named in",
    "anatomical addition",
    "anatomical grounds",
    "added because",
    "adición anatómica",
)
AUTHORING_NOTE = re.compile(
    "|".join(rf"\b{re.escape(p)}\b" for p in AUTHORING_PHRASES), re.IGNORECASE
)

# The text fields each language file must give for every id of a section.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "region": ("name", "clinician", "patient"),
    "muscle": (
        "name",
        "origin",
        "insertion",
        "action",
        "innervation",
        "clinician",
        "patient",
    ),
    "cause": ("name", "suggests", "action", "patient"),
    "red_flag": ("name", "question", "action", "patient"),
    "option": ("name", "clinician", "evidence_note", "patient"),
    "prevention": ("name", "clinician", "patient"),
    "radicular": ("name", "clinician", "patient"),
    "nerve_root": ("dermatome", "myotome", "reflex"),
    "manipulation_screen": ("name", "clinician"),
}
EXTRAPOLATED_NOTE = "evidence_note_extrapolated"
# Fields a section may add: an option's note for a region outside its
# evidence_regions, or one note for every such region (evidence extrapolated).
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "option": (
        EXTRAPOLATED_NOTE,
        *(f"evidence_note_{r.value}" for r in spine.REGIONS),
    ),
}
ESCALATION_FIELDS = ("clinician", "patient")

# [general] keys the reference language must define; labels follow the enums.
REQUIRED_GENERAL: tuple[str, ...] = (
    "spasm_what",
    "spasm_what_clinician",
    "notice",
    "from_article_false",
    "scope_clinician",
    "scope_patient",
    *(f"evidence_{v}" for v in EVIDENCE_GRADES),
    *(f"call_{v}" for v in CALLS),
    *(f"screen_{v}" for v in SCREEN_KINDS),
    *(f"neurodynamic_{v}" for v in NEURODYNAMIC_TESTS),
    *(f"urgency_{v}" for v in URGENCIES),
    *(f"likelihood_{v}" for v in LIKELIHOODS),
    *(f"spasm_frequency_{v}" for v in SPASM_FREQUENCIES),
)

_LANGUAGE_TOP_KEYS = frozenset(
    {"language", "language_name", "general", "escalation", *TEXT_FIELDS}
)
_SPINE_TOP_KEYS = frozenset(
    {"schema_version", "reference_language", "escalation", *TEXT_FIELDS}
)
_SYNTAX_POSITION = re.compile(
    r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$"
)


class ContentError(Exception):
    """A content file is broken; the message names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}")

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.problem}"


# Content items are NamedTuples, not frozen dataclasses: they are defined before
# the first paint, where each dataclass costs about half a millisecond.
class Reference(NamedTuple):
    """One citation: its key and the full reference text."""

    key: str
    text: str


class RegionInfo(NamedTuple):
    """A spine region with its muscles (article's first) and its wording."""

    id: str
    name: str
    clinician: str
    patient: str
    muscles: tuple[str, ...]
    spasm_frequency: str
    cite: tuple[str, ...]


class Muscle(NamedTuple):
    """A muscle (or one set of fibres of a muscle) and the levels it spans."""

    id: str
    group: str
    name: str
    span: tuple[str, str]
    levels: tuple[str, ...]
    from_article: bool
    origin: str
    insertion: str
    action: str
    innervation: str
    clinician: str
    patient: str
    cite: tuple[str, ...]


class Cause(NamedTuple):
    """A cause of spasm, common or serious, with what suggests it and what to do."""

    id: str
    likelihood: str
    regions: tuple[str, ...]
    name: str
    suggests: str
    action: str
    patient: str
    cite: tuple[str, ...]


class RedFlag(NamedTuple):
    """A screening question whose positive answer changes the plan.

    call says who the patient contacts and how soon (one of CALLS); its wording
    is the [general] label call_<call>.
    """

    id: str
    urgency: str
    call: str
    regions: tuple[str, ...]
    name: str
    question: str
    action: str
    patient: str
    cite: tuple[str, ...]


class Option(NamedTuple):
    """A conservative care option with its evidence grade.

    evidence_note is the note for the region asked about when the option comes
    from Content.options_for (from Content.options: the note of its
    evidence_regions); evidence_notes holds the note for every region.
    """

    id: str
    regions: tuple[str, ...]
    evidence: str
    name: str
    clinician: str
    evidence_note: str
    patient: str
    cite: tuple[str, ...]
    evidence_regions: tuple[str, ...]
    evidence_notes: dict[str, str]
    contraindicated_by: tuple[str, ...]  # red flag ids that rule it out
    thrust: bool  # a thrust technique: needs a consent record

    def evidence_note_for(self, region: str) -> str:
        """The evidence note that holds for the region (it may say extrapolated)."""
        return self.evidence_notes[region]


class Prevention(NamedTuple):
    """A way to lower the chance of another spasm, for the regions it suits."""

    id: str
    name: str
    clinician: str
    patient: str
    cite: tuple[str, ...]
    regions: tuple[str, ...]


class Radicular(NamedTuple):
    """A region's radicular (nerve-root) pain: how to tell it and what to do."""

    region: str
    name: str
    clinician: str
    patient: str
    cite: tuple[str, ...]


class NerveRoot(NamedTuple):
    """One root of the quick neuro screen: key sensory point, key muscle, reflex."""

    id: str
    dermatome: str
    myotome: str
    reflex: str
    has_reflex: bool
    neurodynamic: str  # one of NEURODYNAMIC_TESTS; label: neurodynamic_<id>
    cite: tuple[str, ...]


class ScreenItem(NamedTuple):
    """One check of the clinician's pre-manipulation screen."""

    id: str
    kind: str  # one of SCREEN_KINDS; label: screen_<kind>
    name: str
    clinician: str
    cite: tuple[str, ...]


class Escalation(NamedTuple):
    """When to re-evaluate: the weeks window and what to do then."""

    weeks: tuple[int, int]
    clinician: str
    patient: str
    cite: tuple[str, ...]


class Content(NamedTuple):
    """All clinical content in one language; treat its dicts as read-only."""

    language: str
    language_name: str
    regions: dict[str, RegionInfo]
    muscles: dict[str, Muscle]
    causes: tuple[Cause, ...]
    red_flags: tuple[RedFlag, ...]
    options: tuple[Option, ...]
    prevention: tuple[Prevention, ...]
    escalation: Escalation
    references: dict[str, Reference]
    general: dict[str, str]
    radicular: dict[str, Radicular]
    nerve_roots: dict[str, NerveRoot]
    manipulation_screen: tuple[ScreenItem, ...]

    def region(self, code: str) -> RegionInfo:
        """The region for a region code ("lumbar") or a level code ("L4")."""
        return self.regions[_region_code(code)]

    def muscles_for(self, region_or_level: str) -> tuple[Muscle, ...]:
        """The region's muscles in the region's order (article's first)."""
        return tuple(self.muscles[m] for m in self.region(region_or_level).muscles)

    def muscles_at_level(self, level_code: str) -> tuple[Muscle, ...]:
        """Every muscle whose span includes the level, in file order."""
        spine.level(level_code)  # raises KeyError naming an unknown code
        return tuple(m for m in self.muscles.values() if level_code in m.levels)

    def causes_for(self, region_or_level: str) -> tuple[Cause, ...]:
        """Causes relevant to the region, common first."""
        code = _region_code(region_or_level)
        return tuple(c for c in self.causes if code in c.regions)

    def red_flags_for(self, region_or_level: str) -> tuple[RedFlag, ...]:
        """Red flags to ask about for the region."""
        code = _region_code(region_or_level)
        return tuple(f for f in self.red_flags if code in f.regions)

    def options_for(self, region_or_level: str) -> tuple[Option, ...]:
        """Care options that apply to the region, each with that region's note."""
        code = _region_code(region_or_level)
        return tuple(
            o._replace(evidence_note=o.evidence_notes[code])
            for o in self.options
            if code in o.regions
        )

    def prevention_for(self, region_or_level: str) -> tuple[Prevention, ...]:
        """Prevention advice offered for the region."""
        code = _region_code(region_or_level)
        return tuple(p for p in self.prevention if code in p.regions)

    def radicular_for(self, region_or_level: str) -> Radicular:
        """The region's radicular pain section."""
        return self.radicular[_region_code(region_or_level)]

    def call_text(self, flag: RedFlag) -> str:
        """Who the patient calls for a red flag, and how soon, in this language."""
        return self.general[f"call_{flag.call}"]

    def citation(self, key: str) -> Reference:
        """The full reference for a citation key."""
        return self.references[key]

    def text(self, key: str) -> str:
        """A general string such as a label or notice."""
        return self.general[key]


def _region_code(code: str) -> str:
    if spine.is_region(code):
        return code
    if spine.is_level(code):
        return spine.level(code).region.value
    raise KeyError(f"unknown region or level {code!r}")


# ----------------------------------------------------------------- parsing ---


class _Files:
    """The content files of one directory, each read and parsed at most once."""

    def __init__(self, directory: Path, cache_dir: Path | None) -> None:
        self.directory = directory
        self.cache_dir = cache_dir
        self._parsed: dict[str, dict[str, Any]] = {}
        self.checked: set[str] = set()  # language files already validated

    def toml(self, name: str) -> dict[str, Any]:
        if name not in self._parsed:
            self._parsed[name] = _read_toml(self.directory / name, self.cache_dir)
        return self._parsed[name]


def _read_toml(path: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    if not path.is_file():
        raise ContentError(path.name, "(file)", "not found")
    try:
        return load_toml(path, cache_dir)
    except UnicodeDecodeError:
        raise ContentError(path.name, "(file)", "not valid UTF-8") from None
    except RecursionError:
        # tomllib parses nested arrays and tables by recursion: a hostile or
        # broken file nested thousands deep must read as bad content too.
        raise ContentError(path.name, "(file)", "nested too deeply") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError, imported only on a miss
        message = str(exc)
        match = _SYNTAX_POSITION.search(message)
        if match is None:
            problem = f"TOML syntax error: {message}"
            raise ContentError(path.name, "(file)", problem) from None
        detail = message[: match.start()]
        if match.group(1) is None:
            key, problem = "end of document", f"TOML syntax error: {detail}"
        else:
            key = f"line {match.group(1)}"
            problem = f"TOML syntax error: {detail} (column {match.group(2)})"
        raise ContentError(path.name, key, problem) from None


class _Checker:
    """Typed field access that raises ContentError naming file and key."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(self.file, key, problem)

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return value

    def text(self, table: Mapping[str, Any], field: str, key: str) -> str:
        if field not in table:
            raise self.fail(f"{key}.{field}", "missing")
        value = table[field]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.{field}", "must be non-empty text")
        return value

    def choice(
        self, table: Mapping[str, Any], field: str, key: str, allowed: Iterable[str]
    ) -> str:
        value = self.text(table, field, key)
        allowed = tuple(allowed)
        if value not in allowed:
            raise self.fail(
                f"{key}.{field}",
                f"bad value {value!r} (expected one of: {', '.join(allowed)})",
            )
        return value

    def text_list(self, table: Mapping[str, Any], field: str, key: str) -> list[str]:
        if field not in table:
            raise self.fail(f"{key}.{field}", "missing")
        value = table[field]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key}.{field}", "must be a list of text")
        if not value:
            raise self.fail(f"{key}.{field}", "must not be empty")
        return value

    def members(
        self,
        table: Mapping[str, Any],
        field: str,
        key: str,
        known: Iterable[str],
        what: str,
    ) -> tuple[str, ...]:
        values = self.text_list(table, field, key)
        known = set(known)
        for value in values:
            if value not in known:
                raise self.fail(f"{key}.{field}", f"unknown {what} {value!r}")
        return tuple(values)

    def cite(
        self, table: Mapping[str, Any], key: str, references: Mapping[str, Reference]
    ) -> tuple[str, ...]:
        value = table.get("cite")
        if value is None or value == []:
            raise self.fail(f"{key}.cite", "missing citation")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key}.cite", "must be a list of citation keys")
        for ref in value:
            if ref not in references:
                raise self.fail(f"{key}.cite", f"unknown citation key {ref!r}")
        # Guidelines and references first; the source article is shown last.
        if SOURCE_ARTICLE in value[:-1] or value == [SOURCE_ARTICLE]:
            raise self.fail(
                f"{key}.cite",
                f"the source article ({SOURCE_ARTICLE!r}) must come last, "
                "after a guideline or reference",
            )
        return tuple(value)

    def flag(self, table: Mapping[str, Any], field: str, key: str) -> bool:
        value = table.get(field, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key}.{field}", "must be true or false")
        return value


def _parse_references(files: _Files) -> dict[str, Reference]:
    data = files.toml(REFERENCES_FILE)
    check = _Checker(REFERENCES_FILE)
    refs: dict[str, Reference] = {}
    for key, table in data.items():
        table = check.table(table, key)
        refs[key] = Reference(key, check.text(table, "text", key))
    if not refs:
        raise check.fail("(file)", "no references")
    return refs


class _Structure(NamedTuple):
    """spine.toml after validation: the items of each section, keyed by id."""

    reference_language: str
    sections: dict[str, dict[str, dict[str, Any]]]
    escalation: dict[str, Any]


def _items(
    data: Mapping[str, Any], section: str, check: _Checker
) -> dict[str, dict[str, Any]]:
    raw = data.get(section)
    if raw is None:
        raise check.fail(section, "missing section")
    if not isinstance(raw, list):
        raise check.fail(section, f"must be an array of tables ([[{section}]])")
    items: dict[str, dict[str, Any]] = {}
    for n, item in enumerate(raw, start=1):
        item = check.table(item, f"{section}[{n}]")
        item_id = check.text(item, "id", f"{section}[{n}]")
        if item_id in items:
            raise check.fail(f"{section}.{item_id}", "duplicate id")
        items[item_id] = item
    if not items:
        raise check.fail(section, "no items")
    return items


def _parse_structure(files: _Files, references: Mapping[str, Reference]) -> _Structure:
    data = files.toml(SPINE_FILE)
    check = _Checker(SPINE_FILE)
    if data.get("schema_version") != SCHEMA_VERSION:
        raise check.fail(
            "schema_version",
            f"unsupported {data.get('schema_version')!r} (expected {SCHEMA_VERSION})",
        )
    for top in data:
        if top not in _SPINE_TOP_KEYS:
            raise check.fail(top, "unknown section")
    reference_language = check.text(data, "reference_language", "(file)")
    sections = {name: _items(data, name, check) for name in TEXT_FIELDS}
    known_regions = [r.value for r in spine.REGIONS]

    regions = sections["region"]
    for region_id in regions:
        if region_id not in known_regions:
            raise check.fail(f"region.{region_id}", "unknown region")
    for region_id in known_regions:
        if region_id not in regions:
            raise check.fail(f"region.{region_id}", "missing region")
    # Keep regions in skull-to-tailbone order whatever the file order.
    sections["region"] = {r: regions[r] for r in known_regions}

    muscles = sections["muscle"]
    for muscle_id, item in muscles.items():
        key = f"muscle.{muscle_id}"
        check.text(item, "group", key)
        span = check.text_list(item, "span", key)
        if len(span) != 2:
            raise check.fail(f"{key}.span", "must be [first, last] level codes")
        for code in span:
            if not spine.is_level(code):
                raise check.fail(f"{key}.span", f"unknown level code {code!r}")
        if spine.level(span[0]).index > spine.level(span[1]).index:
            raise check.fail(
                f"{key}.span", f"span runs upward ({span[0]} to {span[1]})"
            )
        if not isinstance(item.get("from_article"), bool):
            raise check.fail(f"{key}.from_article", "must be true or false")
        check.cite(item, key, references)

    for region_id, item in sections["region"].items():
        key = f"region.{region_id}"
        listed = check.members(item, "muscles", key, muscles, "muscle id")
        if len(set(listed)) != len(listed):
            raise check.fail(f"{key}.muscles", "muscle listed twice")
        check.choice(item, "spasm_frequency", key, SPASM_FREQUENCIES)
        check.cite(item, key, references)

    enums: dict[str, tuple[str, tuple[str, ...]]] = {
        "cause": ("likelihood", LIKELIHOODS),
        "red_flag": ("urgency", URGENCIES),
        "option": ("evidence", EVIDENCE_GRADES),
    }
    for section, (field, allowed) in enums.items():
        for item_id, item in sections[section].items():
            key = f"{section}.{item_id}"
            check.choice(item, field, key, allowed)
            check.members(item, "regions", key, known_regions, "region")
            check.cite(item, key, references)

    flags = sections["red_flag"]
    for item_id, item in flags.items():
        key = f"red_flag.{item_id}"
        # A warning sign always says who to call and how soon.
        call = check.choice(item, "call", key, CALLS)
        allowed = CALLS_BY_URGENCY[item["urgency"]]
        if call not in allowed:
            raise check.fail(
                f"{key}.call",
                f"{call!r} is too slow for urgency {item['urgency']!r} "
                f"(expected one of: {', '.join(allowed)})",
            )

    for item_id, item in sections["option"].items():
        key = f"option.{item_id}"
        check.members(item, "evidence_regions", key, known_regions, "region")
        if "contraindicated_by" in item:
            check.members(item, "contraindicated_by", key, flags, "red flag id")
        check.flag(item, "thrust", key)

    for item_id, item in sections["prevention"].items():
        key = f"prevention.{item_id}"
        check.members(item, "regions", key, known_regions, "region")
        check.cite(item, key, references)

    _check_ids(check, "radicular", sections["radicular"], known_regions)
    for region_id, item in sections["radicular"].items():
        check.cite(item, f"radicular.{region_id}", references)
    _check_ids(check, "nerve_root", sections["nerve_root"], SCREENED_ROOTS)
    for root_id, item in sections["nerve_root"].items():
        key = f"nerve_root.{root_id}"
        if not isinstance(item.get("has_reflex"), bool):
            raise check.fail(f"{key}.has_reflex", "must be true or false")
        check.choice(item, "neurodynamic", key, NEURODYNAMIC_TESTS)
        check.cite(item, key, references)
    for item_id, item in sections["manipulation_screen"].items():
        key = f"manipulation_screen.{item_id}"
        check.choice(item, "kind", key, SCREEN_KINDS)
        check.cite(item, key, references)

    if "escalation" not in data:
        raise check.fail("escalation", "missing section")
    escalation = check.table(data["escalation"], "escalation")
    weeks = escalation.get("weeks")
    if (
        not isinstance(weeks, list)
        or len(weeks) != 2
        or not all(isinstance(w, int) and w > 0 for w in weeks)
        or weeks[0] > weeks[1]
    ):
        raise check.fail("escalation.weeks", "must be [first, last] whole weeks")
    check.cite(escalation, "escalation", references)
    return _Structure(reference_language, sections, escalation)


def _check_ids(
    check: _Checker, section: str, items: Mapping[str, Any], expected: Iterable[str]
) -> None:
    """A section keyed by a fixed set of ids (regions, roots) has exactly those."""
    expected = tuple(expected)
    for item_id in items:
        if item_id not in expected:
            raise check.fail(f"{section}.{item_id}", "unknown id")
    for item_id in expected:
        if item_id not in items:
            raise check.fail(f"{section}.{item_id}", "missing")


def _language_keys(data: Mapping[str, Any]) -> set[str]:
    """Every dotted text key a language file defines, for comparing languages."""
    keys: set[str] = set()
    for top, value in data.items():
        if isinstance(value, dict):
            for name, inner in value.items():
                if isinstance(inner, dict):
                    keys.update(f"{top}.{name}.{field}" for field in inner)
                else:
                    keys.add(f"{top}.{name}")
        elif top not in ("language", "language_name"):
            keys.add(top)
    return keys


def _check_language(
    file: str, language: str, data: Mapping[str, Any], structure: _Structure
) -> None:
    check = _Checker(file)
    for top in data:
        if top not in _LANGUAGE_TOP_KEYS:
            raise check.fail(top, "unknown table")
    declared = check.text(data, "language", "(file)")
    if declared != language:
        raise check.fail("language", f"is {declared!r} but the file is {file}")
    check.text(data, "language_name", "(file)")

    for section, fields in TEXT_FIELDS.items():
        texts = data.get(section, {})
        if not isinstance(texts, dict):
            raise check.fail(section, "must be a table")
        ids = structure.sections[section]
        for item_id in ids:
            key = f"{section}.{item_id}"
            table = texts.get(item_id)
            if table is None:
                raise check.fail(key, "missing translation")
            table = check.table(table, key)
            _check_fields(check, table, key, fields, OPTIONAL_FIELDS.get(section, ()))
            if section == "option":
                _check_region_notes(check, table, key, ids[item_id])
        for item_id in texts:
            if item_id not in ids:
                raise check.fail(
                    f"{section}.{item_id}", "unknown id (not in spine.toml)"
                )

    escalation = data.get("escalation")
    if escalation is None:
        raise check.fail("escalation", "missing translation")
    _check_fields(
        check, check.table(escalation, "escalation"), "escalation", ESCALATION_FIELDS
    )

    general = data.get("general")
    if general is None:
        raise check.fail("general", "missing translation")
    general = check.table(general, "general")
    for name, value in general.items():
        if not isinstance(value, str) or not value.strip():
            raise check.fail(f"general.{name}", "missing translation")
    _check_no_authoring_notes(check, data)


def _check_fields(
    check: _Checker,
    table: Mapping[str, Any],
    key: str,
    fields: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> None:
    for field in fields:
        value = table.get(field)
        if not isinstance(value, str) or not value.strip():
            raise check.fail(f"{key}.{field}", "missing translation")
    for field in table:
        if field in optional:
            value = table[field]
            if not isinstance(value, str) or not value.strip():
                raise check.fail(f"{key}.{field}", "must be non-empty text")
        elif field not in fields:
            raise check.fail(f"{key}.{field}", "unknown field")


def _check_region_notes(
    check: _Checker, texts: Mapping[str, Any], key: str, item: Mapping[str, Any]
) -> None:
    """Every region an option is offered for has an evidence note that holds there.

    evidence_note speaks for the option's evidence_regions; any other region
    needs its own evidence_note_<region>, or evidence_note_extrapolated saying
    plainly that the evidence comes from elsewhere.
    """
    for region in item["regions"]:
        if region in item["evidence_regions"]:
            continue
        if f"evidence_note_{region}" in texts or EXTRAPOLATED_NOTE in texts:
            continue
        raise check.fail(
            key,
            f"no evidence note valid for the {region} region (add "
            f"evidence_note_{region}, or {EXTRAPOLATED_NOTE} if the evidence "
            "is from another region)",
        )
    for field in texts:
        region = field.removeprefix("evidence_note_")
        is_region_note = field != EXTRAPOLATED_NOTE and region != field
        if is_region_note and region not in item["regions"]:
            raise check.fail(
                f"{key}.{field}", f"the option is not offered for {region}"
            )


def _check_no_authoring_notes(check: _Checker, data: Mapping[str, Any]) -> None:
    """No text the app shows may carry a note meant for the content's authors."""
    shown = {k: v for k, v in data.items() if k not in ("language", "language_name")}
    # Fast path (this runs at every start): one lower-cased pass over all text;
    # only a file that may hold a phrase is walked to name the key.
    everything = "\n".join(_strings(shown)).lower()
    if not any(phrase in everything for phrase in AUTHORING_PHRASES):
        return

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, f"{key}.{name}" if key else name)
        elif isinstance(value, str):
            match = AUTHORING_NOTE.search(value)
            if match:
                raise check.fail(
                    key, f"authoring note in shown text ({match.group(0)!r})"
                )

    walk(shown, "")


def _strings(value: Any) -> list[str]:
    """Every text value inside nested tables (a loop: recursion costs at start)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, str):
            found.append(item)
    return found


def _compare_with_reference(
    file: str, data: Mapping[str, Any], reference_file: str, reference: Mapping
) -> None:
    """A translation must define exactly the keys the reference language does."""
    ours, theirs = _language_keys(data), _language_keys(reference)
    for key in sorted(theirs - ours):
        raise ContentError(file, key, "missing translation")
    for key in sorted(ours - theirs):
        raise ContentError(
            file, key, f"not in the reference language ({reference_file})"
        )


def _build(
    language: str,
    data: Mapping[str, Any],
    structure: _Structure,
    references: dict[str, Reference],
) -> Content:
    sections = structure.sections

    def texts(section: str, item_id: str) -> dict[str, str]:
        return data[section][item_id]

    def each(section: str, make: Callable[[str, dict, dict], Any]) -> list[Any]:
        return [
            make(i, item, texts(section, i)) for i, item in sections[section].items()
        ]

    regions = {
        r.id: r
        for r in each(
            "region",
            lambda i, item, t: RegionInfo(
                id=i,
                name=t["name"],
                clinician=t["clinician"],
                patient=t["patient"],
                muscles=tuple(item["muscles"]),
                spasm_frequency=item["spasm_frequency"],
                cite=tuple(item["cite"]),
            ),
        )
    }
    muscles = {
        m.id: m
        for m in each(
            "muscle",
            lambda i, item, t: Muscle(
                id=i,
                group=item["group"],
                name=t["name"],
                span=(item["span"][0], item["span"][1]),
                levels=tuple(lv.code for lv in spine.level_span(*item["span"])),
                from_article=item["from_article"],
                origin=t["origin"],
                insertion=t["insertion"],
                action=t["action"],
                innervation=t["innervation"],
                clinician=t["clinician"],
                patient=t["patient"],
                cite=tuple(item["cite"]),
            ),
        )
    }
    causes = each(
        "cause",
        lambda i, item, t: Cause(
            id=i,
            likelihood=item["likelihood"],
            regions=tuple(item["regions"]),
            name=t["name"],
            suggests=t["suggests"],
            action=t["action"],
            patient=t["patient"],
            cite=tuple(item["cite"]),
        ),
    )
    # Common causes first; a stable sort keeps file order within each group.
    causes.sort(key=lambda c: LIKELIHOODS.index(c.likelihood))
    red_flags = each(
        "red_flag",
        lambda i, item, t: RedFlag(
            id=i,
            urgency=item["urgency"],
            call=item["call"],
            regions=tuple(item["regions"]),
            name=t["name"],
            question=t["question"],
            action=t["action"],
            patient=t["patient"],
            cite=tuple(item["cite"]),
        ),
    )
    options = each(
        "option",
        lambda i, item, t: Option(
            id=i,
            regions=tuple(item["regions"]),
            evidence=item["evidence"],
            name=t["name"],
            clinician=t["clinician"],
            evidence_note=t["evidence_note"],
            patient=t["patient"],
            cite=tuple(item["cite"]),
            evidence_regions=tuple(item["evidence_regions"]),
            evidence_notes=_region_notes(item, t),
            contraindicated_by=tuple(item.get("contraindicated_by", ())),
            thrust=item.get("thrust", False),
        ),
    )
    prevention = each(
        "prevention",
        lambda i, item, t: Prevention(
            id=i,
            name=t["name"],
            clinician=t["clinician"],
            patient=t["patient"],
            cite=tuple(item["cite"]),
            regions=tuple(item["regions"]),
        ),
    )
    radicular = {
        r.region: r
        for r in each(
            "radicular",
            lambda i, item, t: Radicular(
                region=i,
                name=t["name"],
                clinician=t["clinician"],
                patient=t["patient"],
                cite=tuple(item["cite"]),
            ),
        )
    }
    # Roots in screen order (C5 first) whatever the file order.
    roots = {
        r.id: r
        for r in each(
            "nerve_root",
            lambda i, item, t: NerveRoot(
                id=i,
                dermatome=t["dermatome"],
                myotome=t["myotome"],
                reflex=t["reflex"],
                has_reflex=item["has_reflex"],
                neurodynamic=item["neurodynamic"],
                cite=tuple(item["cite"]),
            ),
        )
    }
    screen = each(
        "manipulation_screen",
        lambda i, item, t: ScreenItem(
            id=i,
            kind=item["kind"],
            name=t["name"],
            clinician=t["clinician"],
            cite=tuple(item["cite"]),
        ),
    )
    esc = structure.escalation
    escalation = Escalation(
        weeks=(esc["weeks"][0], esc["weeks"][1]),
        clinician=data["escalation"]["clinician"],
        patient=data["escalation"]["patient"],
        cite=tuple(esc["cite"]),
    )
    return Content(
        language=language,
        language_name=data["language_name"],
        regions=regions,
        muscles=muscles,
        causes=tuple(causes),
        red_flags=tuple(red_flags),
        options=tuple(options),
        prevention=tuple(prevention),
        escalation=escalation,
        references=dict(references),
        general=dict(data["general"]),
        radicular={r: radicular[r] for r in (x.value for x in spine.REGIONS)},
        nerve_roots={r: roots[r] for r in SCREENED_ROOTS},
        manipulation_screen=tuple(screen),
    )


def _region_notes(item: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, str]:
    """The evidence note for each region the option is offered for."""
    notes = {}
    for region in item["regions"]:
        fallback = texts["evidence_note"]
        if region not in item["evidence_regions"]:
            fallback = texts.get(EXTRAPOLATED_NOTE, "")
        notes[region] = texts.get(f"evidence_note_{region}", fallback)
    return notes


# ------------------------------------------------------------------ public ---


def available_languages(content_dir: Path = DEFAULT_CONTENT_DIR) -> tuple[str, ...]:
    """Language codes with a file in content_dir, English first, then by code."""
    skip = {SPINE_FILE, REFERENCES_FILE}
    codes = sorted(
        p.stem for p in Path(content_dir).glob("*.toml") if p.name not in skip
    )
    return tuple(sorted(codes, key=lambda code: code != "en"))


# Validated content by (language, resolved directory): a load happens once.
_LOADED: dict[tuple[str, str], Content] = {}


def _check_language_once(files: _Files, language: str, structure: _Structure) -> None:
    """Validate a language file unless this load has already done so."""
    file = f"{language}.toml"
    if file not in files.checked:
        _check_language(file, language, files.toml(file), structure)
        files.checked.add(file)


def _load_language(
    language: str,
    files: _Files,
    structure: _Structure,
    references: dict[str, Reference],
) -> Content:
    file = f"{language}.toml"
    data = files.toml(file)
    _check_language_once(files, language, structure)

    reference_file = f"{structure.reference_language}.toml"
    reference = data
    if language != structure.reference_language:
        reference = files.toml(reference_file)
        _check_language_once(files, structure.reference_language, structure)
    general = reference.get("general", {})
    for name in REQUIRED_GENERAL:
        if name not in general:
            raise ContentError(reference_file, f"general.{name}", "missing translation")
    if reference is not data:
        _compare_with_reference(file, data, reference_file, reference)
    return _build(language, data, structure, references)


def _load(
    languages: Iterable[str], content_dir: Path, cache_dir: Path | None
) -> dict[str, Content]:
    directory = str(Path(content_dir).resolve())
    wanted = tuple(languages)
    missing = [code for code in wanted if (code, directory) not in _LOADED]
    if missing:
        # The shared files are read and checked once for all the languages.
        files = _Files(Path(directory), cache_dir)
        references = _parse_references(files)
        structure = _parse_structure(files, references)
        for code in missing:
            content = _load_language(code, files, structure, references)
            _LOADED[(code, directory)] = content
    return {code: _LOADED[(code, directory)] for code in wanted}


def load_content(
    language: str = "en",
    content_dir: Path = DEFAULT_CONTENT_DIR,
    cache_dir: Path | None = None,
) -> Content:
    """Load and validate one language, raising ContentError on any problem.

    With cache_dir, parsed files are kept there (see toml_cache) so the next
    start parses no TOML; content is validated either way.
    """
    return _load((language,), content_dir, cache_dir)[language]


def load_all(
    content_dir: Path = DEFAULT_CONTENT_DIR, cache_dir: Path | None = None
) -> dict[str, Content]:
    """Load and validate every language file in content_dir (cache_dir as above)."""
    languages = available_languages(content_dir)
    if not languages:
        raise ContentError(Path(content_dir).name, "(dir)", "no language files")
    return _load(languages, content_dir, cache_dir)


def clear_cache() -> None:
    """Forget loaded content, so edited files are read again."""
    _LOADED.clear()
