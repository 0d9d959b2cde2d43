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

    def run_search(self) -> None:
        self.results.clear()
        if self.session.store.closed:  # the window closed while a search waited
            return
        text = self.query.text()
        try:
            hits = self.session.store.search_notes(text) if text.strip() else []
            found = [
                (
                    hit,
                    self.session.store.get_patient(hit.patient_id),
                    self.session.store.get_visit(hit.visit_id),
                )
                for hit in hits
            ]
        except StoreError as error:
            # Busy or damaged: say so where the count goes; the query stays.
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

    def open_current(self) -> None:
        self._timer.stop()
        if self.results.count() == 0:
            self.run_search()
            return
        item = self.results.currentItem()
        if item is not None:
            self.session.open_visit(item.data(Qt.ItemDataRole.UserRole))
            self.accept()
