"""Read the diagrams' small SVG subset into QGraphicsItems keyed by domain code."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
)

INTERACTIVE_KINDS = frozenset({"vertebra", "muscle", "region"})
CODE_ROLE = 0  # item.data(CODE_ROLE) is the domain code of interactive items
NAME_ROLE = 1  # item.data(NAME_ROLE) is the human-readable, translated name
_INHERITED = (
    "fill",
    "stroke",
    "stroke-width",
    "fill-opacity",
    "font-size",
    "font-family",
    "text-anchor",
)
_TOKEN = re.compile(r"[MLHVCQZmlhvcqz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class SvgSubsetError(ValueError):
    """The file uses SVG outside the subset our diagrams are written in."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_path_data(d: str) -> QPainterPath:
    """Turn path data with absolute M L H V C Q Z commands into a QPainterPath."""
    tokens = _TOKEN.findall(d)
    path = QPainterPath()
    i, cmd = 0, ""
    x = y = 0.0
    start = QPointF()

    def nums(count: int) -> list[float]:
        nonlocal i
        values = [float(t) for t in tokens[i : i + count]]
        if len(values) != count or any(t.isalpha() for t in tokens[i : i + count]):
            raise SvgSubsetError(f"path command {cmd!r} needs {count} numbers: {d!r}")
        i += count
        return values

    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd.islower() and cmd != "z":
                raise SvgSubsetError(f"relative path command {cmd!r} is not supported")
        elif not cmd:
            raise SvgSubsetError(f"path data must start with a command: {d!r}")
        if cmd == "M":
            x, y = nums(2)
            path.moveTo(x, y)
            start = QPointF(x, y)
            cmd = "L"  # extra pairs after M are implicit line-tos
        elif cmd == "L":
            x, y = nums(2)
            path.lineTo(x, y)
        elif cmd == "H":
            (x,) = nums(1)
            path.lineTo(x, y)
        elif cmd == "V":
            (y,) = nums(1)
            path.lineTo(x, y)
        elif cmd == "C":
            x1, y1, x2, y2, x, y = nums(6)
            path.cubicTo(x1, y1, x2, y2, x, y)
        elif cmd == "Q":
            x1, y1, x, y = nums(4)
            path.quadTo(x1, y1, x, y)
        elif cmd in "Zz":
            path.closeSubpath()
            x, y = start.x(), start.y()
            cmd = ""
        else:
            raise SvgSubsetError(f"unsupported path command {cmd!r}")
    return path


def _points(text: str) -> list[QPointF]:
    values = [float(v) for v in re.split(r"[\s,]+", text.strip()) if v]
    return [QPointF(values[k], values[k + 1]) for k in range(0, len(values) - 1, 2)]


def _num(attrs: dict[str, str], key: str, default: float = 0.0) -> float:
    return float(attrs.get(key, default))


def shape_path(tag: str, attrs: dict[str, str]) -> QPainterPath:
    """The outline of one basic shape element, in diagram coordinates."""
    path = QPainterPath()
    if tag == "path":
        return parse_path_data(attrs.get("d", ""))
    if tag == "rect":
        rect = QRectF(
            _num(attrs, "x"),
            _num(attrs, "y"),
            _num(attrs, "width"),
            _num(attrs, "height"),
        )
        rx = _num(attrs, "rx", _num(attrs, "ry"))
        ry = _num(attrs, "ry", rx)
        if rx or ry:
            path.addRoundedRect(rect, rx, ry)
        else:
            path.addRect(rect)
    elif tag in ("ellipse", "circle"):
        rx = _num(attrs, "r") if tag == "circle" else _num(attrs, "rx")
        ry = _num(attrs, "r") if tag == "circle" else _num(attrs, "ry")
        path.addEllipse(QPointF(_num(attrs, "cx"), _num(attrs, "cy")), rx, ry)
    elif tag in ("polygon", "polyline"):
        pts = _points(attrs.get("points", ""))
        path.addPolygon(QPolygonF(pts))
        if tag == "polygon":
            path.closeSubpath()
    elif tag == "line":
        path.moveTo(_num(attrs, "x1"), _num(attrs, "y1"))
        path.lineTo(_num(attrs, "x2"), _num(attrs, "y2"))
    else:
        raise SvgSubsetError(f"unsupported element <{tag}>")
    return path


def _colour(value: str | None, opacity: float = 1.0) -> QColor | None:
    if value is None or value == "none":
        return None
    colour = QColor(value)
    if not colour.isValid():
        raise SvgSubsetError(f"unknown colour {value!r}")
    colour.setAlphaF(colour.alphaF() * opacity)
    return colour


def style_pen(attrs: dict[str, str]) -> QPen:
    colour = _colour(attrs.get("stroke"))
    if colour is None:
        return QPen(Qt.PenStyle.NoPen)
    pen = QPen(colour, float(attrs.get("stroke-width", 1.0)))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def style_brush(attrs: dict[str, str]) -> QBrush:
    # SVG fills black by default; our art always says what it wants.
    colour = _colour(attrs.get("fill", "black"), float(attrs.get("fill-opacity", 1.0)))
    return QBrush(colour) if colour is not None else QBrush(Qt.BrushStyle.NoBrush)


class DiagramItem(QGraphicsPathItem):
    """One clickable thing on the diagram: a vertebra, a muscle or a region band."""

    def __init__(self, code: str, kind: str, path: QPainterPath) -> None:
        super().__init__(path)
        self.code = code
        self.kind = kind
        self.base_pen = QPen()
        self.base_brush = QBrush()
        self.labels: list[QGraphicsSimpleTextItem] = []
        self._click_point: QPointF | None = None
        self._shape = QPainterPath()
        self._shape_key: float | None = None
        self._hit_shape: QPainterPath | None = None
        self._hit_rect = QRectF()
        self.setData(CODE_ROLE, code)
        self.setData(NAME_ROLE, code)
        self.setAcceptHoverEvents(True)

    def set_base_style(self, pen: QPen, brush: QBrush) -> None:
        self.base_pen, self.base_brush = QPen(pen), QBrush(brush)
        self.setPen(pen)
        self.setBrush(brush)

    def shape(self) -> QPainterPath:
        # Qt asks for the shape on every paint (child clipping) and hit test;
        # stroking a long Bézier outline each time is the slow part, so cache it.
        key = self.pen().widthF() if self.pen().style() != Qt.PenStyle.NoPen else 0.0
        if self._shape_key != key:
            self._shape = super().shape()
            self._shape_key = key
        return self._shape

    def hit_shape(self) -> QPainterPath:
        """The clickable outline in scene coordinates, as drawn in the base style."""
        if self._hit_shape is None:
            path = QPainterPath(self.path())
            stroke = QPainterPathStroker()
            stroke.setWidth(max(self.base_pen.widthF(), 0.0))
            if self.base_pen.style() != Qt.PenStyle.NoPen:
                path = path.united(stroke.createStroke(self.path()))
            self._hit_shape = self.mapToScene(path)
            self._hit_rect = self._hit_shape.boundingRect()
        return self._hit_shape

    def hit_rect(self) -> QRectF:
        self.hit_shape()
        return QRectF(self._hit_rect)


@dataclass
class Diagram:
    """A parsed diagram: its scene, its interactive items and a few layout hints."""

    scene: QGraphicsScene
    items: dict[str, DiagramItem] = field(default_factory=dict)
    spine_x: float = 0.0
    label_left: float = 0.0
    label_right: float = 0.0
    # The art and its static text: what "fit to window" shows, fixed per view.
    content_rect: QRectF = field(default_factory=QRectF)


def refresh_content_rect(diagram: Diagram) -> None:
    """Measure the art and its text again (after labels change length)."""
    scene = diagram.scene
    bounds = scene.sceneRect().united(scene.itemsBoundingRect())
    diagram.content_rect = bounds.adjusted(-8, -8, 8, 8)


def _make_inert(item: QGraphicsItem) -> None:
    # Decoration must never take a click or hover away from the anatomy below.
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    item.setAcceptHoverEvents(False)


def _text_item(
    element: ET.Element, attrs: dict[str, str], parent: QGraphicsItem | None
) -> QGraphicsSimpleTextItem:
    item = QGraphicsSimpleTextItem(element.text or "", parent)
    font = QFont(attrs.get("font-family", "DejaVu Sans"))
    font.setPixelSize(max(1, round(float(attrs.get("font-size", 12)))))
    item.setFont(font)
    item.setBrush(style_brush({"fill": attrs.get("fill", "black")}))
    place_text(item, float(attrs.get("x", 0)), float(attrs.get("y", 0)),
               attrs.get("text-anchor", "start"))  # fmt: skip
    _make_inert(item)
    return item


def place_text(item: QGraphicsSimpleTextItem, x: float, y: float, anchor: str) -> None:
    """Position a text item the way SVG does: y is the baseline, x per text-anchor."""
    metrics = QFontMetricsF(item.font())
    width = metrics.horizontalAdvance(item.text())
    shift = {"middle": width / 2, "end": width}.get(anchor, 0.0)
    item.setData(2, (x, y, anchor))  # remembered so a renamed label can re-anchor
    pos = QPointF(x - shift, y - metrics.ascent())
    parent = item.parentItem()
    item.setPos(parent.mapFromScene(pos) if parent is not None else pos)


def _walk(
    element: ET.Element, inherited: dict[str, str]
) -> Iterator[tuple[ET.Element, dict[str, str]]]:
    for child in element:
        attrs = {k: v for k, v in inherited.items() if k in _INHERITED}
        attrs.update(child.attrib)
        yield child, attrs


def _style_shape(item: QGraphicsPathItem, attrs: dict[str, str], closed: bool) -> None:
    item.setPen(style_pen(attrs))
    item.setBrush(style_brush(attrs) if closed else QBrush(Qt.BrushStyle.NoBrush))
    if "opacity" in attrs:
        item.setOpacity(float(attrs["opacity"]))


def _is_open(tag: str, attrs: dict[str, str]) -> bool:
    return tag in ("line", "polyline") or attrs.get("fill") == "none"


def load_diagram(svg_path: Path) -> Diagram:
    """Parse one of our diagram files into a fresh scene."""
    root = ET.parse(svg_path).getroot()
    if _local(root.tag) != "svg":
        raise SvgSubsetError(f"{svg_path} is not an SVG file")
    scene = QGraphicsScene()
    box = [float(v) for v in root.get("viewBox", "0 0 100 100").split()]
    scene.setSceneRect(QRectF(*box))
    diagram = Diagram(
        scene,
        spine_x=float(root.get("data-spine-x", box[2] / 2)),
        label_left=float(root.get("data-label-left", box[0])),
        label_right=float(root.get("data-label-right", box[0] + box[2])),
    )
    z = [0.0]

    def next_z() -> float:
        z[0] += 1.0
        return z[0]

    def add_decor(
        element: ET.Element, attrs: dict[str, str], parent: QGraphicsItem | None
    ) -> QGraphicsItem | None:
        tag = _local(element.tag)
        if tag == "g":
            for child, child_attrs in _walk(element, attrs):
                add_decor(child, child_attrs, parent)
            return None
        if tag == "text":
            item: QGraphicsItem = _text_item(element, attrs, parent)
        else:
            item = QGraphicsPathItem(shape_path(tag, attrs), parent)
            _style_shape(item, attrs, not _is_open(tag, attrs))
            _make_inert(item)
        if parent is None:
            scene.addItem(item)
        item.setZValue(next_z())
        return item

    def add_interactive(element: ET.Element, attrs: dict[str, str], kind: str) -> None:
        code = element.get("id", "")
        if code in diagram.items:
            raise SvgSubsetError(f"duplicate id {code!r} in {svg_path.name}")
        tag = _local(element.tag)
        members = [(element, attrs)] if tag != "g" else list(_walk(element, attrs))
        shapes = [
            (child, child_attrs)
            for child, child_attrs in members
            if _local(child.tag) not in ("text", "g")
            and child_attrs.get("class", "") != "decor"
        ]
        if not shapes:
            raise SvgSubsetError(f"{code!r} has no shape to click")
        outline = QPainterPath()
        outline.setFillRule(Qt.FillRule.WindingFill)
        for child, child_attrs in shapes:
            outline = outline.united(shape_path(_local(child.tag), child_attrs))
        item = DiagramItem(code, kind, outline.simplified())
        first_attrs = shapes[0][1]
        item.set_base_style(style_pen(first_attrs), style_brush(first_attrs))
        if kind != "region":
            # Fibre and detail strokes must not spill past the muscle or bone.
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        scene.addItem(item)
        item.setZValue(next_z())
        for child, child_attrs in members:
            if (child, child_attrs) in shapes or child is element:
                continue
            added = add_decor(child, child_attrs, item)
            is_label = child_attrs.get("class") == "label"
            if isinstance(added, QGraphicsSimpleTextItem) and is_label:
                item.labels.append(added)
        diagram.items[code] = item

    for element, attrs in _walk(root, dict(root.attrib)):
        kind = element.get("class", "")
        if kind in INTERACTIVE_KINDS and element.get("id"):
            add_interactive(element, attrs, kind)
        else:
            add_decor(element, attrs, None)
    refresh_content_rect(diagram)
    return diagram


def code_of(item: QGraphicsItem | None) -> str | None:
    """The domain code an item stands for, looking up through its parents."""
    while item is not None:
        code = item.data(CODE_ROLE)
        if code:
            return str(code)
        item = item.parentItem()
    return None


def interactive_items(scene: QGraphicsScene) -> list[DiagramItem]:
    """The scene's interactive items, topmost first."""
    items = [i for i in scene.items() if isinstance(i, DiagramItem)]
    items.sort(key=lambda i: i.zValue(), reverse=True)
    return items


def code_at(
    scene: QGraphicsScene, point: QPointF, items: list[DiagramItem] | None = None
) -> str | None:
    """The code of the topmost interactive item at a scene point, if any."""
    for item in items if items is not None else interactive_items(scene):
        visible = item.isVisible() and item.hit_rect().contains(point)
        if visible and item.hit_shape().contains(point):
            return item.code
    return None


def click_point(item: QGraphicsItem, grid: int = 20) -> QPointF:
    """A scene point well inside item's shape where a click reaches that item.

    It is the sampled point farthest from anything that is not this item (its
    edges, or a higher interactive item covering it), so a click that lands a
    pixel off still hits the same thing.
    """
    cached = getattr(item, "_click_point", None)
    if cached is not None:
        return QPointF(cached)
    scene = item.scene()
    code = code_of(item)
    rect = (
        item.hit_rect() if isinstance(item, DiagramItem) else item.sceneBoundingRect()
    )
    if scene is None or code is None or rect.isEmpty():
        return rect.center()
    items = interactive_items(scene)
    best = _most_inside(items, code, rect, grid)
    if best is None:
        return rect.center()
    # Refine around the coarse winner so thin or crowded shapes get a good spot.
    cell_w, cell_h = rect.width() / grid, rect.height() / grid
    window = QRectF(
        best.x() - 2 * cell_w, best.y() - 2 * cell_h, 4 * cell_w, 4 * cell_h
    )
    fine = _most_inside(items, code, window, 16)
    point = fine if fine is not None else best
    if isinstance(item, DiagramItem):
        item._click_point = QPointF(point)
    return point


def _most_inside(
    items: list[DiagramItem], code: str, rect: QRectF, grid: int
) -> QPointF | None:
    """The grid sample in rect farthest from any sample that hits something else."""
    sx, sy = rect.width() / grid, rect.height() / grid
    scene = items[0].scene()
    size = grid + 2  # a ring of outside samples makes the rect's edge count as "other"
    inf = float("inf")
    dist = [[0.0] * size for _ in range(size)]
    # Only items reaching into rect can be hit by its samples; testing just those
    # gives the same answers as testing all of them, many times faster.
    reach = rect.adjusted(-1.0, -1.0, 1.0, 1.0)
    items = [i for i in items if i.isVisible() and i.hit_rect().intersects(reach)]
    for j in range(size):
        for i in range(size):
            if 0 < i < size - 1 and 0 < j < size - 1:
                point = QPointF(
                    rect.left() + (i - 0.5) * sx, rect.top() + (j - 0.5) * sy
                )
                if code_at(scene, point, items) == code:
                    dist[j][i] = inf
    # Two-pass chamfer distance transform: distance to the nearest "other" sample.
    diag = math.hypot(sx, sy)
    forward = ((-1, 0, sx), (0, -1, sy), (-1, -1, diag), (1, -1, diag))
    backward = ((1, 0, sx), (0, 1, sy), (1, 1, diag), (-1, 1, diag))
    for offsets, rows, cols in (
        (forward, range(size), range(size)),
        (backward, range(size - 1, -1, -1), range(size - 1, -1, -1)),
    ):
        for j in rows:
            for i in cols:
                if dist[j][i] == 0.0:
                    continue
                for di, dj, cost in offsets:
                    ni, nj = i + di, j + dj
                    if 0 <= ni < size and 0 <= nj < size:
                        dist[j][i] = min(dist[j][i], dist[nj][ni] + cost)
    centre = rect.center()
    best, best_key = None, (0.0, 0.0)
    for j in range(1, size - 1):
        for i in range(1, size - 1):
            if dist[j][i] > 0.0:
                x, y = rect.left() + (i - 0.5) * sx, rect.top() + (j - 0.5) * sy
                key = (dist[j][i], -math.hypot(x - centre.x(), y - centre.y()))
                if best is None or key > best_key:
                    best, best_key = QPointF(x, y), key
    return best
