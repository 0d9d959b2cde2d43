"""The clinic's records as frozen dataclasses that refuse invalid values on creation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from companion.core import spine

if TYPE_CHECKING:
    from companion.core.clinical_neuro import RootFinding
    from companion.core.clinical_rules import ConsentRecord

LANGUAGES: tuple[str, ...] = ("en", "es")
MECHANISMS: tuple[str, ...] = (
    "everyday_strain",
    "lifting",
    "sleeping_position",
    "sport",
    "car_accident",
    "fall",
    "other",
)
SECTIONS: tuple[str, ...] = ("S", "O", "A", "P")
RED_FLAG_ANSWERS: tuple[str, ...] = ("present", "absent")
PAIN_MIN, PAIN_MAX = 0, 10


class InvalidInput(ValueError):
    """A value the user typed or picked cannot be saved; message is for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


def _set(obj: object, name: str, value: object) -> None:
    # Frozen dataclasses still need to store normalised values once, in __post_init__.
    object.__setattr__(obj, name, value)


def validate_pain(value: object) -> int | None:
    """Return pain as an int 0–10 (or None), refusing anything else."""
    if value is None:
        return None
    # bool is an int subclass, but True is not a pain score.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            "pain", f"Pain must be a whole number from 0 to 10 (got {value!r})."
        )
    if not PAIN_MIN <= value <= PAIN_MAX:
        raise InvalidInput("pain", f"Pain must be from 0 to 10 (got {value}).")
    return value


def validate_choice(field_name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return value when it is one of choices, else raise InvalidInput naming them."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(choices)
        raise InvalidInput(
            field_name, f"Unknown {field_name} {value!r}; expected one of: {allowed}."
        )
    return value


def validate_mechanism(value: object) -> str | None:
    """Return the mechanism of onset code (or None), refusing unknown codes."""
    return None if value is None else validate_choice("mechanism", value, MECHANISMS)


def validate_section(value: object) -> str:
    """Return a SOAP section letter, refusing anything else."""
    return validate_choice("section", value, SECTIONS)


def validate_language(value: object) -> str:
    """Return a supported language code, refusing anything else."""
    return validate_choice("preferred_language", value, LANGUAGES)


def _text(field_name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field_name, f"{field_name} must be text (got {value!r}).")
    return check_storable(field_name, value)


def check_storable(field_name: str, value: str) -> str:
    """value, unless it holds a lone surrogate (as "\ud800"), which no UTF-8 file
    can hold: SQLite's driver raised UnicodeEncodeError mid-save for it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            field_name,
            f"{field_name} holds a character that cannot be saved (an unpaired"
            f" surrogate at position {exc.start}); retype that part.",
        ) from None
    return value


def _optional_date(field_name: str, value: object) -> date | None:
    if value is None:
        return None
    return _date(field_name, value)


def _date(field_name: str, value: object) -> date:
    # datetime is a date subclass, but a time of day would silently shift the day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(field_name, f"{field_name} must be a date (got {value!r}).")
    return value


def _aware(field_name: str, value: object) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(
            field_name, f"{field_name} must be a timezone-aware time (got {value!r})."
        )
    return value


def _codes(
    field_name: str, values: object, known: Callable[[str], bool] | None = None
) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(field_name, f"{field_name} must be a list of codes.")
    codes = tuple(values)
    for code in codes:
        if not isinstance(code, str) or not code.strip():
            raise InvalidInput(field_name, f"{field_name} has an empty code {code!r}.")
        if known is not None and not known(code):
            raise InvalidInput(field_name, f"Unknown {field_name} code {code!r}.")
    if len(set(codes)) != len(codes):
        raise InvalidInput(field_name, f"{field_name} lists a code twice.")
    return codes


def _records(field_name: str, values: object, kind: str) -> tuple:
    """values as a tuple of one record type, refusing anything else."""
    # Imported here: clinical_rules and clinical_neuro import core modules that
    # would otherwise import this one back.
    from companion.core.clinical_neuro import RootFinding
    from companion.core.clinical_rules import ConsentRecord

    cls = {"ConsentRecord": ConsentRecord, "RootFinding": RootFinding}[kind]
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(field_name, f"{field_name} must be a list of records.")
    items = tuple(values)
    for item in items:
        if not isinstance(item, cls):
            raise InvalidInput(field_name, f"{field_name} has an unknown {item!r}.")
    return items


def validate_red_flags(value: object) -> Mapping[str, str]:
    """Return red flag answers as a read-only mapping flag id -> present/absent."""
    if not isinstance(value, Mapping):
        raise InvalidInput("red_flags", "red_flags must map flag ids to answers.")
    for flag_id, answer in value.items():
        if not isinstance(flag_id, str) or not flag_id.strip():
            raise InvalidInput("red_flags", f"Empty red flag id {flag_id!r}.")
        validate_choice("red flag answer", answer, RED_FLAG_ANSWERS)
    # A read-only view keeps the frozen record honestly immutable.
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class Patient:
    """A patient, identified by a chart number or initials (at least one)."""

    id: str
    chart_number: str
    initials: str
    display_name: str
    preferred_language: str
    created: datetime

    def __post_init__(self) -> None:
        chart = _text("chart_number", self.chart_number).strip()
        initials = _text("initials", self.initials).strip()
        if not chart and not initials:
            raise InvalidInput(
                "chart_number", "Enter a chart number or the patient's initials."
            )
        _set(self, "chart_number", chart)
        _set(self, "initials", initials)
        _set(self, "display_name", _text("display_name", self.display_name).strip())
        validate_language(self.preferred_language)
        _aware("created", self.created)

    @property
    def label(self) -> str:
        """The short name shown in lists: chart number, else initials."""
        return self.chart_number or self.initials


@dataclass(frozen=True)
class Visit:
    """One visit: what hurts, how it started, what was found and done."""

    id: str
    patient_id: str
    visit_date: date
    onset_date: date | None
    mechanism: str | None
    pain: int | None
    regions: tuple[str, ...]
    levels: tuple[str, ...]
    red_flags: Mapping[str, str]
    treatments_given: tuple[str, ...]
    treatments_recommended: tuple[str, ...]
    follow_up: date | None
    created: datetime
    updated: datetime
    # Patient-Specific Functional Scale: ((activity, rating 0–10), …); () = none.
    psfs: tuple[tuple[str, int], ...] = ()
    # The episode of care (one injury or onset) this visit belongs to.
    episode_id: str | None = None
    # Today's plan in the patient's words: printed on the handout (the SOAP
    # Plan is the clinician's and never leaves the record).
    patient_plan: str = ""
    # Informed consent to thrust techniques (clinical_rules.ConsentRecord), and
    # the reason recorded instead of one (e.g. consent held in another record).
    consents: tuple[ConsentRecord, ...] = ()
    thrust_reason: str = ""
    # The quick nerve-root screen (clinical_neuro.RootFinding); () = not done.
    neuro_screen: tuple[RootFinding, ...] = ()

    def __post_init__(self) -> None:
        _text("patient_id", self.patient_id)
        visit_date = _date("visit_date", self.visit_date)
        onset = _optional_date("onset_date", self.onset_date)
        if onset is not None and onset > visit_date:
            raise InvalidInput(
                "onset_date", "The date the pain began is after the visit date."
            )
        _optional_date("follow_up", self.follow_up)
        _text("patient_plan", self.patient_plan)
        validate_mechanism(self.mechanism)
        validate_pain(self.pain)
        _set(self, "regions", _codes("regions", self.regions, spine.is_region))
        _set(self, "levels", _codes("levels", self.levels, spine.is_level))
        _set(self, "red_flags", validate_red_flags(self.red_flags))
        _set(
            self, "treatments_given", _codes("treatments_given", self.treatments_given)
        )
        _set(
            self,
            "treatments_recommended",
            _codes("treatments_recommended", self.treatments_recommended),
        )
        _aware("created", self.created)
        _aware("updated", self.updated)
        # Imported here because companion.core.psfs imports InvalidInput from here.
        from companion.core.psfs import validate_psfs

        _set(self, "psfs", validate_psfs(self.psfs))
        _text("thrust_reason", self.thrust_reason)
        _set(self, "consents", _records("consents", self.consents, "ConsentRecord"))
        _set(
            self,
            "neuro_screen",
            _records("neuro_screen", self.neuro_screen, "RootFinding"),
        )

    def __hash__(self) -> int:
        # MappingProxyType is unhashable, so hash on identity-defining fields only.
        return hash((self.id, self.updated))


@dataclass(frozen=True)
class Episode:
    """One episode of care: an injury or onset, followed over several visits."""

    id: str
    patient_id: str
    onset_date: date | None
    mechanism: str | None
    created: datetime

    def __post_init__(self) -> None:
        _text("patient_id", self.patient_id)
        _optional_date("onset_date", self.onset_date)
        validate_mechanism(self.mechanism)
        _aware("created", self.created)


@dataclass(frozen=True)
class NoteRevision:
    """One saved version of one SOAP section of a visit's note; never edited."""

    id: str
    visit_id: str
    section: str
    text: str
    revision: int
    created: datetime

    def __post_init__(self) -> None:
        validate_section(self.section)
        _text("text", self.text)
        if isinstance(self.revision, bool) or not isinstance(self.revision, int):
            raise InvalidInput("revision", "revision must be a whole number.")
        if self.revision < 1:
            raise InvalidInput("revision", "revision numbers start at 1.")
        _aware("created", self.created)


@dataclass(frozen=True)
class Draft:
    """Unsaved form state kept so a crash loses nothing the user typed."""

    key: str
    payload: str
    updated: datetime

    def __post_init__(self) -> None:
        if not _text("key", self.key):
            raise InvalidInput("key", "A draft needs a key.")
        _text("payload", self.payload)
        _aware("updated", self.updated)
