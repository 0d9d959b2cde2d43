"""Autosave for the SOAP boxes: a durable draft within a second, revisions on pauses."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QPlainTextEdit

from companion.ui.ops import ClinicOps

DRAFT_DELAY_MS = 500  # a crash loses at most about this much typing
REVISION_PAUSE_MS = 5000  # a pause this long turns the typing into a note revision


class NoteAutosave(QObject):
    """Watches the SOAP editors of one visit and saves what is typed, never less."""

    def __init__(self, session: ClinicOps, editors: dict[str, QPlainTextEdit]):
        super().__init__()
        self._session = session
        self._editors = editors
        self._visit_id: str | None = None
        self._committed: dict[str, str] = {}
        self._drafted: dict[str, str] = {}
        self._loading = False
        self.draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self.draft_timer.timeout.connect(self.save_drafts)
        self.commit_timer = QTimer(self, singleShot=True, interval=REVISION_PAUSE_MS)
        self.commit_timer.timeout.connect(self.commit)
        for editor in editors.values():
            editor.textChanged.connect(self._on_text_changed)
            editor.installEventFilter(self)

    def load(self, visit_id: str | None) -> None:
        """Show a visit's notes (or nothing); what was typed before is flushed first."""
        self.flush()
        self._visit_id = visit_id
        notes = self._session.current_notes() if visit_id else {}
        self._loading = True
        try:
            for section, editor in self._editors.items():
                committed = notes[section].text if section in notes else ""
                self._committed[section] = committed
                draft = self._session.draft_text(section) if visit_id else None
                self._drafted[section] = committed if draft is None else draft
                editor.setPlainText(self._drafted[section])
                editor.setEnabled(visit_id is not None)
        finally:
            self._loading = False

    def dirty_sections(self) -> list[str]:
        """Sections whose text on screen is not yet a committed revision."""
        return [
            s
            for s, editor in self._editors.items()
            if self._visit_id and editor.toPlainText() != self._committed.get(s, "")
        ]

    def save_drafts(self) -> bool:
        """Write a draft for every section typed since the last draft."""
        if self._visit_id is None:
            return True
        with self._session.one_attempt():
            return self._save_drafts(self._visit_id)

    def _save_drafts(self, visit_id: str) -> bool:
        ok = True
        for section, editor in self._editors.items():
            text = editor.toPlainText()
            if text != self._drafted.get(section):
                if self._session.save_draft(visit_id, section, text):
                    self._drafted[section] = text
                else:
                    ok = False
        return ok

    def commit(self) -> bool:
        """Turn the typed text into note revisions; the drafts then go."""
        if self._visit_id is None:
            return True
        with self._session.one_attempt():
            ok = self._commit(self._visit_id)
        if not ok:
            # The disk may be full or the file locked: keep trying quietly.
            self.commit_timer.start()
        return ok

    def _commit(self, visit_id: str) -> bool:
        ok = True
        for section in self.dirty_sections():
            text = self._editors[section].toPlainText()
            if self._session.commit_note(visit_id, section, text):
                self._committed[section] = text
                self._drafted[section] = text
            else:
                ok = False
        return ok

    def flush(self) -> bool:
        """Save everything now (visit switch, window close, Ctrl+S).

        One write attempt: under another program's write lock the first
        statement gives up after the short busy timeout and the rest at once,
        so the GUI thread waits about one timeout, never one per statement.
        """
        self.draft_timer.stop()
        self.commit_timer.stop()
        with self._session.one_attempt():
            drafted = self.save_drafts()
            return self.commit() and drafted

    def _on_text_changed(self) -> None:
        if self._loading or self._visit_id is None:
            return
        # The draft timer is not restarted by each key: during non-stop typing a
        # draft still lands every half second, so a crash loses at most that.
        if not self.draft_timer.isActive():
            self.draft_timer.start()
        self.commit_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self.dirty_sections():
            self.flush()
        return False
