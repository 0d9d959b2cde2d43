"""Search across every patient's notes (clinician only); Enter opens the visit."""

from __future__ import annotations

import re
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from companion.core.i18n import Strings
from companion.store import StoreError
from companion.store.search import SearchCancelled, SearchHit, SearchJob
from companion.ui.background_call import run_in_background
from companion.ui.error_text import error_text
from companion.ui.ops import ClinicOps

SEARCH_DELAY_MS = 150  # search as the clinician types, not on every keystroke


class NotesSearchDialog(QDialog):
    """A query box and the matching notes, newest visits first."""

    def __init__(self, session: ClinicOps, strings: Strings, parent=None):
        super().__init__(parent)
        self.setObjectName("notesSearch")
        self.session = session
        self.strings = strings
        self.setWindowTitle(strings.t("search.title"))
        self.query = QLineEdit(objectName="notesQuery", clearButtonEnabled=True)
        self.query.setPlaceholderText(strings.t("search.hint"))
        self.results = QListWidget(objectName="notesResults")
        self.results.setWordWrap(True)
        self.count = QLabel(objectName="notesCount")
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.count)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _text: self._timer.start())
        self.query.returnPressed.connect(self.open_current)
        self.results.itemActivated.connect(lambda _item: self.open_current())
        self.resize(640, 480)
        self._generation = 0  # the query whose results may still show
        self._job: SearchJob | None = None
        self._open_when_shown = False  # Enter was pressed while searching

    def run_search(self) -> None:
        """Search for the query on a worker; only the newest query's hits show.

        The search runs on a read-only connection of its own (a 1 MB note or
        a busy file must not freeze the window). Each new query cancels the one
        before it, and results that arrive for an older query are dropped.
        """
        self._generation += 1
        generation = self._generation
        self._open_when_shown = False
        if self._job is not None:
            self._job.cancel()
            self._job = None
        store = self.session.store
        text = self.query.text()
        if store.closed or not text.strip():  # closed: the window went meanwhile
            self._show(generation, [])
            return
        job = SearchJob(store.path, store.key, text)
        self._job = job
        run_in_background(
            job.run,
            lambda hits: self._show(generation, hits),
            lambda error: self._failed(generation, error),
            expected=(StoreError, SearchCancelled),
            name="notes-search",
        )

    @property
    def searching(self) -> bool:
        """True while a search's results are still to come."""
        return self._job is not None

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation or isinstance(error, SearchCancelled):
            return
        self._job = None
        # Busy or damaged: say so where the count goes; the query stays.
        self.count.setText(error_text(error, self.strings))

    def _show(self, generation: int, hits: list[SearchHit]) -> None:
        if generation != self._generation:
            return  # typed on since: a newer search is coming
        self._job = None
        self.results.clear()
        if self.session.store.closed:
            return
        try:
            found = [
                (
                    hit,
                    self.session.store.get_patient(hit.patient_id),
                    self.session.store.get_visit(hit.visit_id),
                )
                for hit in hits
            ]
        except StoreError as error:
            self.count.setText(error_text(error, self.strings))
            return
        for hit, patient, visit in found:
            who = patient.label if patient else "?"
            when = visit.visit_date.isoformat() if visit else ""
            snippet = re.sub(r"\s+", " ", hit.snippet)
            item = QListWidgetItem(f"{who} · {when} · {hit.section}: {snippet}")
            item.setData(Qt.ItemDataRole.UserRole, hit.visit_id)
            item.setToolTip(escape(snippet))
            self.results.addItem(item)
        self.count.setText(self.strings.t("search.count", count=len(hits)))
        if hits:
            self.results.setCurrentRow(0)
        if self._open_when_shown:
            self._open_when_shown = False
            if hits:
                self.open_current()

    def done(self, result: int) -> None:
        """Closing cancels a search still running."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self._generation += 1
        super().done(result)

    def open_current(self) -> None:
        """Open the chosen hit; pressed before the results came, open the first."""
        if self._timer.isActive() or (self.results.count() == 0 and not self.searching):
            self._timer.stop()
            self.run_search()
        if self.searching:
            self._open_when_shown = True
            return
        item = self.results.currentItem()
        if item is not None:
            self.session.open_visit(item.data(Qt.ItemDataRole.UserRole))
            self.accept()
