"""A small dermatome map that lights the skin area of one nerve root."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsView, QSizePolicy, QWidget

from companion.core.content import SCREENED_ROOTS
from companion.ui.svg_scene import Diagram, parse_diagram

SVG = Path(__file__).resolve().parents[2] / "assets" / "diagrams" / "dermatomes.svg"
DIM = QColor(200, 200, 200, 90)  # the other roots: there, but quiet
LIT_PEN = QPen(QColor("#1f1f1f"), 2.0)


def load_dermatomes(path: Path = SVG) -> Diagram:
    """The map as a scene, one item per root (keyed "C5" … "S1")."""
    # svg_scene turns only its interactive kinds into items with an id; read
    # the dermatome groups as one of them so each root can be lit alone.
    data = path.read_bytes().replace(b'class="dermatome"', b'class="region"')
    return parse_diagram(data, path.name)


def has_dermatome(code: str | None) -> bool:
    """True for a level whose root the map shows (C5–T1, L2–S1)."""
    return code in SCREENED_ROOTS


class DermatomeView(QGraphicsView):
    """Front and back views of the body with the chosen root's dermatome lit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dermatomeView")
        self.diagram = load_dermatomes()
        self.setScene(self.diagram.scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setInteractive(False)  # a picture: the panel's text says the rest
        self.setFixedHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.lit: str | None = None
        self._z = {code: item.zValue() for code, item in self.diagram.items.items()}
        self.show_root(None)

    def show_root(self, root: str | None) -> None:
        """Light one root's dermatome (None: none lit)."""
        self.lit = root if root in self.diagram.items else None
        for code, item in self.diagram.items.items():
            if code == self.lit:
                item.setPen(LIT_PEN)
                item.setBrush(item.base_brush)
                item.setZValue(max(self._z.values()) + 1)  # over its neighbours
            else:
                item.setPen(QPen(Qt.PenStyle.NoPen))
                item.setBrush(QBrush(DIM))
                item.setZValue(self._z[code])
        self.setToolTip(root or "")
        self.setAccessibleName(root or "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fitInView(self.diagram.content_rect, Qt.AspectRatioMode.KeepAspectRatio)
