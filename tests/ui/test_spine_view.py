"""Tests for SpineView: the art loads, every code is clickable, keys walk the spine."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QGraphicsItem

from companion.core.spine import LEVELS, Region
from companion.ui.spine_view import DIAGRAM_DIR, MUSCLE_IDS, VIEWS, SpineView
from companion.ui.svg_scene import (
    NAME_ROLE,
    SvgSubsetError,
    click_point,
    load_diagram,
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
