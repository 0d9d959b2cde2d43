"""Draw the original dermatome map (front and back) as assets/diagrams/dermatomes.svg.

The figure is schematic: limbs are tapered strips and each screened root's
skin area is a band of a strip, placed after the ISNCSCI key sensory points
(C5 lateral upper arm, C6 thumb, C7 middle finger, C8 little finger, T1 medial
elbow; L2 upper thigh, L3 medial knee, L4 medial malleolus and shin, L5
dorsum of the foot and lateral leg, S1 lateral heel and calf). Every shape is
computed here; nothing is traced from another image.

Run: .venv/bin/python tools/draw_dermatomes.py
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "assets" / "diagrams" / "dermatomes.svg"
WIDTH, HEIGHT = 920, 1060
ROOTS = ("C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1")
# One colour per root, distinguishable side by side (arm roots warm, leg cool).
COLOURS = {
    "C5": "#e6194b",
    "C6": "#f58231",
    "C7": "#ffe119",
    "C8": "#bfef45",
    "T1": "#fabed4",
    "L2": "#42d4f4",
    "L3": "#4363d8",
    "L4": "#911eb4",
    "L5": "#3cb44b",
    "S1": "#469990",
}
SKIN = "#f3e3d3"
OUTLINE = "#6b5a4a"

Point = tuple[float, float]
# A limb segment: axis from top to bottom point, with its width at each end.
Segment = tuple[Point, Point, float, float]


def at(segment: Segment, t: float, lateral: float, outward: int) -> Point:
    """A point t along the segment (0 top, 1 bottom) and across it.

    lateral runs from 0 at the lateral edge to 1 at the medial edge; outward is
    -1 for a limb on the viewer's left, +1 for one on the right.
    """
    (x0, y0), (x1, y1), w0, w1 = segment
    x = x0 + (x1 - x0) * t
    y = y0 + (y1 - y0) * t
    width = w0 + (w1 - w0) * t
    return (x + outward * (0.5 - lateral) * width, y)


def band(
    segment: Segment,
    outward: int,
    t: tuple[float, float] = (0.0, 1.0),
    lateral: tuple[float, float] = (0.0, 1.0),
) -> list[Point]:
    """The quadrilateral of a segment between two lengths and two widths."""
    (t0, t1), (l0, l1) = t, lateral
    return [
        at(segment, t0, l0, outward),
        at(segment, t1, l0, outward),
        at(segment, t1, l1, outward),
        at(segment, t0, l1, outward),
    ]


def polygon(points: list[Point], **attrs: str) -> str:
    """An SVG polygon element."""
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<polygon points="{coords}"{extra}/>'


def limbs(cx: float, outward: int) -> dict[str, Segment]:
    """The limb segments of one side of a figure centred at cx."""
    o = outward
    return {
        "upper_arm": ((cx + o * 112, 168), (cx + o * 134, 340), 38, 30),
        "forearm": ((cx + o * 134, 340), (cx + o * 150, 482), 30, 24),
        "hand": ((cx + o * 150, 482), (cx + o * 158, 575), 36, 26),
        "thigh": ((cx + o * 36, 480), (cx + o * 42, 705), 64, 42),
        "leg": ((cx + o * 42, 705), (cx + o * 44, 925), 42, 26),
        "foot": ((cx + o * 44, 925), (cx + o * 50, 985), 28, 40),
    }


# (segment, length range, width range) per root and view. Widths run lateral
# (0) to medial (1); the front view shows the palm and the dorsum of the foot.
FRONT: dict[str, list[tuple[str, tuple[float, float], tuple[float, float]]]] = {
    "C5": [("upper_arm", (0.0, 1.0), (0.0, 0.5))],
    "T1": [("upper_arm", (0.0, 1.0), (0.5, 1.0)), ("forearm", (0.0, 0.5), (0.5, 1))],
    "C6": [("forearm", (0.0, 1.0), (0.0, 0.5)), ("hand", (0.0, 1.0), (0.0, 0.34))],
    "C8": [("forearm", (0.5, 1.0), (0.5, 1.0)), ("hand", (0.0, 1.0), (0.66, 1.0))],
    "C7": [("hand", (0.0, 1.0), (0.34, 0.66))],
    "L2": [("thigh", (0.0, 0.5), (0.0, 1.0))],
    "L3": [("thigh", (0.5, 1.0), (0.0, 1.0))],
    "L4": [("leg", (0.0, 1.0), (0.55, 1.0)), ("foot", (0.0, 1.0), (0.75, 1.0))],
    "L5": [("leg", (0.0, 1.0), (0.0, 0.55)), ("foot", (0.0, 1.0), (0.25, 0.75))],
    "S1": [("foot", (0.0, 1.0), (0.0, 0.25))],
}
BACK: dict[str, list[tuple[str, tuple[float, float], tuple[float, float]]]] = {
    "C5": [("upper_arm", (0.0, 1.0), (0.0, 0.5))],
    "T1": [("upper_arm", (0.0, 1.0), (0.5, 1.0))],
    "C6": [("forearm", (0.0, 1.0), (0.0, 0.34)), ("hand", (0.0, 1.0), (0.0, 0.34))],
    "C7": [("forearm", (0.0, 1.0), (0.34, 0.66)), ("hand", (0, 1.0), (0.34, 0.66))],
    "C8": [("forearm", (0.0, 1.0), (0.66, 1.0)), ("hand", (0.0, 1.0), (0.66, 1.0))],
    "L5": [("leg", (0.0, 1.0), (0.0, 0.35))],
    "S1": [("leg", (0.0, 1.0), (0.35, 1.0)), ("foot", (0.0, 1.0), (0.0, 1.0))],
}


def silhouette(cx: float) -> list[str]:
    """Head, neck, trunk and the skin of every limb segment."""
    shapes = [
        f'<circle cx="{cx:.1f}" cy="72" r="42"/>',
        f'<rect x="{cx - 18:.1f}" y="108" width="36" height="40"/>',
        polygon(
            [
                (cx - 96, 152),
                (cx - 36, 140),
                (cx + 36, 140),
                (cx + 96, 152),
                (cx + 120, 170),
                (cx + 96, 200),
                (cx + 64, 360),
                (cx + 70, 490),
                (cx - 70, 490),
                (cx - 64, 360),
                (cx - 96, 200),
                (cx - 120, 170),
            ]
        ),
    ]
    for outward in (-1, 1):
        for segment in limbs(cx, outward).values():
            shapes.append(polygon(band(segment, outward)))
    return shapes


def view(name: str, cx: float, plan: dict) -> tuple[list[str], dict[str, list[str]]]:
    """The silhouette and each root's shapes (both sides) for one view."""
    shapes: dict[str, list[str]] = {root: [] for root in ROOTS}
    for root, parts in plan.items():
        for outward in (-1, 1):
            segments = limbs(cx, outward)
            for segment, t, lateral in parts:
                points = band(segments[segment], outward, t, lateral)
                shapes[root].append(polygon(points, data_view=name))
    return silhouette(cx), shapes


def legend() -> list[str]:
    """A swatch and the root code for every screened root."""
    items = []
    for n, root in enumerate(ROOTS):
        x = 60 + n * 82
        items.append(
            f'<rect class="decor" x="{x}" y="1018" width="18" height="18" '
            f'fill="{COLOURS[root]}" stroke="{OUTLINE}" stroke-width="0.8"/>'
        )
        items.append(f'<text class="label" x="{x + 24}" y="1032">{root}</text>')
    return items


def draw() -> str:
    """The whole SVG document."""
    front_skin, front = view("front", 230, FRONT)
    back_skin, back = view("back", 690, BACK)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}">',
        "  <!-- Generated by tools/draw_dermatomes.py: original, schematic art. -->",
        f'  <g class="decor" fill="{SKIN}" stroke="{OUTLINE}" stroke-width="1.2">',
        *(f"    {s}" for s in front_skin + back_skin),
        "  </g>",
    ]
    for root in ROOTS:
        out.append(
            f'  <g id="{root}" class="dermatome" fill="{COLOURS[root]}" '
            f'fill-opacity="0.85" stroke="{OUTLINE}" stroke-width="0.6">'
        )
        out += [f"    {s}" for s in front[root] + back[root]]
        out.append("  </g>")
    out += [
        '  <g class="decor" font-family="DejaVu Sans" font-size="20" '
        f'fill="{OUTLINE}" text-anchor="middle">',
        '    <text class="label" x="230" y="1004">Front</text>',
        '    <text class="label" x="690" y="1004">Back</text>',
        "  </g>",
        '  <g class="decor" font-family="DejaVu Sans" font-size="14" '
        f'fill="{OUTLINE}">',
        *(f"    {s}" for s in legend()),
        "  </g>",
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def main() -> int:
    """Write the SVG, or with --check report whether the file is up to date."""
    text = draw()
    if "--check" in sys.argv[1:]:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        return 0 if current == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
