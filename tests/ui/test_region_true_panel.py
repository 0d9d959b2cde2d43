"""pytest-qt test: the region panel shows the selected region's own evidence."""

from __future__ import annotations

from collections.abc import Callable

from companion.core.content import load_content
from companion.ui.main_window import MainWindow

Launch = Callable[..., MainWindow]
CONTENT = load_content("en")


def test_neck_panel_shows_neck_evidence_and_neck_prevention(launch: Launch) -> None:
    """With the neck selected: neck notes, neck prevention, no lumbar Pilates."""
    window = launch()
    window.state.select("C4")
    text = window.panel.plain_text()
    prevention = {p.id: p for p in CONTENT.prevention}
    assert prevention["neck_strength"].clinician in text
    assert prevention["pilates"].clinician not in text
    assert prevention["core_fitness"].clinician not in text
    for option in CONTENT.options_for("cervical"):
        assert option.evidence_note_for("cervical") in text
    heat = next(o for o in CONTENT.options if o.id == "heat")
    assert heat.evidence_note not in text  # the low-back note, said as if the neck's
    window.state.select("L4")
    assert prevention["pilates"].clinician in window.panel.plain_text()
