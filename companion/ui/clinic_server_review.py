"""Two versions — review: both versions side by side, and a pick that replicates."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from companion.store.replication import Conflict, Version
    from companion.ui.app_context import AppContext


_PATIENT_ORDER = (
    "chart_number",
    "initials",
    "display_name",
    "preferred_language",
    "visits",
    "last_visit",
    "created",
    "id",
)


def version_text(conflict: Conflict, version: Version) -> str:
    """What a version says, as plain text for reading side by side."""
    content: dict[str, Any] = version.content
    if conflict.kind == "note":
        return str(content["text"])
    if conflict.kind == "programme":
        return json.dumps(content["items"], indent=1, ensure_ascii=False)
    if conflict.kind == "chart_number":
        # Who each one is first; the ids (long) last.
        names = [n for n in _PATIENT_ORDER if n in content]
        return "\n".join(f"{name}: {content[name]}" for name in names)
    return "\n".join(f"{name}: {value}" for name, value in sorted(content.items()))


class ReviewDialog(QDialog):
    """The list of conflicts; the chosen one's versions in columns with a pick each."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx.parent_widget)
        self.ctx = ctx
        self.setWindowTitle(ctx.t("clinic_server.review_title"))
        self.intro = QLabel(ctx.t("clinic_server.review_intro"))
        self.intro.setWordWrap(True)
        self.items = QListWidget()
        self.items.currentRowChanged.connect(self._show)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setVisible(False)
        self.sides = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("review_message")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.items)
        layout.addWidget(self.hint)
        layout.addLayout(self.sides)
        layout.addWidget(self.message)
        self.keep_buttons: list[QPushButton] = []
        self.texts: list[QPlainTextEdit] = []
        # For two patients sharing a chart number: a new number for either.
        self.chart_edits: list[QLineEdit] = []
        self.renumber_buttons: list[QPushButton] = []
        self.reload()
        self.resize(760, 560)  # two versions side by side, lines unwrapped

    def reload(self) -> None:
        """Read the conflicts afresh (after a pick, or rows from other rooms)."""

        self.conflicts = self.ctx.ops.store.conflicts()
        self.items.clear()
        for conflict in self.conflicts:
            self.items.addItem(self._title(conflict))
        if self.conflicts:
            self.items.setCurrentRow(0)
        else:
            self._clear_sides()
            self.message.setText(self.ctx.t("clinic_server.review_none"))

    def _title(self, conflict: Conflict) -> str:
        if conflict.kind == "chart_number":
            return self.ctx.t("clinic_server.kind_chart", chart=conflict.record_id)
        if conflict.kind == "note":
            return self.ctx.t("clinic_server.kind_note", section=conflict.section)
        return self.ctx.t(f"clinic_server.kind_{conflict.kind}")

    def _clear_sides(self) -> None:
        while self.sides.count():
            widget = self.sides.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.hint.setVisible(False)
        self.keep_buttons, self.texts = [], []
        self.chart_edits, self.renumber_buttons = [], []

    def _show(self, row: int) -> None:
        self._clear_sides()
        if not 0 <= row < len(self.conflicts):
            return
        conflict = self.conflicts[row]
        for version in conflict.versions:
            column = QWidget()
            box = QVBoxLayout(column)
            when = version.created[:16].replace("T", " ")
            box.addWidget(
                QLabel(
                    self.ctx.t(
                        "clinic_server.version_from",
                        when=when,
                        room=version.room_id[:6],
                    )
                )
            )
            text = QPlainTextEdit(version_text(conflict, version))
            text.setReadOnly(True)
            box.addWidget(text)
            self.texts.append(text)
            if conflict.kind == "chart_number":
                self._add_renumber(box, conflict.record_id, version)
            else:
                keep = QPushButton(self.ctx.t("clinic_server.keep"))
                keep.clicked.connect(
                    lambda _checked=False, c=conflict, v=version: self.keep(c, v)
                )
                box.addWidget(keep)
                self.keep_buttons.append(keep)
            self.sides.addWidget(column)
        if conflict.kind == "chart_number":
            self.hint.setText(self.ctx.t("clinic_server.chart_intro"))
        self.hint.setVisible(conflict.kind == "chart_number")

    def _add_renumber(self, box: QVBoxLayout, clash: str, version: Version) -> None:
        """A new chart number for this patient, and the button that gives it."""
        edit = QLineEdit()
        edit.setPlaceholderText(self.ctx.t("clinic_server.new_chart"))
        button = QPushButton(self.ctx.t("clinic_server.renumber"))
        button.setEnabled(False)
        edit.textChanged.connect(
            lambda text, b=button: b.setEnabled(bool(text.strip()))
        )
        button.clicked.connect(
            lambda _checked=False, e=edit, v=version: self.renumber(clash, v, e.text())
        )
        edit.returnPressed.connect(button.click)
        box.addWidget(edit)
        box.addWidget(button)
        self.chart_edits.append(edit)
        self.renumber_buttons.append(button)

    def renumber(self, clash: str, version: Version, chart_number: str) -> None:
        """Give this patient a new chart number: an edit that replicates."""
        chart = chart_number.strip()
        if chart.casefold() == clash.casefold():
            self.message.setText(self.ctx.t("clinic_server.same_chart", chart=clash))
            return
        result = self.ctx.ops.change_chart_number(version.revision_id, chart)
        if result.ok:
            self.reload()
            self.message.setText(self.ctx.t("clinic_server.renumbered", chart=chart))
        else:
            self.message.setText(result.error)

    def keep(self, conflict: Conflict, version: Version) -> None:
        """Keep this version: one new revision supersedes both, and replicates."""
        result = self.ctx.ops.resolve_conflict(conflict, version)
        if result.ok:
            self.reload()
            self.message.setText(self.ctx.t("clinic_server.kept"))
        else:
            self.message.setText(result.error)
