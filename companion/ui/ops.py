"""The one writer: every change to the records, one result type, one changed signal.

Modelled on Anki's CollectionOp / OpChanges. Widgets never call the store to
write; they call an operation here, which saves typed text still pending
(before any switch of patient or visit), writes one transaction, and then says
what changed in one ``changed(Changes)`` signal, so each view redraws only what
it shows. The open patient and visit live here: they are the source of truth
for every screen a patient sees or takes home.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from companion.core.exercises import Prescription, ProgrammeRevision
from companion.core.records import (
    SECTIONS,
    Episode,
    InvalidInput,
    NoteRevision,
    Patient,
    Visit,
)
from companion.store import Store, StoreBusy, StoreError
from companion.store.audit import OPEN_PATIENT

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """What an operation changed; a view redraws when something it shows did."""

    patient: bool = False  # another patient is open, or their details changed
    visit: bool = False  # another visit is open (or none)
    visits: bool = False  # a visit's findings, or the list of visits
    notes: bool = False  # a note revision was saved
    episode: bool = False  # an episode began or its onset changed
    patients: bool = False  # the patient list (a patient was added)
    security: bool = False  # PIN or other security settings
    programme: bool = False  # the open visit's home-exercise programme

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            **{name: getattr(self, name) or getattr(other, name) for name in _FIELDS}
        )

    @property
    def anything(self) -> bool:
        return any(getattr(self, name) for name in _FIELDS)


_FIELDS = tuple(Changes.__dataclass_fields__)
NOTHING = Changes()


@dataclass(frozen=True)
class OpResult(Generic[T]):
    """The outcome of one operation: its value, or the message saying why not."""

    ok: bool
    value: T | None = None
    error: str = ""  # for the user, in their language; empty when ok
    changes: Changes = NOTHING

    def __bool__(self) -> bool:
        return self.ok


def draft_key(visit_id: str, section: str) -> str:
    """The draft key for one SOAP section of one visit."""
    return f"note:{visit_id}:{section}"


def parse_draft_key(key: str) -> tuple[str, str] | None:
    """(visit id, section) from a note draft key, or None for other drafts."""
    parts = key.split(":")
    if len(parts) == 3 and parts[0] == "note" and parts[2] in SECTIONS:
        return parts[1], parts[2]
    return None


def _one_attempt(method: Callable[..., T]) -> Callable[..., T]:
    """Run an operation (its flush of typed text included) as one write attempt."""

    @functools.wraps(method)
    def wrapper(self: ClinicOps, *args: Any, **kwargs: Any) -> T:
        with self.one_attempt():
            return method(self, *args, **kwargs)

    return wrapper


class ClinicOps(QObject):
    """Holds the open patient and visit; the only way the UI writes the records."""

    changed = Signal(object)  # Changes
    saved = Signal(str)  # local time of the commit, HH:MM:SS
    save_failed = Signal(str)  # a message for the user; their text stays put

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store  # read-only use outside this class (backups, checks)
        # How an error reads: English until the window sets the user's language.
        self.describe: Callable[[BaseException], str] = str
        # An interface string by key, in the user's language (set by the window).
        self.translate: Callable[[str], str] = lambda key: key
        self._patient: Patient | None = None
        self._visit: Visit | None = None
        self._pending: list[Callable[[], bool]] = []
        # Inside one write attempt (a flush, an operation): the busy message once
        # another program's write lock has made one write give up, else None.
        self._busy: str | None = None
        self._attempting = False

    # -- state ----------------------------------------------------------------

    @property
    def patient(self) -> Patient | None:
        return self._patient

    @property
    def visit(self) -> Visit | None:
        return self._visit

    def register_pending(self, flush: Callable[[], bool]) -> None:
        """Something that holds typed, unsaved text: flushed before any switch."""
        self._pending.append(flush)

    def flush_pending(self) -> bool:
        """Save everything typed (Ctrl+S, and before a switch, lock or close)."""
        ok = True
        with self.one_attempt():
            for flush in self._pending:
                ok = flush() and ok
        return ok

    @contextlib.contextmanager
    def one_attempt(self) -> Iterator[None]:
        """Writes in this block are one attempt: the first that finds the file
        write-locked by another program gives up (after the connection's short
        busy timeout), and the rest give up at once with the same message.

        A flush is several statements (a draft and a revision per section);
        each waiting out the busy timeout on the GUI thread added up to several
        frames. Now the whole attempt costs one timeout at most; the typing
        stays in the editor and the autosave retries on its timer.
        """
        if self._attempting:
            yield
            return
        self._attempting = True
        try:
            yield
        finally:
            self._attempting = False
            self._busy = None

    @property
    def write_locked(self) -> bool:
        """True inside an attempt that already found the file locked."""
        return self._busy is not None

    # -- the one way to run an operation ---------------------------------------

    def _run(
        self, work: Callable[[], T], changes: Changes, write: bool = True
    ) -> OpResult[T]:
        if write and self._busy is not None:
            return OpResult(False, error=self._busy)  # already said, once
        try:
            value = work()
        except (StoreError, InvalidInput, OSError) as error:
            message = self.describe(error)
            if isinstance(error, StoreBusy) and self._attempting:
                self._busy = message
            self.save_failed.emit(message)
            return OpResult(False, error=message)
        if write:
            self.saved.emit(datetime.now().strftime("%H:%M:%S"))
        if changes.anything:
            self.changed.emit(changes)
        return OpResult(True, value, changes=changes)

    def _refused(self, key: str) -> OpResult[Any]:
        """No patient or visit open: nothing to do, and the words say why."""
        return OpResult(False, error=self.translate(key))

    def _read(self, work: Callable[[], T], default: T) -> T:
        try:
            return work()
        except StoreError as error:
            self.save_failed.emit(self.describe(error))
            return default

    # -- reads ----------------------------------------------------------------

    def find_patients(self, query: str) -> list[Patient]:
        return self._read(lambda: self.store.find_patients(query), [])

    def visits(self) -> list[Visit]:
        """The open patient's visits, newest first (nobody else's)."""
        patient = self._patient
        if patient is None:
            return []
        return self._read(lambda: self.store.visits_for(patient.id), [])

    def episodes(self) -> list[Episode]:
        """The open patient's episodes of care, newest first."""
        patient = self._patient
        if patient is None:
            return []
        return self._read(lambda: self.store.episodes_for(patient.id), [])

    def current_notes(self) -> dict[str, NoteRevision]:
        visit = self._visit
        if visit is None:
            return {}
        return self._read(lambda: self.store.current_notes(visit.id), {})

    def note_history(self, section: str) -> list[NoteRevision]:
        visit = self._visit
        if visit is None:
            return []
        return self._read(lambda: self.store.note_history(visit.id, section), [])

    def draft_text(self, section: str) -> str | None:
        visit = self._visit
        if visit is None:
            return None
        draft = self._read(
            lambda: self.store.get_draft(draft_key(visit.id, section)), None
        )
        return None if draft is None else draft.payload

    def note_text(self, section: str) -> str:
        """The open visit's current text of one section, typing included."""
        self.flush_pending()
        notes = self.current_notes()
        return notes[section].text if section in notes else ""

    # -- patients -------------------------------------------------------------

    @_one_attempt
    def create_patient(self, **fields: Any) -> OpResult[Patient]:
        """Create a patient and open it."""
        self.flush_pending()
        result = self._run(
            lambda: self.store.create_patient(**fields), Changes(patients=True)
        )
        if result.ok and result.value is not None:
            self.open_patient(result.value.id)
        return result

    @_one_attempt
    def open_patient(self, patient_id: str | None) -> OpResult[Patient | None]:
        """Switch patient; the open visit closes so nothing of the last one lingers."""
        self.flush_pending()

        def work() -> Patient | None:
            patient = self.store.get_patient(patient_id) if patient_id else None
            if patient is not None:
                self._audit_open(patient.id)
            self._visit = None
            self._patient = patient
            return patient

        return self._run(work, Changes(patient=True, visit=True, visits=True), False)

    def _audit_open(self, patient_id: str) -> None:
        # Who looked at which chart is part of the record (ids only); a failed
        # entry is reported but never keeps the chart from opening; nor does
        # another program's write lock, which this attempt has already met.
        if self._busy is not None:
            return
        try:
            self.store.audit(OPEN_PATIENT, patient_id)
        except StoreError as error:
            message = self.describe(error)
            if isinstance(error, StoreBusy) and self._attempting:
                self._busy = message
            self.save_failed.emit(message)

    def set_patient_language(self, language: str) -> OpResult[Patient]:
        """Save the open patient's preferred language."""
        patient = self._patient
        if patient is None:
            return self._refused("visit.needs_patient")

        def work() -> Patient:
            self._patient = self.store.update_patient(
                patient.id, preferred_language=language
            )
            return self._patient

        return self._run(work, Changes(patient=True))

    # -- visits ---------------------------------------------------------------

    @_one_attempt
    def start_visit(self, new_episode: bool = False, **fields: Any) -> OpResult[Visit]:
        """Start a visit for the open patient and open it."""
        patient = self._patient
        if patient is None:
            return self._refused("visit.needs_patient")
        self.flush_pending()

        def work() -> Visit:
            visit = self.store.start_visit(
                patient.id, new_episode=new_episode, **fields
            )
            self._visit = visit
            return visit

        return self._run(work, Changes(visit=True, visits=True, episode=True))

    @_one_attempt
    def open_visit(self, visit_id: str | None) -> OpResult[Visit | None]:
        """Open a visit; another patient's visit opens that patient first."""
        self.flush_pending()
        try:
            visit = self.store.get_visit(visit_id) if visit_id else None
            other = visit is not None and (
                self._patient is None or visit.patient_id != self._patient.id
            )
            if other:
                patient = self.store.get_patient(visit.patient_id)
                if patient is not None:
                    self._audit_open(patient.id)
                self._patient = patient
        except StoreError as error:
            message = self.describe(error)
            self.save_failed.emit(message)
            return OpResult(False, error=message)
        self._visit = visit
        changes = (
            Changes(patient=True, visit=True, visits=True)
            if other
            else Changes(visit=True)
        )
        self.changed.emit(changes)
        return OpResult(True, visit, changes=changes)

    def update_visit(self, **fields: Any) -> OpResult[Visit]:
        """Save changed findings on the open visit."""
        visit = self._visit
        if visit is None:
            return self._refused("visit.none")

        def work() -> Visit:
            self._visit = self.store.update_visit(visit.id, **fields)
            return self._visit

        episode = "onset_date" in fields or "mechanism" in fields
        return self._run(work, Changes(visits=True, episode=episode))

    # -- the open visit's home-exercise programme -----------------------------

    def save_programme(
        self, items: tuple[Prescription, ...]
    ) -> OpResult[ProgrammeRevision]:
        """Save the open visit's programme (a new revision unless unchanged)."""
        visit = self._visit
        if visit is None:
            return self._refused("visit.none")
        return self._run(
            lambda: self.store.save_programme(visit.id, items),
            Changes(visits=True, programme=True),
        )

    def carry_programme_forward(self) -> OpResult[ProgrammeRevision | None]:
        """Keep the patient's last programme for the open visit, unchanged."""
        visit = self._visit
        if visit is None:
            return self._refused("visit.none")
        return self._run(
            lambda: self.store.carry_programme_forward(visit.id),
            Changes(visits=True, programme=True),
        )

    def current_programme(self) -> ProgrammeRevision | None:
        """The open visit's programme, or None (none saved, or no visit open)."""
        visit = self._visit
        if visit is None:
            return None
        return self._read(lambda: self.store.current_programme(visit.id), None)

    def latest_programme(self) -> ProgrammeRevision | None:
        """The open patient's newest programme from any visit (to keep or progress)."""
        patient = self._patient
        if patient is None:
            return None
        return self._read(lambda: self.store.latest_programme(patient.id), None)

    # -- notes ----------------------------------------------------------------

    def save_draft(self, visit_id: str, section: str, text: str) -> OpResult[None]:
        """Keep what is being typed, durably, so a crash loses at most this second."""

        def work() -> None:
            self.store.save_draft(draft_key(visit_id, section), text)

        return self._run(work, NOTHING)

    def commit_note(self, visit_id: str, section: str, text: str) -> OpResult[None]:
        """Append a note revision, then drop the draft it supersedes."""

        def work() -> None:
            self.store.save_note(visit_id, section, text)
            self.store.delete_draft(draft_key(visit_id, section))

        return self._run(work, Changes(notes=True))

    def recover_drafts(self) -> int:
        """Turn drafts left by a crash into note revisions; returns how many."""
        recovered = 0
        for draft in self.store.all_drafts():
            parsed = parse_draft_key(draft.key)
            if parsed is None:
                continue
            visit_id, section = parsed
            if self.store.get_visit(visit_id) is None:
                continue  # keep the draft: never drop typed text silently
            current = self.store.current_notes(visit_id).get(section)
            if current is None or current.text != draft.payload:
                self.store.save_note(visit_id, section, draft.payload)
                recovered += 1
            self.store.delete_draft(draft.key)
        return recovered

    # -- records as a whole ---------------------------------------------------

    def export_patient(self, folder: Path) -> OpResult[tuple[Path, Path]]:
        """The open patient's record as JSON and CSV in folder."""
        patient = self._patient
        if patient is None:
            return self._refused("visit.needs_patient")
        self.flush_pending()
        return self._run(
            lambda: self.store.export_patient(patient.id, folder), NOTHING, False
        )

    def set_security_setting(self, name: str, value: str) -> OpResult[None]:
        return self._run(
            lambda: self.store.set_security_setting(name, value),
            Changes(security=True),
        )

    def audit(self, event: str, record_id: str = "") -> None:
        """Log a security event; a busy disk never blocks the clinician."""
        with contextlib.suppress(StoreError):
            self.store.audit(event, record_id)

    # -- the clinic server (issue 18) -------------------------------------------

    def records_arrived(self) -> None:
        """Other rooms' rows were applied: re-read what is open, redraw all."""
        patient, visit = self._patient, self._visit
        if patient is not None:
            self._patient = self._read(
                lambda: self.store.get_patient(patient.id), patient
            )
        if visit is not None:
            self._visit = self._read(lambda: self.store.get_visit(visit.id), visit)
        self.changed.emit(EVERYTHING)

    def resolve_conflict(self, conflict: Any, pick: Any) -> OpResult[str]:
        """Keep `pick` of a conflict's versions; the choice replicates to all rooms."""
        store = self.store

        def work() -> str:
            revision = store.resolve_conflict(conflict, pick)
            if self._visit is not None:
                self._visit = store.get_visit(self._visit.id)
            if self._patient is not None:
                self._patient = store.get_patient(self._patient.id)
            return revision

        return self._run(work, EVERYTHING)

    def change_chart_number(
        self, patient_id: str, chart_number: str
    ) -> OpResult[Patient]:
        """Give a patient a new chart number (two rooms registered one number twice)."""
        store = self.store

        def work() -> Patient:
            patient = store.update_patient(patient_id, chart_number=chart_number)
            if self._patient is not None and self._patient.id == patient_id:
                self._patient = patient
            return patient

        return self._run(work, Changes(patient=True, patients=True))


EVERYTHING = Changes(
    patient=True,
    visits=True,
    notes=True,
    episode=True,
    patients=True,
    programme=True,
)
