"""Load and validate the home-exercise library, suggest exercises and word doses."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from companion.core.content import ContentError
from companion.core.records import InvalidInput
from companion.core.toml_cache import load_toml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONTENT_DIR = ROOT / "assets" / "content"
DEFAULT_FRAMES_DIR = ROOT / "assets" / "exercises"

# The library's own files sit in a subfolder of the content folder: the main
# content loader reads every *.toml directly in assets/content as a language.
LIBRARY_DIR = "exercises"
LIBRARY_FILE = "exercises.toml"
EXERCISE_REFERENCES_FILE = "exercise_references.toml"
# Citations may also point at the main clinical references (NICE, ACP, JOSPT).
MAIN_REFERENCES_FILE = "references.toml"
SPINE_FILE = "spine.toml"
SCHEMA_VERSION = 1
REGIONS = ("cervical", "thoracic", "lumbar", "sacral")
TEXT_FIELDS = ("name", "feel", "stop", "precautions")  # plus the list "steps"
MIN_FRAMES, MAX_FRAMES = 2, 3

# Dose limits, shared by the library check and a clinician's edits (and the
# prescribing form's spin boxes): wide enough for any home programme, narrow
# enough to catch a typo such as 100 sets.
DOSE_LIMITS: dict[str, tuple[int, int]] = {
    "sets": (1, 10),
    "reps": (1, 50),
    "hold_seconds": (1, 120),
    "minutes": (1, 120),
    "times_per_day": (1, 10),
}
DOSE_AMOUNTS = ("reps", "hold_seconds", "minutes")

# [general] templates each language file must give; {n} is the number.
DOSE_TEMPLATES: tuple[str, ...] = (
    *(f"{part}_{form}" for part in DOSE_LIMITS for form in ("one", "other")),
    "dose_separator",
)
GENERAL_KEYS: tuple[str, ...] = (
    *DOSE_TEMPLATES,
    "programme_title",
    "stop_heading",
    "feel_heading",
    "steps_heading",
    "tracker_title",
    "tracker_hint",
    "weekdays",
    "page_reference",
)

_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_FRAME = re.compile(r"[a-z][a-z0-9]*\Z")


class ExerciseContentError(ContentError):
    """An exercise file is broken; the message names the file, the key and the problem.

    A ContentError, so the start-up check that reports broken content reports
    this the same way.
    """


class Dose(NamedTuple):
    """How much of one exercise: sets, an amount per set, and times per day."""

    sets: int = 1
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    times_per_day: int = 1

    def as_dict(self) -> dict[str, int]:
        """The dose without its empty parts (for storage and export)."""
        return {k: v for k, v in self._asdict().items() if v is not None}


class Prescription(NamedTuple):
    """One exercise of a programme with its dose."""

    exercise_id: str
    dose: Dose


@dataclass(frozen=True)
class ProgrammeRevision:
    """One saved revision of a visit's exercise programme (never changed later).

    copied_from is the revision id it was carried forward from, when the visit
    started from an earlier visit's programme.
    """

    id: str
    visit_id: str
    revision: int
    items: tuple[Prescription, ...]
    created: datetime
    copied_from: str | None = None


class Exercise(NamedTuple):
    """One exercise of the library in one language, with its default dose."""

    id: str
    regions: tuple[str, ...]
    frames: tuple[str, ...]
    dose: Dose
    contraindicated_by: tuple[str, ...]
    cite: tuple[str, ...]
    name: str
    steps: tuple[str, ...]
    feel: str
    stop: str
    precautions: str


class ExerciseLibrary(NamedTuple):
    """Every exercise in one language, the labels, and the citations."""

    language: str
    exercises: tuple[Exercise, ...]
    general: Mapping[str, str]
    withhold_all_for: tuple[str, ...]
    references: Mapping[str, str]
    frames_dir: Path

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id (KeyError if none)."""
        for item in self.exercises:
            if item.id == exercise_id:
                return item
        raise KeyError(exercise_id)

    def for_region(self, region: str) -> tuple[Exercise, ...]:
        """The region's exercises in library order, contraindications ignored."""
        return tuple(e for e in self.exercises if region in e.regions)

    def frame_paths(self, exercise_id: str) -> tuple[Path, ...]:
        """The SVG key frames of an exercise, in order (start first)."""
        item = self.exercise(exercise_id)
        return tuple(frame_path(self.frames_dir, item.id, f) for f in item.frames)


def frame_path(frames_dir: Path, exercise_id: str, frame: str) -> Path:
    """Where one key frame's SVG lives: <frames_dir>/<id>-<frame>.svg."""
    return frames_dir / f"{exercise_id}-{frame}.svg"


# ------------------------------------------------------------------ doses


def check_dose(value: Mapping[str, Any], what: str = "dose") -> Dose:
    """A Dose from a mapping, refusing unknown parts, non-integers and odd sizes.

    Raises InvalidInput with a message for the clinician.
    """
    if not isinstance(value, Mapping):
        raise InvalidInput("dose", f"The {what} must be a table of numbers.")
    unknown = sorted(set(value) - set(DOSE_LIMITS))
    if unknown:
        raise InvalidInput("dose", f"The {what} has an unknown part: {unknown[0]!r}.")
    for part, number in value.items():
        low, high = DOSE_LIMITS[part]
        # bool is an int subclass, but True is not a number of sets.
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidInput(
                part, f"The {what}'s {part} must be a whole number (got {number!r})."
            )
        if not low <= number <= high:
            raise InvalidInput(
                part,
                f"The {what}'s {part} must be from {low} to {high} (got {number}).",
            )
    if not any(value.get(part) for part in DOSE_AMOUNTS):
        raise InvalidInput(
            "dose", f"The {what} needs repetitions, a hold time or minutes."
        )
    return Dose(**value)


def check_programme(
    items: Iterable[Prescription | tuple[str, Mapping[str, Any] | Dose]],
    known_ids: Iterable[str],
) -> tuple[Prescription, ...]:
    """A programme as Prescriptions, refusing unknown or repeated exercises and
    bad doses (InvalidInput, with a message for the clinician)."""
    known = frozenset(known_ids)
    checked: list[Prescription] = []
    for entry in items:
        try:
            exercise_id, dose = entry
        except (TypeError, ValueError):
            raise InvalidInput(
                "programme", f"Each exercise needs an id and a dose (got {entry!r})."
            ) from None
        if exercise_id not in known:
            raise InvalidInput("programme", f"Unknown exercise {exercise_id!r}.")
        if any(p.exercise_id == exercise_id for p in checked):
            raise InvalidInput(
                "programme", f"The exercise {exercise_id!r} is in the programme twice."
            )
        as_map = dose.as_dict() if isinstance(dose, Dose) else dose
        checked.append(Prescription(exercise_id, check_dose(as_map)))
    return tuple(checked)


def progressed(dose: Dose) -> Dose:
    """A suggested next step for a dose the patient manages well.

    Small steps, one thing at a time: a longer hold or walk first, else two
    more repetitions, else one more set; a dose at every limit stays as it is.
    The clinician reviews the suggestion before it is saved.
    """
    steps = (("hold_seconds", 5), ("minutes", 5), ("reps", 2))
    for part, step in steps:
        current = getattr(dose, part)
        top = DOSE_LIMITS[part][1]
        if current is not None and current < top:
            return dose._replace(**{part: min(current + step, top)})
    if dose.sets < DOSE_LIMITS["sets"][1]:
        return dose._replace(sets=dose.sets + 1)
    return dose


def progressed_programme(items: Iterable[Prescription]) -> tuple[Prescription, ...]:
    """Every prescription of a programme with its dose progressed one step."""
    return tuple(p._replace(dose=progressed(p.dose)) for p in items)


def dose_parts(library: ExerciseLibrary, dose: Dose) -> tuple[str, ...]:
    """The dose as short phrases in the library's language, in reading order.

    One set is the usual case and is not spelled out.
    """
    parts = []
    for part in ("sets", "reps", "hold_seconds", "minutes", "times_per_day"):
        number = getattr(dose, part)
        if number is None or (part == "sets" and number == 1):
            continue
        form = "one" if number == 1 else "other"
        parts.append(library.general[f"{part}_{form}"].format(n=number))
    return tuple(parts)


def format_dose(library: ExerciseLibrary, dose: Dose) -> str:
    """The dose as one line in the library's language: '10 times, hold 5 s, …'."""
    return library.general["dose_separator"].join(dose_parts(library, dose))


# ------------------------------------------------------------ suggestions


def raised(red_flags: Mapping[str, str] | Iterable[str]) -> frozenset[str]:
    """Raised flag ids from a visit's answers (flag -> present/absent) or a list."""
    if isinstance(red_flags, Mapping):
        return frozenset(f for f, answer in red_flags.items() if answer == "present")
    return frozenset(red_flags)


def ruled_out_by(
    library: ExerciseLibrary,
    exercise: Exercise,
    red_flags: Mapping[str, str] | Iterable[str],
) -> tuple[str, ...]:
    """The raised flags that rule this exercise out, in library order (none: fine)."""
    flags = raised(red_flags)
    blocking = (*library.withhold_all_for, *exercise.contraindicated_by)
    return tuple(dict.fromkeys(f for f in blocking if f in flags))


def suggest(
    library: ExerciseLibrary,
    region: str,
    red_flags: Mapping[str, str] | Iterable[str] = (),
) -> tuple[Exercise, ...]:
    """The region's exercises that no raised flag rules out, in library order.

    A flag in the library's withhold_all_for (cauda equina, suspected
    infection, …) needs assessment before any home exercise, so it empties the
    list; a flag in an exercise's contraindicated_by removes that exercise
    (loaded flexion with osteoporosis, for example).
    """
    if region not in REGIONS:
        raise KeyError(f"unknown region {region!r}")
    return tuple(
        e for e in library.for_region(region) if not ruled_out_by(library, e, red_flags)
    )


# ---------------------------------------------------------------- loading


def available_languages(content_dir: Path = DEFAULT_CONTENT_DIR) -> tuple[str, ...]:
    """Language codes with an exercises.<code>.toml file, English first."""
    files = (content_dir / LIBRARY_DIR).glob("exercises.*.toml")
    codes = sorted(p.name.split(".")[1] for p in files)
    return tuple(sorted(codes, key=lambda code: code != "en"))


@functools.cache
def load_library(
    language: str,
    content_dir: Path = DEFAULT_CONTENT_DIR,
    frames_dir: Path = DEFAULT_FRAMES_DIR,
) -> ExerciseLibrary:
    """The validated library in one language (cached); raises ExerciseContentError."""
    structure = _Structure.read(content_dir, frames_dir)
    texts = _read_language(content_dir, language, structure)
    general = texts["general"]
    exercises = tuple(
        Exercise(
            **item,
            name=texts["exercise"][item["id"]]["name"],
            steps=tuple(texts["exercise"][item["id"]]["steps"]),
            feel=texts["exercise"][item["id"]]["feel"],
            stop=texts["exercise"][item["id"]]["stop"],
            precautions=texts["exercise"][item["id"]]["precautions"],
        )
        for item in structure.items
    )
    return ExerciseLibrary(
        language=language,
        exercises=exercises,
        general=dict(general),
        withhold_all_for=structure.withhold_all_for,
        references=structure.references,
        frames_dir=frames_dir,
    )


def clear_cache() -> None:
    """Forget parsed libraries, so an edited file is read again."""
    load_library.cache_clear()


def load_all_libraries(
    content_dir: Path = DEFAULT_CONTENT_DIR, frames_dir: Path = DEFAULT_FRAMES_DIR
) -> dict[str, ExerciseLibrary]:
    """Every language's library, validated: what a start-up check calls."""
    return {
        code: load_library(code, content_dir, frames_dir)
        for code in available_languages(content_dir)
    }


def exercise_ids(content_dir: Path = DEFAULT_CONTENT_DIR) -> frozenset[str]:
    """The ids in the library (from the default-language file), for input checks."""
    language = available_languages(content_dir)[0]
    return frozenset(e.id for e in load_library(language, content_dir).exercises)


def _read(path: Path) -> dict[str, Any]:
    try:
        return load_toml(path)
    except FileNotFoundError:
        raise ExerciseContentError(path.name, "file", "missing") from None
    except ValueError as error:  # tomllib.TOMLDecodeError or not UTF-8
        raise ExerciseContentError(path.name, "file", f"unreadable: {error}") from None


class _Checker:
    """Raises errors that name one file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, problem: str) -> ExerciseContentError:
        return ExerciseContentError(self.file, key, problem)

    def strings(self, value: Any, key: str, allowed: Iterable[str] = ()) -> list[str]:
        allowed = tuple(allowed)
        if not isinstance(value, list) or not value:
            raise self.fail(key, "must be a non-empty list")
        for entry in value:
            if not isinstance(entry, str) or not entry.strip():
                raise self.fail(key, f"entries must be non-empty text (got {entry!r})")
            if allowed and entry not in allowed:
                raise self.fail(key, f"unknown value {entry!r}")
        if len(set(value)) != len(value):
            raise self.fail(key, "lists a value twice")
        return value


class _Structure(NamedTuple):
    items: tuple[dict[str, Any], ...]
    withhold_all_for: tuple[str, ...]
    references: dict[str, str]

    @classmethod
    def read(cls, content_dir: Path, frames_dir: Path) -> _Structure:
        references = _references(content_dir)
        flags = _red_flag_ids(content_dir)
        data = _read(content_dir / LIBRARY_DIR / LIBRARY_FILE)
        check = _Checker(LIBRARY_FILE)
        if data.get("schema_version") != SCHEMA_VERSION:
            raise check.fail("schema_version", f"must be {SCHEMA_VERSION}")
        withhold = data.get("withhold_all_for", [])
        if withhold:
            check.strings(withhold, "withhold_all_for", flags)
        entries = data.get("exercise")
        if not isinstance(entries, list) or not entries:
            raise check.fail("exercise", "no exercises")
        items: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            item = _exercise(check, index, entry, flags, references)
            if any(seen["id"] == item["id"] for seen in items):
                raise check.fail(f"exercise.{item['id']}", "id used twice")
            _check_frames(check, item, frames_dir)
            items.append(item)
        return cls(tuple(items), tuple(withhold), references)


def _exercise(
    check: _Checker,
    index: int,
    entry: Any,
    flags: tuple[str, ...],
    references: Mapping[str, str],
) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise check.fail(f"exercise[{index}]", "must be a table")
    item_id = entry.get("id")
    if not isinstance(item_id, str) or not _ID.match(item_id):
        raise check.fail(f"exercise[{index}].id", f"bad id {item_id!r}")
    key = f"exercise.{item_id}"
    known = {"id", "regions", "frames", "dose", "contraindicated_by", "cite"}
    extra = sorted(set(entry) - known)
    if extra:
        raise check.fail(f"{key}.{extra[0]}", "unknown field")
    regions = check.strings(entry.get("regions"), f"{key}.regions", REGIONS)
    frames = check.strings(entry.get("frames"), f"{key}.frames")
    if not MIN_FRAMES <= len(frames) <= MAX_FRAMES:
        raise check.fail(f"{key}.frames", f"needs {MIN_FRAMES} to {MAX_FRAMES} frames")
    for frame in frames:
        if not _FRAME.match(frame):
            raise check.fail(f"{key}.frames", f"bad frame name {frame!r}")
    if "dose" not in entry:
        raise check.fail(f"{key}.dose", "missing")
    try:
        dose = check_dose(entry["dose"], "default dose")
    except InvalidInput as error:
        raise check.fail(f"{key}.dose", error.message) from None
    contra = entry.get("contraindicated_by", [])
    if contra:
        check.strings(contra, f"{key}.contraindicated_by", flags)
    cite = check.strings(entry.get("cite"), f"{key}.cite")
    for ref in cite:
        if ref not in references:
            raise check.fail(f"{key}.cite", f"unknown citation key {ref!r}")
    return {
        "id": item_id,
        "regions": tuple(regions),
        "frames": tuple(frames),
        "dose": dose,
        "contraindicated_by": tuple(contra),
        "cite": tuple(cite),
    }


def _check_frames(check: _Checker, item: Mapping[str, Any], frames_dir: Path) -> None:
    for frame in item["frames"]:
        path = frame_path(frames_dir, item["id"], frame)
        if not path.is_file():
            raise check.fail(
                f"exercise.{item['id']}.frames", f"missing frame file {path.name}"
            )


def _references(content_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    places = {
        MAIN_REFERENCES_FILE: content_dir,
        EXERCISE_REFERENCES_FILE: content_dir / LIBRARY_DIR,
    }
    for name, folder in places.items():
        check = _Checker(name)
        for ref, table in _read(folder / name).items():
            text = table.get("text") if isinstance(table, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise check.fail(f"{ref}.text", "missing reference text")
            if name == EXERCISE_REFERENCES_FILE and ref in found:
                raise check.fail(ref, f"already defined in {MAIN_REFERENCES_FILE}")
            found[ref] = text
    return found


def _red_flag_ids(content_dir: Path) -> tuple[str, ...]:
    flags = _read(content_dir / SPINE_FILE).get("red_flag", [])
    return tuple(f["id"] for f in flags if isinstance(f, dict) and "id" in f)


def _read_language(
    content_dir: Path, language: str, structure: _Structure
) -> dict[str, Any]:
    name = f"exercises.{language}.toml"
    check = _Checker(name)
    data = _read(content_dir / LIBRARY_DIR / name)
    if data.get("language") != language:
        raise check.fail("language", f"must be {language!r}, as in the file name")
    extra = sorted(set(data) - {"language", "general", "exercise"})
    if extra:
        raise check.fail(extra[0], "unknown table")
    general = data.get("general")
    if not isinstance(general, dict):
        raise check.fail("general", "missing")
    for label in GENERAL_KEYS:
        value = general.get(label)
        if not isinstance(value, str) or not value.strip():
            raise check.fail(f"general.{label}", "missing translation")
    for label in sorted(set(general) - set(GENERAL_KEYS)):
        raise check.fail(f"general.{label}", "unknown key")
    # "once" needs no number, but every plural form does.
    for label in (t for t in DOSE_TEMPLATES if t.endswith("_other")):
        if "{n}" not in general[label]:
            raise check.fail(f"general.{label}", "must contain {n}")
    texts = data.get("exercise")
    if not isinstance(texts, dict):
        raise check.fail("exercise", "missing")
    ids = [item["id"] for item in structure.items]
    for item_id in sorted(set(texts) - set(ids)):
        raise check.fail(f"exercise.{item_id}", f"not in {LIBRARY_FILE}")
    for item_id in ids:
        _check_texts(check, f"exercise.{item_id}", texts.get(item_id))
    return data


def _check_texts(check: _Checker, key: str, table: Any) -> None:
    if not isinstance(table, dict):
        raise check.fail(key, "missing translation")
    for field in TEXT_FIELDS:
        value = table.get(field)
        if not isinstance(value, str) or not value.strip():
            raise check.fail(f"{key}.{field}", "missing translation")
    check.strings(table.get("steps"), f"{key}.steps")
    extra = sorted(set(table) - {*TEXT_FIELDS, "steps"})
    if extra:
        raise check.fail(f"{key}.{extra[0]}", "unknown field")
