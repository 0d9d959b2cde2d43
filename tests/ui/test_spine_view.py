"""Tests for SpineView: the art loads, every code is clickable, keys walk the spine."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from companion.core.spine import LEVELS, Region
from companion.ui.spine_view import DIAGRAM_DIR, MUSCLE_IDS, VIEWS, SpineView
from companion.ui.svg_scene import (
    ANCHOR_ATTR,
    NAME_ROLE,
    SvgSubsetError,
    click_point,
    code_at,
    compute_click_point,
    load_diagram,
    parse_diagram,
    parse_path_data,
)

LEVEL_CODES = [lv.code for lv in LEVELS]
REGION_CODES = [r.value for r in Region]
KNOWN_CODES = set(LEVEL_CODES) | set(REGION_CODES) | set(MUSCLE_IDS)
SPANISH = {
    "trapezius_upper": "Trapecio superior",
    "rhomboids": "Romboides",
    "erector_spinae": "Erectores de la columna",
    "sternocleidomastoid": "Esternocleidomastoideo",
    "lumbar": "Lumbar (es)",
    "T6": "Vértebra T6",
}


@pytest.fixture
def view(qtbot) -> SpineView:
    widget = SpineView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def screen_point(view: SpineView, item: QGraphicsItem) -> QPoint:
    return view.mapFromScene(click_point(item))


def click(qtbot, view: SpineView, code: str) -> None:
    item = view.items_by_code()[code]
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=screen_point(view, item)
    )


def record(view: SpineView) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    view.level_clicked.connect(lambda c: seen.append(("level", c)))
    view.muscle_clicked.connect(lambda c: seen.append(("muscle", c)))
    view.region_clicked.connect(lambda c: seen.append(("region", c)))
    return seen


def press(qtbot, view: SpineView, key: Qt.Key, times: int = 1, mods=None) -> None:
    for _ in range(times):
        qtbot.keyClick(view, key, mods or Qt.KeyboardModifier.NoModifier)


@pytest.mark.parametrize("name", VIEWS)
def test_each_view_has_every_level_and_region(qapp, name):
    """Both SVGs load and draw every level C1…Co and every region band."""
    items = load_diagram(DIAGRAM_DIR / f"{name}.svg").items
    missing = [c for c in LEVEL_CODES + REGION_CODES if c not in items]
    assert missing == []


def test_every_muscle_appears_in_some_view(qapp):
    """Each of the twelve muscle ids is drawn in at least one view."""
    drawn = set()
    for name in VIEWS:
        drawn |= set(load_diagram(DIAGRAM_DIR / f"{name}.svg").items)
    assert set(MUSCLE_IDS) <= drawn


@pytest.mark.parametrize("name", VIEWS)
def test_every_interactive_id_is_a_known_code(qapp, name):
    """No interactive element carries an id the app would not understand."""
    items = load_diagram(DIAGRAM_DIR / f"{name}.svg").items
    assert set(items) <= KNOWN_CODES
    for code, item in items.items():
        expected = "muscle" if code in MUSCLE_IDS else None
        expected = expected or ("region" if code in REGION_CODES else "vertebra")
        assert item.kind == expected, code


@pytest.mark.parametrize("name", VIEWS)
def test_art_stays_inside_the_svg_subset(name):
    """The generated art uses only the elements and path commands our parser reads."""
    root = ET.parse(DIAGRAM_DIR / f"{name}.svg").getroot()
    allowed = {"svg", "g", "path", "ellipse", "circle", "rect", "polygon",
               "polyline", "line", "text"}  # fmt: skip
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag in allowed
        assert "transform" not in element.attrib and "style" not in element.attrib
        if tag == "path":
            assert re.fullmatch(r"[MLHVCQZ0-9.\s-]+", element.get("d", ""))


@pytest.mark.parametrize("name", VIEWS)
def test_clicking_each_vertebra_emits_its_level(qtbot, view, name):
    """A click on every vertebra, with the muscles drawn, emits level_clicked(code)."""
    view.set_view(name)
    seen = record(view)
    for code in LEVEL_CODES:
        click(qtbot, view, code)
    assert seen == [("level", c) for c in LEVEL_CODES]


@pytest.mark.parametrize("name", VIEWS)
def test_clicking_each_muscle_emits_muscle_clicked(qtbot, view, name):
    """A click on every muscle drawn in a view emits muscle_clicked(id)."""
    view.set_view(name)
    muscles = [m for m in MUSCLE_IDS if m in view.items_by_code()]
    seen = record(view)
    for code in muscles:
        click(qtbot, view, code)
    assert seen == [("muscle", m) for m in muscles]


@pytest.mark.parametrize("name", VIEWS)
def test_clicking_each_region_band_emits_region_clicked(qtbot, view, name):
    """A click on each region band emits region_clicked(region)."""
    view.set_view(name)
    seen = record(view)
    for code in REGION_CODES:
        click(qtbot, view, code)
    assert seen == [("region", r) for r in REGION_CODES]


def test_click_does_not_change_selection_by_itself(qtbot, view):
    """Clicking only emits; the owner decides the selection through select()."""
    click(qtbot, view, "L4")
    assert view.selected_code() is None


def test_clicks_still_land_when_labels_and_selection_are_shown(qtbot, view):
    """Involved-muscle labels and selection outlines never steal a click."""
    view.set_involved_muscles(list(MUSCLE_IDS))
    view.select("T6")
    seen = record(view)
    for code in ("T5", "T6", "T7", "erector_spinae", "thoracic"):
        click(qtbot, view, code)
    assert [c for _, c in seen] == ["T5", "T6", "T7", "erector_spinae", "thoracic"]


def test_down_from_c1_visits_every_level_in_order(qtbot, view):
    """From C1, Down 25 times walks C2…Co one level at a time."""
    visited: list[str] = []
    view.level_clicked.connect(view.select)
    view.level_clicked.connect(visited.append)
    view.select("C1")
    view.setFocus()
    press(qtbot, view, Qt.Key.Key_Down, 25)
    assert visited == LEVEL_CODES[1:]
    assert view.selected_code() == "Co"


def test_down_with_nothing_selected_starts_at_c1(qtbot, view):
    """With no selection, Down emits C1."""
    visited: list[str] = []
    view.level_clicked.connect(visited.append)
    press(qtbot, view, Qt.Key.Key_Down)
    assert visited == ["C1"]


def test_page_keys_jump_regions_and_home_end_reach_the_ends(qtbot, view):
    """PageDown/PageUp go to the first level of the next/previous region; Home/End."""
    visited: list[str] = []
    view.level_clicked.connect(view.select)
    view.level_clicked.connect(visited.append)
    view.select("T5")
    press(qtbot, view, Qt.Key.Key_PageDown)
    press(qtbot, view, Qt.Key.Key_PageDown)
    press(qtbot, view, Qt.Key.Key_PageUp)
    press(qtbot, view, Qt.Key.Key_Up)
    press(qtbot, view, Qt.Key.Key_End)
    press(qtbot, view, Qt.Key.Key_Home)
    assert visited == ["L1", "S1", "L1", "T12", "Co", "C1"]


def test_involved_muscles_get_labels_named_from_names(qtbot, view):
    """Each involved muscle gets a text label with its translated name; others dim."""
    view.set_names(SPANISH)
    involved = ["trapezius_upper", "rhomboids", "erector_spinae"]
    view.set_involved_muscles(involved)
    assert view.involved_muscles() == involved
    texts = sorted(label.text() for label in view.label_items())
    assert texts == sorted(SPANISH[m] for m in involved)
    items = view.items_by_code()
    colours = {items[m].brush().color().name() for m in involved}
    assert len(colours) == len(involved)
    assert items["latissimus_dorsi"].opacity() < 1.0
    view.set_involved_muscles([])
    assert view.label_items() == []
    assert items["latissimus_dorsi"].opacity() == 1.0


def test_switching_view_keeps_selection_and_involved_muscles(qtbot, view):
    """set_view keeps the selection and the involved muscles, labelling what it can."""
    view.select("C5")
    view.set_involved_muscles(["sternocleidomastoid", "rhomboids"])
    view.set_view("lateral")
    assert view.current_view() == "lateral"
    assert view.selected_code() == "C5"
    assert view.involved_muscles() == ["sternocleidomastoid", "rhomboids"]
    assert [t.text() for t in view.label_items()] == ["Sternocleidomastoid"]
    view.set_view("posterior")
    assert view.selected_code() == "C5"
    assert [t.text() for t in view.label_items()] == ["Rhomboids"]


def test_selecting_a_level_marks_it_and_its_region_band(qtbot, view):
    """select() tints the level and shows its region band as active."""
    items = view.items_by_code()
    before = items["L3"].brush().color().name(), items["lumbar"].brush().color().name()
    view.select("L3")
    after = items["L3"].brush().color().name(), items["lumbar"].brush().color().name()
    assert after[0] != before[0] and after[1] != before[1]
    assert items["thoracic"].brush() == items["thoracic"].base_brush
    view.select(None)
    assert view.selected_code() is None
    assert items["L3"].brush() == items["L3"].base_brush


def test_unknown_codes_are_refused(view):
    """Programming errors fail loudly instead of silently drawing nothing."""
    with pytest.raises(ValueError):
        view.select("T13")
    with pytest.raises(ValueError):
        view.set_involved_muscles(["biceps"])
    with pytest.raises(ValueError):
        view.set_view("anterior")


def test_names_reach_tooltips_and_region_labels(qtbot, view):
    """set_names renames tooltips, accessible names and the region band labels."""
    view.set_names(SPANISH)
    items = view.items_by_code()
    assert items["T6"].toolTip() == "Vértebra T6"
    assert items["T6"].data(NAME_ROLE) == "Vértebra T6"
    assert [label.text() for label in items["lumbar"].labels] == ["Lumbar (es)"]


def test_hover_highlights_the_item_under_the_mouse(qtbot, view):
    """Moving the mouse over a vertebra marks it as hovered; it carries a tooltip."""
    item = view.items_by_code()["L2"]
    qtbot.mouseMove(view.viewport(), screen_point(view, item))
    assert view.hovered_code() == "L2"
    assert item.toolTip() == "L2 vertebra"


def test_zoom_keys_wheel_and_fit(qtbot, view):
    """Ctrl++ and Ctrl+- zoom, the wheel zooms, Ctrl+0 fits the whole diagram."""
    fitted = view.transform().m11()
    press(qtbot, view, Qt.Key.Key_Plus, mods=Qt.KeyboardModifier.ControlModifier)
    zoomed = view.transform().m11()
    assert zoomed > fitted
    press(qtbot, view, Qt.Key.Key_Minus, mods=Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() < zoomed
    view.zoom_in()
    press(qtbot, view, Qt.Key.Key_0, mods=Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == pytest.approx(fitted)
    view.zoom_out()
    assert view.transform().m11() == pytest.approx(fitted)


def test_path_parser_reads_the_subset_and_refuses_the_rest():
    """The path parser handles M L H V C Q Z and rejects relative commands."""
    path = parse_path_data("M 0 0 L 10 0 H 20 V 10 C 20 20 10 20 0 20 Q -5 10 0 0 Z")
    rect = path.boundingRect()
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == (-2.5, 0, 20, 20)
    assert path.contains(QPointF(10, 10))
    with pytest.raises(SvgSubsetError):
        parse_path_data("M 0 0 l 10 10")


def test_path_parser_reads_compact_path_data_like_spaced():
    """Numbers run together or split by commas parse like the spaced-out art."""
    compact = parse_path_data("M10-5L3,4 20 1e1H7V.5Q1,2,3,4C1 2 3 4 5 6z")
    spaced = parse_path_data(
        "M 10 -5 L 3 4 L 20 10 H 7 V 0.5 Q 1 2 3 4 C 1 2 3 4 5 6 Z"
    )
    assert compact == spaced
    with pytest.raises(SvgSubsetError):
        parse_path_data("10 10 L 5 5")
    with pytest.raises(SvgSubsetError):
        parse_path_data("M 0 0 C 1 2 3")
    with pytest.raises(SvgSubsetError):
        parse_path_data("M 0 0 A 5 5 0 0 1 10 10")


def test_broken_xml_is_refused_with_the_file_name(qapp):
    """A truncated or non-SVG file raises SvgSubsetError naming the file."""
    with pytest.raises(SvgSubsetError, match=r"broken\.svg"):
        parse_diagram(b"<svg><g></svg>", "broken.svg")
    with pytest.raises(SvgSubsetError, match=r"page\.svg"):
        parse_diagram(b"<html/>", "page.svg")


@pytest.mark.parametrize("name", VIEWS)
def test_stored_anchors_match_the_art(qapp, name):
    """Each clickable thing's stored label point is what click_point would find.

    The app reads these points instead of working them out at start; if the art
    changes without them, run `python tools/draw_diagrams.py` again.
    """
    root = ET.parse(DIAGRAM_DIR / f"{name}.svg").getroot()
    stored = {
        e.get("id"): e.get(ANCHOR_ATTR) for e in root if e.get(ANCHOR_ATTR) is not None
    }
    diagram = load_diagram(DIAGRAM_DIR / f"{name}.svg")
    assert set(stored) == set(diagram.items)
    stale = []
    for code, item in diagram.items.items():
        anchor = click_point(item)
        assert f"{anchor.x():.2f},{anchor.y():.2f}" == stored[code]
        assert code_at(diagram.scene, anchor) == code
        fresh = compute_click_point(item)
        if abs(fresh.x() - anchor.x()) > 0.01 or abs(fresh.y() - anchor.y()) > 0.01:
            stale.append((code, stored[code], f"{fresh.x():.2f},{fresh.y():.2f}"))
    assert stale == [], "stale anchors: run tools/draw_diagrams.py"


def test_showing_labels_needs_no_hit_testing(qtbot, view):
    """Labels point at the stored anchors: no hit shape is built to place them."""
    view.set_involved_muscles(list(MUSCLE_IDS))
    qtbot.waitExposed(view)
    assert len(view.label_items()) == sum(m in view.items_by_code() for m in MUSCLE_IDS)
    assert [
        c for c, i in view.items_by_code().items() if i._hit_shape is not None
    ] == []


@pytest.mark.parametrize("name", VIEWS)
def test_bone_and_band_details_stay_inside_their_outline(qapp, name):
    """Only muscles clip their children; every other item's details lie inside it.

    Clipping costs a path rasterisation per item on every paint, so bones and
    bands skip it; this keeps that invisible.
    """
    spills = []
    diagram = load_diagram(DIAGRAM_DIR / f"{name}.svg")  # keeps the scene alive
    for code, item in diagram.items.items():
        clipped = bool(
            item.flags() & QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape
        )
        assert clipped == (item.kind == "muscle"), code
        if clipped:
            continue
        outline = item.shape()
        for child in item.childItems():
            if not isinstance(child, QGraphicsPathItem):
                continue
            stroker = QPainterPathStroker(child.pen())
            drawn = stroker.createStroke(child.path()).united(child.path())
            outside = drawn.subtracted(outline).boundingRect()
            if outside.width() * outside.height() > 0.01:
                spills.append(code)
    assert spills == []


def outlines(diagram) -> list[tuple[str, object]]:
    """Every item's kind of shape and outline, in stacking order."""
    return [
        (type(item).__name__, item.path() if hasattr(item, "path") else item.text())
        for item in sorted(diagram.scene.items(), key=lambda i: i.zValue())
    ]


def test_a_warm_outline_cache_builds_the_same_scene_unparsed(
    qapp, tmp_path, monkeypatch
):
    """The second load from a cache folder gives the same art without parsing."""
    from companion.ui import svg_scene

    cache = tmp_path / "cache"
    svg = DIAGRAM_DIR / "posterior.svg"
    plain = load_diagram(svg)
    assert outlines(load_diagram(svg, cache)) == outlines(plain)

    def refuse(_d: str) -> None:
        raise AssertionError("path data parsed although the cache was warm")

    monkeypatch.setattr(svg_scene, "parse_path_data", refuse)
    warm = load_diagram(svg, cache)
    assert outlines(warm) == outlines(plain)
    assert {c: click_point(i) for c, i in warm.items.items()} == {
        c: click_point(i) for c, i in plain.items.items()
    }


def test_a_damaged_or_stale_outline_cache_is_ignored(qapp, tmp_path):
    """Junk in the cache, or an edited file, gives the art the file describes."""
    cache = tmp_path / "cache"
    svg = tmp_path / "posterior.svg"
    svg.write_bytes((DIAGRAM_DIR / "posterior.svg").read_bytes())
    plain = outlines(load_diagram(svg))
    load_diagram(svg, cache)
    (entry,) = cache.iterdir()
    good = entry.read_bytes()
    for junk in (b"", good[: len(good) // 3], good[:-50] + bytes(50)):
        entry.write_bytes(junk)
        assert outlines(load_diagram(svg, cache)) == plain
    text = svg.read_text(encoding="utf-8")
    svg.write_text(text.replace("M 420 4 C", "M 400 4 C", 1), encoding="utf-8")
    moved = outlines(load_diagram(svg))
    assert moved != plain
    assert outlines(load_diagram(svg, cache)) == moved


def test_spine_view_with_a_cache_folder_draws_both_views(qtbot, tmp_path):
    """A view given a cache folder fills it and works the same from it."""
    for _run in range(2):
        view = SpineView(cache_dir=tmp_path / "cache")
        qtbot.addWidget(view)
        assert set(view.items_by_code()) >= set(LEVEL_CODES)  # posterior
        view.set_view("lateral")
        assert set(view.items_by_code()) >= set(LEVEL_CODES)
    assert len(list((tmp_path / "cache").glob("*.outlines"))) == 2
