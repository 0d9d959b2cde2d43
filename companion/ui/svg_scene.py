"""Read the diagrams' small SVG subset into QGraphicsItems keyed by domain code."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.parsers import expat

from PySide6.QtCore import (
    QByteArray,
    QDataStream,
    QIODevice,
    QPointF,
    QRectF,
    Qt,
    qVersion,
)
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

from companion.core.file_cache import FileCache

INTERACTIVE_KINDS = frozenset({"vertebra", "muscle", "region"})
CODE_ROLE = 0  # item.data(CODE_ROLE) is the domain code of interactive items
NAME_ROLE = 1  # item.data(NAME_ROLE) is the human-readable, translated name
# The label point of an interactive element, "x,y" in diagram coordinates:
# tools/draw_diagrams.py stores click_point() there, so none is computed at run time.
ANCHOR_ATTR = "data-anchor"
_INHERITED = (
    "fill",
    "stroke",
    "stroke-width",
    "fill-opacity",
    "font-size",
    "font-family",
    "text-anchor",
)
# Every letter is a path command except e/E, which belong to numbers (1e-3).
_TOKEN = re.compile(r"[A-DF-Za-df-z]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "Q": 4, "Z": 0, "z": 0}


class SvgSubsetError(ValueError):
    """The file uses SVG outside the subset our diagrams are written in."""


def parse_path_data(d: str) -> QPainterPath:
    """Turn path data with absolute M L H V C Q Z commands into a QPainterPath."""
    try:
        # Our art spaces every token apart, so str.split() tokenises it ten
        # times faster than the regex; anything it misreads raises a ValueError
        # and takes the regex's way, which also words any error.
        return _path_from_tokens(d.split(), d)
    except ValueError:
        return _path_from_tokens(_TOKEN.findall(d), d)


def _path_from_tokens(tokens: list[str], d: str) -> QPainterPath:
    starts = [k for k, token in enumerate(tokens) if token.isalpha()]
    if tokens and starts[:1] != [0]:
        raise SvgSubsetError(f"path data must start with a command: {d!r}")
    starts.append(len(tokens))
    path = QPainterPath()
    x = y = start_x = start_y = 0.0
    for k in range(len(starts) - 1):
        cmd = tokens[starts[k]]
        arity = _ARITY.get(cmd)
        if arity is None:
            if cmd.islower():
                raise SvgSubsetError(f"relative path command {cmd!r} is not supported")
            raise SvgSubsetError(f"unsupported path command {cmd!r}")
        values = list(map(float, tokens[starts[k] + 1 : starts[k + 1]]))
        n = len(values)
        if arity == 0:
            if n:
                raise SvgSubsetError(f"numbers after {cmd!r} need a command: {d!r}")
            path.closeSubpath()
            x, y = start_x, start_y
            continue
        if not n or n % arity:
            raise SvgSubsetError(f"path command {cmd!r} needs {arity} numbers: {d!r}")
        if cmd == "H":
            for value in values:
                path.lineTo(value, y)
            x = values[-1]
            continue
        if cmd == "V":
            for value in values:
                path.lineTo(x, value)
            y = values[-1]
            continue
        if cmd == "M":
            start_x, start_y = values[0], values[1]
            path.moveTo(start_x, start_y)
            for i in range(2, n, 2):  # extra pairs after M are implicit line-tos
                path.lineTo(values[i], values[i + 1])
        elif cmd == "L":
            for i in range(0, n, 2):
                path.lineTo(values[i], values[i + 1])
        elif cmd == "C":
            for i in range(0, n, 6):
                path.cubicTo(*values[i : i + 6])
        else:  # Q
            for i in range(0, n, 4):
                path.quadTo(*values[i : i + 4])
        x, y = values[-2], values[-1]
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


def solid_brush(colour: QColor) -> QBrush:
    """A solid brush of colour, made without QBrush(colour).

    That constructor's overloads (image, pixmap, gradient) make PySide build the
    Python types of QImage, QPixmap and QGradient with their enums, about 3 ms
    before the first paint, for classes the diagram never uses.
    """
    brush = QBrush()
    brush.setColor(colour)
    brush.setStyle(Qt.BrushStyle.SolidPattern)
    return brush


def style_brush(attrs: dict[str, str]) -> QBrush:
    # SVG fills black by default; our art always says what it wants.
    colour = _colour(attrs.get("fill", "black"), float(attrs.get("fill-opacity", 1.0)))
    return solid_brush(colour) if colour is not None else QBrush()


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
        # Kept, not copied: no pen or brush is ever changed in place (setPen and
        # setBrush take copies), and QBrush(brush) would build QImage's and
        # QGradient's Python types before the first paint.
        self.base_pen, self.base_brush = pen, brush
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


class Diagram:
    """A parsed diagram: its scene, its interactive items and a few layout hints."""

    # A plain class, not a dataclass: defining one costs about half a millisecond,
    # and this module loads before the first paint.
    def __init__(
        self,
        scene: QGraphicsScene,
        spine_x: float = 0.0,
        label_left: float = 0.0,
        label_right: float = 0.0,
    ) -> None:
        self.scene = scene
        self.items: dict[str, DiagramItem] = {}
        self.spine_x = spine_x
        self.label_left = label_left
        self.label_right = label_right
        # The art and its static text: what "fit to window" shows, fixed per view.
        self.content_rect = QRectF()


def refresh_content_rect(diagram: Diagram) -> None:
    """Measure the art and its text again (after labels change length)."""
    scene = diagram.scene
    bounds = scene.sceneRect().united(scene.itemsBoundingRect())
    diagram.content_rect = bounds.adjusted(-8, -8, 8, 8)


def place_text(item: QGraphicsSimpleTextItem, x: float, y: float, anchor: str) -> None:
    """Position a text item the way SVG does: y is the baseline, x per text-anchor."""
    _place_text(item, QFontMetricsF(item.font()), x, y, anchor)


def _place_text(
    item: QGraphicsSimpleTextItem,
    metrics: QFontMetricsF,
    x: float,
    y: float,
    anchor: str,
) -> None:
    width = metrics.horizontalAdvance(item.text())
    shift = {"middle": width / 2, "end": width}.get(anchor, 0.0)
    item.setData(2, (x, y, anchor))  # remembered so a renamed label can re-anchor
    pos = QPointF(x - shift, y - metrics.ascent())
    parent = item.parentItem()
    item.setPos(parent.mapFromScene(pos) if parent is not None else pos)


class _Element:
    """One element of the file: the little of an XML tree the loader needs."""

    __slots__ = ("attrib", "children", "tag", "text")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        self.tag = tag
        self.attrib = attrib
        self.children: list[_Element] = []
        self.text = ""


def _parse_xml(data: bytes, name: str) -> _Element:
    # expat straight away: ElementTree would cost more to import than to use here.
    document = _Element("", {})
    stack = [document]

    def start(tag: str, attrib: dict[str, str]) -> None:
        element = _Element(tag.rsplit(":", 1)[-1], attrib)
        stack[-1].children.append(element)
        stack.append(element)

    def end(_tag: str) -> None:
        stack.pop()

    def text(chunk: str) -> None:
        if stack[-1].tag == "text":
            stack[-1].text += chunk

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise SvgSubsetError(f"{name} is not well-formed XML: {error}") from None
    if len(document.children) != 1 or document.children[0].tag != "svg":
        raise SvgSubsetError(f"{name} is not an SVG file")
    return document.children[0]


def _walk(
    element: _Element, inherited: dict[str, str]
) -> Iterator[tuple[_Element, dict[str, str]]]:
    passed_on = {k: v for k, v in inherited.items() if k in _INHERITED}
    for child in element.children:
        yield child, {**passed_on, **child.attrib}


def _is_open(tag: str, attrs: dict[str, str]) -> bool:
    return tag in ("line", "polyline") or attrs.get("fill") == "none"


def _anchor(value: str, code: str) -> QPointF:
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        raise SvgSubsetError(f"{code!r} has a bad {ANCHOR_ATTR} {value!r}") from None
    return QPointF(x, y)


class _Builder:
    """Turns the parsed elements into scene items, sharing pens, brushes and fonts."""

    def __init__(
        self,
        diagram: Diagram,
        name: str,
        replay: Iterator[QPainterPath] | None,
    ) -> None:
        self.diagram = diagram
        self.scene = diagram.scene
        self.name = name
        self.z = 0.0
        # Every outline made, in order; a warm cache replays them unparsed.
        self.replay = replay
        self.made: list[QPainterPath] = []
        # The art repeats a handful of styles hundreds of times; parse each once.
        self._pens: dict[tuple[str | None, str | None], QPen] = {}
        self._brushes: dict[tuple[str | None, str | None], QBrush] = {}
        self._fonts: dict[tuple[str, int], tuple[QFont, QFontMetricsF]] = {}

    def outline(self, make: Callable[[], QPainterPath]) -> QPainterPath:
        if self.replay is None:
            path = make()
        else:
            path = next(self.replay, None)
            if path is None:
                raise _StaleCache
        self.made.append(path)
        return path

    def next_z(self) -> float:
        self.z += 1.0
        return self.z

    def pen(self, attrs: dict[str, str]) -> QPen:
        key = (attrs.get("stroke"), attrs.get("stroke-width"))
        pen = self._pens.get(key)
        if pen is None:
            pen = self._pens[key] = style_pen(attrs)
        return pen

    def brush(self, attrs: dict[str, str]) -> QBrush:
        key = (attrs.get("fill"), attrs.get("fill-opacity"))
        brush = self._brushes.get(key)
        if brush is None:
            brush = self._brushes[key] = style_brush(attrs)
        return brush

    def font(self, attrs: dict[str, str]) -> tuple[QFont, QFontMetricsF]:
        key = (
            attrs.get("font-family", "DejaVu Sans"),
            max(1, round(float(attrs.get("font-size", 12)))),
        )
        cached = self._fonts.get(key)
        if cached is None:
            font = QFont(key[0])
            font.setPixelSize(key[1])
            cached = self._fonts[key] = (font, QFontMetricsF(font))
        return cached

    def add(self, element: _Element, attrs: dict[str, str]) -> None:
        kind = element.attrib.get("class", "")
        if kind in INTERACTIVE_KINDS and element.attrib.get("id"):
            self.add_interactive(element, attrs, kind)
        else:
            self.add_decor(element, attrs, None)

    def add_decor(
        self, element: _Element, attrs: dict[str, str], parent: QGraphicsItem | None
    ) -> QGraphicsItem | None:
        tag = element.tag
        if tag == "g":
            for child, child_attrs in _walk(element, attrs):
                self.add_decor(child, child_attrs, parent)
            return None
        if tag == "text":
            item: QGraphicsItem = self.text_item(element, attrs, parent)
        else:
            outline = self.outline(lambda: shape_path(tag, attrs))
            shape = QGraphicsPathItem(outline, parent)
            shape.setPen(self.pen(attrs))
            if not _is_open(tag, attrs):
                shape.setBrush(self.brush(attrs))  # a new path item has no brush
            if "opacity" in attrs:
                shape.setOpacity(float(attrs["opacity"]))
            item = shape
        # Decoration must never take a click away from the anatomy below (and
        # takes no hover events: that is the default).
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        if parent is None:
            self.scene.addItem(item)
        item.setZValue(self.next_z())
        return item

    def text_item(
        self, element: _Element, attrs: dict[str, str], parent: QGraphicsItem | None
    ) -> QGraphicsSimpleTextItem:
        item = QGraphicsSimpleTextItem(element.text, parent)
        font, metrics = self.font(attrs)
        item.setFont(font)
        item.setBrush(self.brush({"fill": attrs.get("fill", "black")}))
        x, y = float(attrs.get("x", 0)), float(attrs.get("y", 0))
        _place_text(item, metrics, x, y, attrs.get("text-anchor", "start"))
        return item

    def add_interactive(
        self, element: _Element, attrs: dict[str, str], kind: str
    ) -> None:
        code = element.attrib["id"]
        items = self.diagram.items
        if code in items:
            raise SvgSubsetError(f"duplicate id {code!r} in {self.name}")
        members = [(element, attrs)] if element.tag != "g" else [*_walk(element, attrs)]
        shapes = [
            (child, child_attrs)
            for child, child_attrs in members
            if child.tag not in ("text", "g") and child_attrs.get("class") != "decor"
        ]
        if not shapes:
            raise SvgSubsetError(f"{code!r} has no shape to click")
        item = DiagramItem(code, kind, self.outline(lambda: _outline(shapes)))
        first_attrs = shapes[0][1]
        item.set_base_style(self.pen(first_attrs), self.brush(first_attrs))
        if kind == "muscle":
            # Fibre strokes run to the muscle's edge and must not spill past it.
            # Bones and bands draw their details inside (a test checks), so they
            # skip the clip, which costs a path rasterisation on every paint.
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        anchor = element.attrib.get(ANCHOR_ATTR)
        if anchor is not None:
            item._click_point = _anchor(anchor, code)
        self.scene.addItem(item)
        item.setZValue(self.next_z())
        drawn = {id(child) for child, _ in shapes}
        for child, child_attrs in members:
            if id(child) in drawn or child is element:
                continue
            added = self.add_decor(child, child_attrs, item)
            is_label = child_attrs.get("class") == "label"
            if isinstance(added, QGraphicsSimpleTextItem) and is_label:
                item.labels.append(added)
        items[code] = item


def _outline(shapes: list[tuple[_Element, dict[str, str]]]) -> QPainterPath:
    if len(shapes) == 1:
        return shape_path(shapes[0][0].tag, shapes[0][1])
    # One outline for bones drawn in parts, so no seam shows between them.
    outline = QPainterPath()
    outline.setFillRule(Qt.FillRule.WindingFill)
    for child, child_attrs in shapes:
        outline = outline.united(shape_path(child.tag, child_attrs))
    return outline.simplified()


class _StaleCache(Exception):
    """The cached outlines do not fit the file after all."""


def _outline_cache(cache_dir: Path | None) -> FileCache | None:
    if cache_dir is None:
        return None
    try:
        # Outlines come out in the order this code makes them: a change to it
        # (or to Qt, whose stream format holds them) must not reuse old ones.
        code = zlib.crc32(Path(__file__).read_bytes())
    except OSError:
        return None  # no source to check against (a frozen build): no cache
    return FileCache(cache_dir, "outlines", f"{qVersion()}:{code:08x}")


def _encode(paths: list[QPainterPath]) -> bytes:
    buffer = QByteArray()
    stream = QDataStream(buffer, QIODevice.OpenModeFlag.WriteOnly)
    stream.setVersion(QDataStream.Version.Qt_6_0)
    stream.writeUInt32(len(paths))
    for path in paths:
        stream << path
    return bytes(buffer.data())


def _decode(payload: bytes) -> list[QPainterPath] | None:
    buffer = QByteArray(payload)  # the stream only points at it: keep it alive
    stream = QDataStream(buffer, QIODevice.OpenModeFlag.ReadOnly)
    stream.setVersion(QDataStream.Version.Qt_6_0)
    paths = []
    for _ in range(stream.readUInt32()):
        path = QPainterPath()
        stream >> path
        if stream.status() != QDataStream.Status.Ok:
            return None
        paths.append(path)
    return paths if stream.atEnd() else None


def load_diagram(svg_path: Path, cache_dir: Path | None = None) -> Diagram:
    """Parse one of our diagram files into a fresh scene.

    With cache_dir, the shapes' outlines are kept there (see FileCache): parsing
    path data is most of a load, and a warm start skips it.
    """
    svg_path = Path(svg_path)
    data = svg_path.read_bytes()
    cache = _outline_cache(cache_dir)
    payload = cache.get(svg_path, data) if cache is not None else None
    paths = _decode(payload) if payload is not None else None
    if paths is not None:
        try:
            return _build_diagram(data, svg_path.name, iter(paths))[0]
        except _StaleCache:
            pass
    diagram, made = _build_diagram(data, svg_path.name, None)
    if cache is not None:
        cache.put(svg_path, data, _encode(made))
    return diagram


def parse_diagram(data: bytes, name: str = "diagram.svg") -> Diagram:
    """Parse a diagram's SVG text (name is for error messages) into a fresh scene."""
    return _build_diagram(data, name, None)[0]


def _build_diagram(
    data: bytes, name: str, replay: Iterator[QPainterPath] | None
) -> tuple[Diagram, list[QPainterPath]]:
    root = _parse_xml(data, name)
    scene = QGraphicsScene()
    box = [float(v) for v in root.attrib.get("viewBox", "0 0 100 100").split()]
    scene.setSceneRect(QRectF(*box))
    diagram = Diagram(
        scene,
        spine_x=float(root.attrib.get("data-spine-x", box[2] / 2)),
        label_left=float(root.attrib.get("data-label-left", box[0])),
        label_right=float(root.attrib.get("data-label-right", box[0] + box[2])),
    )
    builder = _Builder(diagram, name, replay)
    for element, attrs in _walk(root, root.attrib):
        builder.add(element, attrs)
    if replay is not None and next(replay, None) is not None:
        raise _StaleCache
    refresh_content_rect(diagram)
    return diagram, builder.made


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

    Diagram items read it from the file (see ANCHOR_ATTR) or work it out once;
    other items are measured each time.
    """
    cached = getattr(item, "_click_point", None)
    if cached is not None:
        return QPointF(cached)
    point = compute_click_point(item, grid)
    if isinstance(item, DiagramItem):
        item._click_point = QPointF(point)
    return point


def compute_click_point(item: QGraphicsItem, grid: int = 20) -> QPointF:
    """Work out click_point afresh (slow: many hit tests), ignoring any stored one.

    It is the sampled point farthest from anything that is not this item (its
    edges, or a higher interactive item covering it), so a click that lands a
    pixel off still hits the same thing.
    """
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
    return fine if fine is not None else best


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
