"""An exercise's key frames, drawn from their SVGs as large as the space allows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSizePolicy, QWidget

from companion.ui.palette import RULE

FRAME_ASPECT = 480 / 340  # width / height of every frame the tools script draws
GAP = 12


def frame_grid(count: int, width: float, height: float) -> tuple[int, int]:
    """(columns, rows) that make count frames of FRAME_ASPECT largest in the area."""
    best, best_size = (1, max(count, 1)), 0.0
    for columns in range(1, max(count, 1) + 1):
        rows = -(-count // columns)
        cell_w = (width - GAP * (columns - 1)) / columns
        cell_h = (height - GAP * (rows - 1)) / rows
        frame_w = min(cell_w, cell_h * FRAME_ASPECT)
        if frame_w > best_size:
            best, best_size = (columns, rows), frame_w
    return best


class ExerciseFrames(QWidget):
    """Start, end (and movement) frames of one exercise, in reading order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseFrames")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._renderers: list[QSvgRenderer] = []

    def set_frames(self, paths: Sequence[Path]) -> None:
        self._renderers = [QSvgRenderer(str(p), self) for p in paths]
        self.update()

    def frame_count(self) -> int:
        return len(self._renderers)

    def sizeHint(self) -> QSize:
        return QSize(480, 340)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._renderers:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        columns, rows = frame_grid(len(self._renderers), self.width(), self.height())
        cell_w = (self.width() - GAP * (columns - 1)) / columns
        cell_h = (self.height() - GAP * (rows - 1)) / rows
        frame_w = min(cell_w, cell_h * FRAME_ASPECT)
        frame_h = frame_w / FRAME_ASPECT
        painter.setPen(QPen(QColor(RULE), 1.5))
        for index, renderer in enumerate(self._renderers):
            column, row = index % columns, index // columns
            x = column * (cell_w + GAP) + (cell_w - frame_w) / 2
            y = row * (cell_h + GAP)
            target = QRectF(x, y, frame_w, frame_h)
            painter.drawRoundedRect(target, 8, 8)
            renderer.render(painter, target)
        painter.end()
