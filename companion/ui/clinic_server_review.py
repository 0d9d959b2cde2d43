"""Two versions — review: both versions side by side, and a pick that replicates."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from companion.store.replication import Conflict, Version
    from companion.ui.app_context import AppContext


def version_text(conflict: Conflict, version: Version) -> str:
    """What a version says, as plain text for reading side by side."""
    content: dict[str, Any] = version.content
    if conflict.kind == "note":
        return str(content["text"])
    if conflict.kind == "programme":
        return json.dumps(content["items"], indent=1, ensure_ascii=False)
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
        self.sides = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("review_message")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.items)
        layout.addLayout(self.sides)
        layout.addWidget(self.message)
        self.keep_buttons: list[QPushButton] = []
        self.texts: list[QPlainTextEdit] = []
        self.reload()

    def reload(self) -> None:
        """Read the conflicts afresh (after a pick, or rows from other rooms)."""
        from companion.store import replication

        self.conflicts = replication.conflicts(self.ctx.ops.store.conn)
        self.items.clear()
        for conflict in self.conflicts:
            self.items.addItem(self._title(conflict))
        if self.conflicts:
            self.items.setCurrentRow(0)
        else:
            self._clear_sides()
            self.message.setText(self.ctx.t("clinic_server.review_none"))

    def _title(self, conflict: Conflict) -> str:
        if conflict.kind == "note":
            return self.ctx.t("clinic_server.kind_note", section=conflict.section)
        return self.ctx.t(f"clinic_server.kind_{conflict.kind}")

    def _clear_sides(self) -> None:
        while self.sides.count():
            widget = self.sides.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.keep_buttons, self.texts = [], []

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
            keep = QPushButton(self.ctx.t("clinic_server.keep"))
            keep.clicked.connect(
                lambda _checked=False, c=conflict, v=version: self.keep(c, v)
            )
            box.addWidget(keep)
            self.texts.append(text)
            self.keep_buttons.append(keep)
            self.sides.addWidget(column)

    def keep(self, conflict: Conflict, version: Version) -> None:
        """Keep this version: one new revision supersedes both, and replicates."""
        result = self.ctx.ops.resolve_conflict(conflict, version)
        if result.ok:
            self.reload()
            self.message.setText(self.ctx.t("clinic_server.kept"))
        else:
            self.message.setText(result.error)
