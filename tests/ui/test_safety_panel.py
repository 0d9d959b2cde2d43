"""The region panel's safety sections: radicular pain, the screen, who to call."""

from __future__ import annotations

import re
from collections.abc import Callable

from companion.core.content import load_content
from companion.ui.dermatome_view import DermatomeView
from companion.ui.main_window import MainWindow
from companion.ui.region_panel import escape

Launch = Callable[..., MainWindow]
CONTENT = load_content("en")


def test_panel_shows_the_regions_radicular_section(launch: Launch) -> None:
    """Low back selected: its radicular-pain section, not the neck's."""
    window = launch()
    window.state.select("L4")
    text = window.panel.plain_text()
    assert CONTENT.general["radicular_title"] in text
    assert CONTENT.radicular_for("lumbar").clinician in text
    assert CONTENT.radicular_for("cervical").clinician not in text


def test_neck_panel_shows_the_pre_manipulation_screen(launch: Launch) -> None:
    """Only a cervical selection lists the screen, with the arterial checks."""
    window = launch()
    window.state.select("C4")
    text = window.panel.plain_text()
    assert CONTENT.general["manipulation_screen_title"] in text
    for item in CONTENT.manipulation_screen:
        assert item.clinician in text
    window.state.select("L4")
    assert CONTENT.general["manipulation_screen_title"] not in window.panel.plain_text()


def test_each_red_flag_says_who_to_call(launch: Launch) -> None:
    """Every red flag's action is followed by who the patient calls, how soon."""
    window = launch()
    window.state.select("T6")
    html = window.panel._cached_html(CONTENT.region("thoracic"), None)
    label = window.state.strings.t("safety_panel.who_to_call")
    for flag in CONTENT.red_flags_for("thoracic"):
        said = f"{escape(flag.action)}<br><b>{label}:</b> "
        assert said + escape(CONTENT.call_text(flag)) in html, flag.id


def test_citation_keys_never_break(launch: Launch) -> None:
    """Laid out narrow, no line of the panel ends inside a citation key."""
    window = launch()
    window.state.select("C4")
    document = window.panel.details.document().clone()
    document.setTextWidth(220)  # a narrow dock: many lines end mid-list
    document.documentLayout().documentSize()  # lay it out now
    keys = sorted(CONTENT.references, key=len, reverse=True)
    seen = wrapped = 0
    block = document.begin()
    while block.isValid():
        text = block.text().replace("\u2011", "-")
        layout = block.layout()
        wrapped += layout.lineCount() > 1
        ends = {
            layout.lineAt(i).textStart() + layout.lineAt(i).textLength()
            for i in range(layout.lineCount() - 1)
        }
        for key in keys:
            for match in re.finditer(re.escape(key), text):
                seen += 1
                inside = range(match.start() + 1, match.end())
                assert not ends & set(inside), (key, text[:60])
        block = block.next()
    assert seen > 20 and wrapped > 5


def test_dermatome_view_lights_the_selected_root(launch: Launch) -> None:
    """C6 lights the C6 dermatome; a level without a screened root hides the map."""
    window = launch()
    window.state.select("C6")
    view = window.panel.findChild(DermatomeView)
    assert view is not None and view.isVisibleTo(window.panel)
    assert view.lit == "C6"
    lit = view.diagram.items["C6"]
    assert lit.brush().color() == lit.base_brush.color()
    assert view.diagram.items["C7"].brush().color() != lit.base_brush.color()
    window.state.select("T6")
    assert not view.isVisibleTo(window.panel)
    window.state.select("S1")
    assert view.isVisibleTo(window.panel) and view.lit == "S1"
