"""SpineView: the clickable spine diagram (posterior and lateral views)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from companion.core.spine import (
    LEVELS,
    Region,
    is_level,
    is_region,
    level,
    levels_in,
    step_region,
)
from companion.core.spine import step as step_level
from companion.ui import diagram_snapshot

if TYPE_CHECKING:
    from companion.ui.svg_scene import Diagram, DiagramItem


def _svg() -> ModuleType:
    """svg_scene, loaded with the first scene: a first paint from the cached
    picture needs none of it (nor the graphics item types it makes)."""
    from companion.ui import svg_scene

    return svg_scene


DIAGRAM_DIR = Path(__file__).resolve().parents[2] / "assets" / "diagrams"
VIEWS = ("posterior", "lateral")

MUSCLE_IDS = (
    "trapezius_upper",
    "trapezius_middle",
    "trapezius_lower",
    "sternocleidomastoid",
    "levator_scapulae",
    "splenius",
    "scalenes",
    "rhomboids",
    "erector_spinae",
    "multifidus",
    "latissimus_dorsi",
    "quadratus_lumborum",
)

# English fallbacks; the app passes translated names through set_names().
DEFAULT_NAMES: dict[str, str] = {
    **{lv.code: f"{lv.code} vertebra" for lv in LEVELS},
    "C1": "C1 (atlas)",
    "C2": "C2 (axis)",
    "S1": "Sacrum",
    "Co": "Coccyx",
    "cervical": "Cervical",
    "thoracic": "Thoracic",
    "lumbar": "Lumbar",
    "sacral": "Sacral",
    "trapezius_upper": "Upper trapezius",
    "trapezius_middle": "Middle trapezius",
    "trapezius_lower": "Lower trapezius",
    "sternocleidomastoid": "Sternocleidomastoid",
    "levator_scapulae": "Levator scapulae",
    "splenius": "Splenius",
    "scalenes": "Scalenes",
    "rhomboids": "Rhomboids",
    "erector_spinae": "Erector spinae",
    "multifidus": "Multifidus",
    "latissimus_dorsi": "Latissimus dorsi",
    "quadratus_lumborum": "Quadratus lumborum",
}

SELECT_COLOUR = QColor("#14698a")
# The open visit's levels: vermillion and dashed, never mistaken for a look-up.
VISIT_COLOUR = QColor("#d55e00")
HOVER_COLOUR = QColor("#3b9cc0")
REGION_ACTIVE = QColor("#bfdde9")
# Okabe–Ito first (safe for colour-blind viewers), then further distinct hues;
# the text labels carry the meaning, colour only helps.
INVOLVED_COLOURS = (
    "#e69f00",
    "#56b4e9",
    "#009e73",
    "#0072b2",
    "#d55e00",
    "#cc79a7",
    "#f0e442",
    "#7b52ae",
    "#66a61e",
    "#a6761d",
    "#1b9e77",
    "#555555",
)
# The longest the scene waits for the records to open (see hold_install).
HOLD_LIMIT_MS = 2000
OVERLAY_Z = 10_000.0
LABEL_Z = 20_000.0
ZOOM_STEP = 1.25
MAX_ZOOM = 12.0


def _tint(base: QColor, accent: QColor, amount: float) -> QColor:
    mix = QColor.fromRgbF(
        base.redF() + (accent.redF() - base.redF()) * amount,
        base.greenF() + (accent.greenF() - base.greenF()) * amount,
        base.blueF() + (accent.blueF() - base.blueF()) * amount,
    )
    return mix


def _inert(item: QGraphicsItem, z: float) -> QGraphicsItem:
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    item.setAcceptHoverEvents(False)
    item.setZValue(z)
    return item


class SpineView(QGraphicsView):
    """Clickable vector diagram of the spine with its regions and key muscles.

    Clicking emits a signal; the owner decides what is selected and calls
    select(), so the diagram never disagrees with the app's state.
    """

    level_clicked = Signal(str)
    muscle_clicked = Signal(str)
    region_clicked = Signal(str)
    LABEL_PX = 15  # muscle label size in scene units (on screen: pixels at 1:1)
    # Print: every label on the left, clear of the ruler and its region names.
    LABELS_LEFT_ONLY = False

    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        # Our own viewport widget: Qt's default one is unknown to PySide, whose
        # first viewport() call then looks up every widget class to type it
        # (≈20 ms, with their enums), on the first paint or the first hover.
        self.setViewport(QWidget())
        self.setObjectName("spineView")
        self.setAccessibleName("Spine diagram")
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # Repaint only what changed: a click moves one outline, not the whole art.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("#fbfaf7"))
        self.setMinimumSize(240, 260)

        # Each view's diagram is parsed when first shown (see _diagram), so the
        # side view costs nothing before the first paint.
        self._diagrams: dict[str, Diagram] = {}
        # Where load_diagram keeps parsed outlines, so a warm start parses none.
        self._cache_dir = cache_dir
        self._view = VIEWS[0]
        self._selected: str | None = None
        self._hover: str | None = None
        self._pressed: str | None = None
        self._involved: list[str] = []
        self._marked: list[str] = []
        self._user_zoomed = False
        self._overlays: list[QGraphicsItem] = []
        self._labels: list[QGraphicsItem] = []
        # The names go in before the diagram loads, so it is labelled just once.
        self._names: dict[str, str] = {**DEFAULT_NAMES, **(names or {})}
        # With a cache, the first paint draws the picture the diagram left last
        # time it looked exactly like this (diagram_snapshot), and the scene is
        # built right after it; until then _pending holds it back. Any use of
        # the diagram before that builds it at once.
        self._pending = cache_dir is not None
        self._snapshot_look: str | None = None  # the look the cache holds
        self._install_held = False  # see hold_install
        if not self._pending:
            self.setScene(self._diagram.scene)
            self._restyle()

    def _install(self) -> None:
        """Build the current view's scene, styled as the setters asked meanwhile
        (once; see _pending)."""
        self._pending = False
        self.setScene(self._diagram.scene)
        if not self._user_zoomed:
            self.fit()
        self._restyle()
        self._rebuild_labels()

    def scene(self) -> QGraphicsScene:  # type: ignore[override]
        if self._pending:
            self._install()
        return super().scene()

    def is_built(self) -> bool:
        """False while the first paint shows the cached picture, not the scene."""
        return not self._pending

    def _look(self) -> str | None:
        """Everything the picture of the viewport depends on, or None if unsure."""
        if self._user_zoomed or self._hover is not None or self._pressed is not None:
            return None
        if self._marked:
            # A visit's levels: never on screen before the records open, and
            # no patient's data goes into the unencrypted cache.
            return None
        names = zlib.crc32(repr(sorted(self._names.items())).encode("utf-8"))
        size = self.viewport().size()
        return repr(
            (
                self._view,
                self._selected,
                tuple(self._involved),
                tuple(self._marked),
                f"{names:08x}",
                (size.width(), size.height()),
                self.viewport().devicePixelRatioF(),
                self.font().toString(),
                self.LABELS_LEFT_ONLY,
            )
        )

    def _svg_path(self) -> Path:
        return DIAGRAM_DIR / f"{self._view}.svg"

    def save_snapshot(self) -> None:
        """Keep a picture of the diagram as it is now for the next first paint."""
        if self._cache_dir is None or self._pending or not self.isVisible():
            return
        look = self._look()
        if look is None or look == self._snapshot_look:
            return
        image = self.viewport().grab().toImage()
        diagram_snapshot.store(self._cache_dir, self._svg_path(), look, image)
        self._snapshot_look = look

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._pending:
            assert self._cache_dir is not None
            look = self._look()
            image = (
                diagram_snapshot.load(self._cache_dir, self._svg_path(), look)
                if look is not None
                else None
            )
            if image is not None and image.size() == (
                self.viewport().size() * image.devicePixelRatio()
            ):
                painter = QPainter(self.viewport())
                painter.drawImage(0, 0, image)
                painter.end()
                self._snapshot_look = look
                # Clickable right after this paint (or at release_install);
                # it looks the same.
                if not self._install_held:
                    QTimer.singleShot(0, self, self._install_if_pending)
                return
            # No picture of this look: build now and paint it as always, then
            # keep its picture for next time.
            self._install()
            QTimer.singleShot(0, self, self.save_snapshot)
        super().paintEvent(event)

    def _install_if_pending(self) -> None:
        if self._pending:
            self._install()

    def hold_install(self) -> None:
        """Build the scene at release_install(), not right after a first paint
        from the picture: the window opens the records first.

        The scene takes 30-40 ms of Python; built beside the worker opening the
        records, it delayed them by as much. The picture looks the same, any use
        of the diagram builds the scene at once, and after HOLD_LIMIT_MS it is
        built whatever the records are doing (a passphrase prompt, an upgrade).
        """
        self._install_held = True
        QTimer.singleShot(HOLD_LIMIT_MS, self, self.release_install)

    def release_install(self) -> None:
        """Build the scene now if it is still held back (see hold_install)."""
        self._install_held = False
        self._install_if_pending()

    # ------------------------------------------------------------ public API

    def set_names(self, names: Mapping[str, str]) -> None:
        """Use these display names (code → name) for tooltips and labels."""
        self._names = {**DEFAULT_NAMES, **names}
        self._clear(self._labels)  # muscle cards come back below, renamed
        for diagram in self._diagrams.values():
            self._apply_names(diagram)
        if self._pending:
            return  # the names go in when the scene is built
        self._rebuild_labels()
        if not self._user_zoomed and self.isVisible():
            self.fit()

    def _label_text(self, code: str) -> str:
        # The short name keeps the card near the art; the tooltip has it all.
        return self.name_of(code).split(" (")[0]

    def _widest_label(self) -> float:
        metrics = QFontMetricsF(self._label_font())
        return max(metrics.horizontalAdvance(self._label_text(m)) for m in MUSCLE_IDS)

    def name_of(self, code: str) -> str:
        """The display name for a code, falling back to the code itself."""
        return self._names.get(code, code)

    def select(self, code: str | None) -> None:
        """Show code (a level, region or muscle) as selected; None clears it."""
        if code is not None and not _is_known(code):
            raise ValueError(f"unknown diagram code {code!r}")
        self._selected = code
        self._restyle()

    def selected_code(self) -> str | None:
        return self._selected

    def set_marked(self, codes: Sequence[str]) -> None:
        """Mark the open visit's levels or regions, apart from the selection."""
        unknown = [c for c in codes if not _is_known(c)]
        if unknown:
            raise ValueError(f"unknown diagram codes {unknown!r}")
        marked = list(dict.fromkeys(codes))
        if marked != self._marked:
            self._marked = marked
            self._restyle()

    def marked_codes(self) -> list[str]:
        return list(self._marked)

    def set_involved_muscles(self, muscle_ids: Sequence[str]) -> None:
        """Light up these muscles, each in its own colour with a named label."""
        unknown = [m for m in muscle_ids if m not in MUSCLE_IDS]
        if unknown:
            raise ValueError(f"unknown muscle ids {unknown!r}")
        involved = list(dict.fromkeys(muscle_ids))
        if involved == self._involved:
            return  # levels of one region share their muscles: nothing to redo
        self._involved = involved
        self._restyle()
        self._rebuild_labels()

    def involved_muscles(self) -> list[str]:
        return list(self._involved)

    def set_view(self, view: str) -> None:
        """Switch between the "posterior" and "lateral" diagrams, keeping state."""
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; expected one of {VIEWS}")
        if view == self._view:
            return
        self._clear(self._overlays)
        self._clear(self._labels)
        self._view = view
        self._hover = None
        if self._pending:
            return  # _install builds the chosen view
        self.setScene(self._diagram.scene)
        self.fit()
        self._restyle()
        self._rebuild_labels()

    def hovered_code(self) -> str | None:
        """The code under the mouse pointer, if any."""
        return self._hover

    def current_view(self) -> str:
        return self._view

    def items_by_code(self) -> dict[str, QGraphicsItem]:
        """The interactive items of the current view, keyed by code."""
        return dict(self._diagram.items)

    def label_items(self) -> list[QGraphicsSimpleTextItem]:
        """The text items naming the involved muscles in the current view."""
        return [i for i in self._labels if isinstance(i, QGraphicsSimpleTextItem)]

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    def fit(self) -> None:
        """Show the whole diagram and follow the widget's size again."""
        self._user_zoomed = False
        if self._pending:
            return  # _install fits the scene it builds
        self.resetTransform()
        # The view scrolls only within its sceneRect; widen it to the labels too.
        self.setSceneRect(self._content_rect())
        self.fitInView(self._content_rect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _content_rect(self) -> QRectF:
        """The art and its static labels (fixed per view, so zoom never jumps)."""
        return self._diagram.content_rect

    # ------------------------------------------------------------ events

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        code = self._code_at(event.position().toPoint())
        if code != self._hover:
            self._hover = code
            self.viewport().setCursor(
                Qt.CursorShape.PointingHandCursor
                if code
                else Qt.CursorShape.ArrowCursor
            )
            self._restyle()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self._restyle()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = self._code_at(event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            code = self._code_at(event.position().toPoint())
            # Like a button: the press and the release must land on the same thing.
            if code is not None and code == self._pressed:
                self._emit_click(code)
            self._pressed = None
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self._zoom(ZOOM_STEP ** (delta / 120))
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (
            ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal)
        ):
            self.zoom_in()
        elif event.matches(QKeySequence.StandardKey.ZoomOut) or (
            ctrl and key == Qt.Key.Key_Minus
        ):
            self.zoom_out()
        elif ctrl and key == Qt.Key.Key_0:
            self.fit()
        elif key in _NAV_KEYS and not ctrl:
            target = self._keyboard_target(key)
            if target is not None and target != self._selected:
                self.level_clicked.emit(target)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._user_zoomed:
            self.fit()

    # ------------------------------------------------------------ internals

    @property
    def _diagram(self) -> Diagram:
        if self._pending:
            self._install()  # used before the first paint built it
        diagram = self._diagrams.get(self._view)
        if diagram is None:
            diagram = _svg().load_diagram(self._svg_path(), self._cache_dir)
            diagram.scene.setParent(self)  # scenes live and die with the view
            self._apply_names(diagram)
            self._diagrams[self._view] = diagram
        return diagram

    def _apply_names(self, diagram: Diagram) -> None:
        for code, item in diagram.items.items():
            name = self.name_of(code)
            item.setToolTip(name)
            item.setData(_svg().NAME_ROLE, name)
            for label in item.labels:
                label.setText(name)
                x, y, anchor = label.data(2)
                _svg().place_text(label, x, y, anchor)
        # Region and muscle names differ in length by language: refit around
        # the widest card either side could show, so a click never rezooms.
        _svg().refresh_content_rect(diagram)
        reach = self._widest_label() + LABEL_CARD_EXTRA + 8
        rect = diagram.content_rect
        rect.setLeft(min(rect.left(), diagram.label_left - reach))
        rect.setRight(max(rect.right(), diagram.label_right + reach))

    def _code_at(self, pos: QPoint) -> str | None:
        for item in self.items(pos):
            code = _svg().code_of(item)
            if code:
                return code
        return None

    def _emit_click(self, code: str) -> None:
        item = self._diagram.items.get(code)
        kind = item.kind if item is not None else ""
        if kind == "vertebra":
            self.level_clicked.emit(code)
        elif kind == "muscle":
            self.muscle_clicked.emit(code)
        elif kind == "region":
            self.region_clicked.emit(code)

    def _keyboard_target(self, key: int) -> str | None:
        if key == Qt.Key.Key_Home:
            return LEVELS[0].code
        if key == Qt.Key.Key_End:
            return LEVELS[-1].code
        current = (
            self._selected if self._selected and is_level(self._selected) else None
        )
        if current is None and self._selected and is_region(self._selected):
            first = levels_in(self._selected)[0].code
            # From a selected region, Up/Down enter it at its first level.
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                return first
            current = first
        if current is None:
            return LEVELS[0].code
        delta = -1 if key in (Qt.Key.Key_Up, Qt.Key.Key_PageUp) else 1
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return step_level(current, delta).code
        return step_region(current, delta).code

    def _zoom(self, factor: float) -> None:
        fit_scale = self._fit_scale()
        current = self.transform().m11()
        target = min(max(current * factor, fit_scale), fit_scale * MAX_ZOOM)
        if target <= fit_scale * 1.0001:
            self.fit()
            return
        self._user_zoomed = True
        self.scale(target / current, target / current)

    def _fit_scale(self) -> float:
        rect = self._content_rect()
        view = self.viewport().rect()
        if rect.isEmpty() or view.isEmpty():
            return 1.0
        return min(view.width() / rect.width(), view.height() / rect.height())

    def _active_region(self) -> str | None:
        code = self._selected
        if code is None:
            return None
        if is_region(code):
            return code
        if is_level(code):
            return level(code).region.value
        return None

    def _clear(self, items: list[QGraphicsItem]) -> None:
        for item in items:
            scene = item.scene()
            if scene is not None:
                scene.removeItem(item)
        items.clear()

    def _restyle(self) -> None:
        if self._pending:
            return  # _install styles the scene it builds
        self._clear(self._overlays)
        region = self._active_region()
        region_levels = (
            {lv.code for lv in levels_in(Region(self._selected))}
            if self._selected and is_region(self._selected)
            else set()
        )
        for code, item in self._diagram.items.items():
            pen, brush = item.base_pen, item.base_brush  # replaced, never changed
            opacity = 1.0
            if item.kind == "muscle" and self._involved:
                if code in self._involved:
                    colour = self._involved_colour(code)
                    fill = QColor(colour)
                    fill.setAlphaF(0.82)
                    brush = _svg().solid_brush(fill)
                    pen = QPen(colour.darker(160), 1.6)
                else:
                    opacity = 0.32
            if item.kind == "region" and code == region:
                brush = _svg().solid_brush(REGION_ACTIVE)
                pen = QPen(SELECT_COLOUR, 2.2)
            if item.kind == "vertebra" and code in region_levels:
                brush = _svg().solid_brush(_tint(brush.color(), SELECT_COLOUR, 0.18))
            if code in self._marked:
                brush = _svg().solid_brush(_tint(brush.color(), VISIT_COLOUR, 0.38))
            if code == self._selected:
                brush = _svg().solid_brush(_tint(brush.color(), SELECT_COLOUR, 0.42))
            elif code == self._hover:
                brush = _svg().solid_brush(_tint(brush.color(), HOVER_COLOUR, 0.22))
            item.setPen(pen)
            item.setBrush(brush)
            item.setOpacity(opacity)
            if code in self._marked and item.kind != "muscle":
                self._add_outline(item, VISIT_COLOUR, 2.8, dashed=True)
            if code == self._selected:
                self._add_outline(item, SELECT_COLOUR, 3.6)
            elif code == self._hover:
                self._add_outline(item, HOVER_COLOUR, 2.0)

    def _add_outline(
        self, item: DiagramItem, colour: QColor, width: float, dashed: bool = False
    ) -> None:
        # Drawn above everything so a selection half-hidden by overlaps still reads.
        outline = QGraphicsPathItem(item.mapToScene(item.path()))
        pen = QPen(colour, width)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        outline.setPen(pen)
        self._diagram.scene.addItem(_inert(outline, OVERLAY_Z + width))
        self._overlays.append(outline)

    def _label_font(self) -> QFont:
        return _label_font(self.LABEL_PX)

    def _involved_colour(self, code: str) -> QColor:
        index = self._involved.index(code) % len(INVOLVED_COLOURS)
        return QColor(INVOLVED_COLOURS[index])

    def _rebuild_labels(self) -> None:
        """Place a named label with a leader line for each involved muscle shown."""
        if self._pending:
            return  # _install labels the scene it builds
        self._clear(self._labels)
        diagram = self._diagram
        present = [m for m in self._involved if m in diagram.items]
        sides: dict[str, list[tuple[str, QPointF]]] = {"left": [], "right": []}
        for code in present:
            anchor = _svg().click_point(diagram.items[code])
            side = "left" if anchor.x() < diagram.spine_x else "right"
            if self.LABELS_LEFT_ONLY:
                side = "left"
            sides[side].append((code, anchor))
        font = self._label_font()
        metrics = QFontMetricsF(font)
        row = metrics.height() + 14
        bounds = diagram.scene.sceneRect()
        for side, entries in sides.items():
            entries.sort(key=lambda e: e[1].y())
            ys = _spread([a.y() for _, a in entries], row, bounds.top() + 80,
                         bounds.bottom() - 20)  # fmt: skip
            for (code, anchor), y in zip(entries, ys, strict=True):
                self._add_label(code, anchor, y, side, font, metrics)

    def _add_label(
        self,
        code: str,
        anchor: QPointF,
        y: float,
        side: str,
        font: QFont,
        metrics: QFontMetricsF,
    ) -> None:
        scene = self._diagram.scene
        colour = self._involved_colour(code)
        text = QGraphicsSimpleTextItem(self._label_text(code))
        text.setFont(font)
        text.setBrush(QColor("#24313a"))
        width = metrics.horizontalAdvance(text.text())
        swatch, pad = 12.0, 7.0
        box_w = width + swatch + 3 * pad
        box_h = metrics.height() + 8
        if side == "left":
            right = self._diagram.label_left
            box = QRectF(right - box_w, y - box_h / 2, box_w, box_h)
            joint = QPointF(box.right(), y)
        else:
            box = QRectF(self._diagram.label_right, y - box_h / 2, box_w, box_h)
            joint = QPointF(box.left(), y)
        background = QPainterPath()
        background.addRoundedRect(box, 6, 6)
        card = QGraphicsPathItem(background)
        card.setBrush(QColor(255, 255, 255, 235))
        card.setPen(QPen(colour.darker(120), 1.8))
        chip = QPainterPath()
        chip.addRoundedRect(
            QRectF(box.left() + pad, y - swatch / 2, swatch, swatch), 2.5, 2.5
        )
        chip_item = QGraphicsPathItem(chip)
        chip_item.setBrush(colour)
        chip_item.setPen(QPen(colour.darker(150), 1.0))
        text.setPos(box.left() + 2 * pad + swatch, y - metrics.height() / 2)
        leader_path = QPainterPath(joint)
        elbow = QPointF(joint.x() + (14 if side == "left" else -14), y)
        leader_path.lineTo(elbow)
        leader_path.lineTo(anchor)
        halo = QGraphicsPathItem(leader_path)
        halo.setPen(QPen(QColor(255, 255, 255, 210), 4.2))
        leader = QGraphicsPathItem(leader_path)
        leader_pen = QPen(colour.darker(130), 1.8)
        leader_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        leader.setPen(leader_pen)
        dot = QGraphicsEllipseItem(anchor.x() - 4.5, anchor.y() - 4.5, 9, 9)
        dot.setBrush(colour)
        dot.setPen(QPen(QColor("white"), 1.6))
        for offset, item in enumerate((halo, leader, dot, card, chip_item, text)):
            item.setData(_svg().NAME_ROLE, self.name_of(code))
            scene.addItem(_inert(item, LABEL_Z + offset))
            self._labels.append(item)


_NAV_KEYS = frozenset(
    {
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
    }
)


def _label_font(px: int = SpineView.LABEL_PX) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(px)
    return font


# A label card is its text plus a colour chip (12) and three gaps (7 each).
LABEL_CARD_EXTRA = 12.0 + 3 * 7.0


def _is_known(code: str) -> bool:
    return is_level(code) or is_region(code) or code in MUSCLE_IDS


def _spread(wanted: list[float], gap: float, top: float, bottom: float) -> list[float]:
    """Positions as close to wanted as possible, at least gap apart, within bounds."""
    placed: list[float] = []
    for y in wanted:
        low = placed[-1] + gap if placed else top
        placed.append(max(y, low))
    # Anything pushed past the bottom slides back up, keeping the spacing.
    limit = bottom
    for i in range(len(placed) - 1, -1, -1):
        placed[i] = min(placed[i], limit)
        limit = placed[i] - gap
    return placed
