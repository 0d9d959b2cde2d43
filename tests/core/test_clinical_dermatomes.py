"""Tests of the dermatome map: one element per screened root, front and back."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from companion.core.content import SCREENED_ROOTS

ROOT = Path(__file__).resolve().parents[2]
SVG = ROOT / "assets" / "diagrams" / "dermatomes.svg"
NS = {"svg": "http://www.w3.org/2000/svg"}


def root_groups() -> dict[str, ET.Element]:
    """The map's dermatome groups by root code."""
    tree = ET.parse(SVG)
    return {
        g.get("id", ""): g
        for g in tree.getroot().iterfind(".//svg:g", NS)
        if g.get("class") == "dermatome"
    }


def test_every_screened_root_has_its_element() -> None:
    """Exactly the ten screened roots have a dermatome group, in screen order."""
    assert tuple(root_groups()) == SCREENED_ROOTS


def test_each_root_is_drawn_on_both_sides_of_the_front_view() -> None:
    """Every root shows on the front, on both limbs; arm roots and S1 on the back."""
    for root, group in root_groups().items():
        views = [p.get("data-view") for p in group.iterfind("svg:polygon", NS)]
        assert views.count("front") >= 2 and views.count("front") % 2 == 0, root
        if root.startswith(("C", "T")) or root in ("L5", "S1"):
            assert views.count("back") >= 2, root


def test_the_map_is_the_generators_output() -> None:
    """The committed SVG is what tools/draw_dermatomes.py draws (not hand-edited)."""
    script = ROOT / "tools" / "draw_dermatomes.py"
    done = subprocess.run([sys.executable, str(script), "--check"], check=False)
    assert done.returncode == 0, "stale map: run tools/draw_dermatomes.py"
