"""pytest-qt tests of the main window: clicks fill the panel; state is restored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from companion.core import spine
from companion.core.content import load_content
from companion.ui.main_window import MainWindow
from companion.ui.spine_view import SpineView
from companion.ui.svg_scene import click_point

Launch = Callable[..., MainWindow]
CONTENT = load_content("en")


def click_code(qtbot: QtBot, view: SpineView, code: str) -> None:
    """Click the diagram item for code at its on-screen position."""
    item = view.items_by_code()[code]
    view.ensureVisible(item)
    point = view.mapFromScene(click_point(item))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


@pytest.mark.parametrize("code", [lv.code for lv in spine.LEVELS])
def test_clicking_each_vertebra_explains_its_region(launch: Launch, qtbot: QtBot, code):
    """A click on any vertebra names it, its region and that region's muscles."""
    window = launch()
    click_code(qtbot, window.spine_view, code)
    assert window.state.selection == code
    region = CONTENT.region(code)
    panel = window.panel
    assert panel.header.text() == f"{code} · {region.name}"
    text = panel.plain_text()
    for muscle in CONTENT.muscles_for(code):
        assert muscle.name in text
    for flag in CONTENT.red_flags_for(code):
        assert flag.name in text
    for option in CONTENT.options_for(code):
        assert option.name in text
    assert CONTENT.escalation.clinician in text
    assert window.spine_view.selected_code() == code
    assert set(window.spine_view.involved_muscles()) == set(region.muscles)


def name_of(item_id: str) -> str:
    """The English display name of any content item, found by its id."""
    items = [*CONTENT.muscles.values(), *CONTENT.red_flags, *CONTENT.options]
    return next(i.name for i in items if i.id == item_id)


@pytest.mark.parametrize(
    ("region", "must_have", "must_not_have"),
    [
        ("cervical", ["sternocleidomastoid", "soft_collar"], ["quadratus_lumborum"]),
        ("thoracic", ["rhomboids"], ["soft_collar", "sternocleidomastoid"]),
        (
            "lumbar",
            ["erector_spinae", "latissimus_dorsi", "cauda_equina"],
            ["myelopathy"],
        ),
        ("sacral", ["erector_spinae"], ["soft_collar", "sternocleidomastoid"]),
    ],
)
def test_region_band_click_shows_region_specific_content(
    launch: Launch, qtbot: QtBot, region: str, must_have: list[str], must_not_have
):
    """Clicking a region band shows that region's facts and not another's."""
    window = launch()
    click_code(qtbot, window.spine_view, region)
    assert window.state.selection == region
    text = window.panel.plain_text()
    for item_id in must_have:
        assert name_of(item_id) in text
    for item_id in must_not_have:
        assert name_of(item_id) not in text
    assert "Sources" in text and "Gray H." in text


def test_muscle_click_expands_its_clinician_detail(launch: Launch, qtbot: QtBot):
    """Clicking a muscle selects it and opens its origin/insertion/action/nerve."""
    window = launch()
    click_code(qtbot, window.spine_view, "latissimus_dorsi")
    assert window.state.selection == "latissimus_dorsi"
    tree = window.panel.muscle_tree
    item = tree.currentItem()
    assert item.data(0, Qt.ItemDataRole.UserRole) == "latissimus_dorsi"
    assert item.isExpanded()
    assert "Thoracodorsal" in "\n".join(item.child(i).text(0) for i in range(6))


def test_keyboard_walks_every_level(launch: Launch, qtbot: QtBot):
    """Home then Down 25 times visits every level in order and the panel follows."""
    window = launch()
    view = window.spine_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    seen = [window.state.selection]
    for _ in range(len(spine.LEVELS) - 1):
        qtbot.keyClick(view, Qt.Key.Key_Down)
        seen.append(window.state.selection)
        assert window.panel.header.text().startswith(seen[-1])
    assert seen == [lv.code for lv in spine.LEVELS]
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert window.state.selection == "L1"
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert window.state.selection == "Co"


def test_window_restores_its_state(launch: Launch, qtbot: QtBot, tmp_path: Path):
    """Size, splitter, diagram view and selection come back at the next start."""
    home = tmp_path / "clinic"
    window = launch(home)
    window.resize(790, 590)  # the offscreen screen is 800×600
    window.set_diagram_view("lateral")
    window.state.select("T7")
    window.clinic_dock.hide()  # the visit panel's visibility is remembered too
    qtbot.wait(20)
    window.splitter.setSizes([300, 450])
    sizes = window.splitter.sizes()
    window.close()

    again = launch(home)
    assert again.spine_view.current_view() == "lateral"
    assert again.state.selection == "T7"
    assert again.panel.header.text().startswith("T7")
    assert (again.width(), again.height()) == (790, 590)
    assert again.clinic_dock.isHidden()
    assert again.splitter.sizes() == sizes


def test_every_diagram_code_has_content_and_back(launch: Launch):
    """Each interactive id in the art has content, and each content code is drawn."""
    window = launch()
    view = window.spine_view
    drawn: set[str] = set()
    for name in ("posterior", "lateral"):
        view.set_view(name)
        drawn |= set(view.items_by_code())
    levels = {lv.code for lv in spine.LEVELS}
    regions = set(CONTENT.regions)
    muscles = set(CONTENT.muscles)
    assert drawn == levels | regions | muscles


def test_clinic_name_is_kept_between_runs(launch: Launch, tmp_path: Path):
    """The clinic name set from the File menu is there at the next start."""
    home = tmp_path / "clinic"
    window = launch(home)
    window.set_clinic_name("  Riverside Spine  ")
    window.close()
    again = launch(home)
    assert again.settings.get_str("clinic/name") == "Riverside Spine"


def test_switching_to_spanish_retranslates_menus_panel_and_diagram(launch: Launch):
    """The Language menu switches the window, the explanation and the diagram."""
    window = launch()
    window.state.select("L4")
    english_header = window.panel.header.text()
    window.language_actions["es"].trigger()
    assert window.state.language == "es"
    assert window.file_menu.title().replace("&", "") == "Archivo"
    assert window.spine_view.accessibleName() == "Diagrama de la columna"
    assert window.panel.header.text() != english_header
    assert "lumbar" in window.panel.header.text().lower()
    window.language_actions["en"].trigger()
    assert window.spine_view.accessibleName() == "Spine diagram"
    assert window.panel.header.text() == english_header
