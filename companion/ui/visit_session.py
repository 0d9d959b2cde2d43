"""The open patient and visit, and every write to them, with saved / failed signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from companion.core.records import SECTIONS, InvalidInput, NoteRevision, Patient, Visit
from companion.store import Store, StoreError
from companion.store.audit import OPEN_PATIENT


def draft_key(visit_id: str, section: str) -> str:
    """The draft key for one SOAP section of one visit."""
    return f"note:{visit_id}:{section}"


def parse_draft_key(key: str) -> tuple[str, str] | None:
    """(visit id, section) from a note draft key, or None for other drafts."""
    parts = key.split(":")
    if len(parts) == 3 and parts[0] == "note" and parts[2] in SECTIONS:
        return parts[1], parts[2]
    return None


class VisitSession(QObject):
    """Widgets ask it to save; it writes one transaction, then says saved or why not."""

    patient_changed = Signal(object)  # Patient | None
    visit_changed = Signal(object)  # Visit | None
    visits_changed = Signal()
    saved = Signal(str)  # local time of the commit, HH:MM:SS
    save_failed = Signal(str)  # a message for the user; their text stays put

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        # How an error reads in save_failed: English until the window that shows
        # the session sets its own (in the language chosen there, see error_text).
        self.describe: Callable[[BaseException], str] = str
        self._patient: Patient | None = None
        self._visit: Visit | None = None

    @property
    def patient(self) -> Patient | None:
        return self._patient

    @property
    def visit(self) -> Visit | None:
        return self._visit

    # -- patients -------------------------------------------------------------

    def find_patients(self, query: str) -> list[Patient]:
        try:
            return self.store.find_patients(query)
        except StoreError as error:
            self.save_failed.emit(self.describe(error))
            return []

    def create_patient(self, **fields: Any) -> Patient:
        """Create and open a patient; InvalidInput / StoreError go to the caller."""
        patient = self.store.create_patient(**fields)
        self._announce_saved()
        self.open_patient(patient.id)
        return patient

    def open_patient(self, patient_id: str | None) -> None:
        """Switch patient; the open visit closes so nothing of the last one lingers."""
        patient = self.store.get_patient(patient_id) if patient_id else None
        if patient is not None:
            self._audit_open(patient.id)
        self._visit = None
        self._patient = patient
        self.patient_changed.emit(patient)
        self.visit_changed.emit(None)
        self.visits_changed.emit()

    def set_patient_language(self, language: str) -> bool:
        """Save the open patient's preferred language; False (and a message) if not."""
        if self._patient is None:
            return False
        try:
            self._patient = self.store.update_patient(
                self._patient.id, preferred_language=language
            )
        except (StoreError, InvalidInput) as error:
            self.save_failed.emit(self.describe(error))
            return False
        self._announce_saved()
        return True

    def _audit_open(self, patient_id: str) -> None:
        # Who looked at which chart is part of the record; ids only, no names.
        try:
            self.store.audit(OPEN_PATIENT, patient_id)
        except StoreError as error:
            self.save_failed.emit(self.describe(error))

    def visits(self) -> list[Visit]:
        if self._patient is None:
            return []
        try:
            return self.store.visits_for(self._patient.id)
        except StoreError as error:
            self.save_failed.emit(self.describe(error))
            return []

    # -- visits ---------------------------------------------------------------

    def start_visit(self, **fields: Any) -> Visit | None:
        """Start a visit for the open patient, or say why it could not be saved."""
        if self._patient is None:
            return None
        try:
            visit = self.store.start_visit(self._patient.id, **fields)
        except (StoreError, InvalidInput) as error:
            self.save_failed.emit(self.describe(error))
            return None
        self._announce_saved()
        self._visit = visit
        self.visits_changed.emit()
        self.visit_changed.emit(visit)
        return visit

    def open_visit(self, visit_id: str | None) -> None:
        visit = self.store.get_visit(visit_id) if visit_id else None
        if visit is not None and (
            self._patient is None or visit.patient_id != self._patient.id
        ):
            # Opening another patient's visit opens that patient first.
            self._patient = self.store.get_patient(visit.patient_id)
            self.patient_changed.emit(self._patient)
            self.visits_changed.emit()
        self._visit = visit
        self.visit_changed.emit(visit)

    def update_visit(self, **fields: Any) -> bool:
        """Save changed findings on the open visit; False (and a message) if not."""
        if self._visit is None:
            return False
        try:
            self._visit = self.store.update_visit(self._visit.id, **fields)
        except (StoreError, InvalidInput) as error:
            self.save_failed.emit(self.describe(error))
            return False
        self._announce_saved()
        self.visits_changed.emit()
        return True

    # -- notes ----------------------------------------------------------------

    def current_notes(self) -> dict[str, NoteRevision]:
        if self._visit is None:
            return {}
        return self.store.current_notes(self._visit.id)

    def note_history(self, section: str) -> list[NoteRevision]:
        if self._visit is None:
            return []
        return self.store.note_history(self._visit.id, section)

    def draft_text(self, section: str) -> str | None:
        if self._visit is None:
            return None
        draft = self.store.get_draft(draft_key(self._visit.id, section))
        return None if draft is None else draft.payload

    def save_draft(self, visit_id: str, section: str, text: str) -> bool:
        """Keep what is being typed, durably, so a crash loses at most this second."""
        try:
            self.store.save_draft(draft_key(visit_id, section), text)
        except (StoreError, InvalidInput) as error:
            self.save_failed.emit(self.describe(error))
            return False
        self._announce_saved()
        return True

    def commit_note(self, visit_id: str, section: str, text: str) -> bool:
        """Append a note revision, then drop the draft it supersedes."""
        try:
            self.store.save_note(visit_id, section, text)
            self.store.delete_draft(draft_key(visit_id, section))
        except (StoreError, InvalidInput) as error:
            self.save_failed.emit(self.describe(error))
            return False
        self._announce_saved()
        return True

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

    def _announce_saved(self) -> None:
        self.saved.emit(datetime.now().strftime("%H:%M:%S"))
