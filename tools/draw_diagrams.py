"""Generate the posterior and lateral spine diagrams (assets/diagrams/*.svg) by code."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

Point = tuple[float, float]

OUT_DIR = Path(__file__).resolve().parents[1] / "assets" / "diagrams"
WIDTH, HEIGHT = 940, 1000

# Palette: a muted plate style; bone ivory, desaturated muscle reds, soft skin.
SKIN, SKIN_LINE = "#f6ece4", "#cdb6a6"
BONE, BONE_LINE, BONE_DETAIL = "#f1e8d2", "#7f6e52", "#b4a07c"
BONE_BACK = "#e6dcc2"  # bones lying behind others, a touch darker
DISC, DISC_LINE = "#cfd9dc", "#8c9da3"
MUSCLE_LINE, FIBRE = "#74362f", "#7a372f"
CUT = "#d9b3a7"
BAND, BAND_LINE, INK = "#e4eaee", "#7d8e99", "#36434b"
FONT = "DejaVu Sans"

MUSCLE_FILL = {
    "trapezius_upper": "#bb6a60",
    "trapezius_middle": "#b5625a",
    "trapezius_lower": "#b96c63",
    "latissimus_dorsi": "#c47e72",
    "levator_scapulae": "#a9534b",
    "splenius": "#b45d54",
    "rhomboids": "#a54d46",
    "erector_spinae": "#b9675e",
    "multifidus": "#9d463f",
    "quadratus_lumborum": "#ad5a50",
    "sternocleidomastoid": "#b7645b",
    "scalenes": "#a4514a",
}
DECOR_MUSCLE = "#caa096"  # orientation-only muscles (deltoid, gluteals, rotator cuff)

LEVEL_CODES = (
    [f"C{n}" for n in range(1, 8)]
    + [f"T{n}" for n in range(1, 13)]
    + [f"L{n}" for n in range(1, 6)]
    + ["S1", "Co"]
)
REGION_LEVELS = {
    "cervical": ("C1", "C7"),
    "thoracic": ("T1", "T12"),
    "lumbar": ("L1", "L5"),
    "sacral": ("S1", "Co"),
}
REGION_LABEL = {
    "cervical": "Cervical",
    "thoracic": "Thoracic",
    "lumbar": "Lumbar",
    "sacral": "Sacral",
}

# Relative vertebral heights, from standard adult proportions: bodies grow
# steadily from the neck to the lumbar spine, C2 is tall because of its dens.
HEIGHTS = dict(
    zip(
        LEVEL_CODES[:24],
        [
            *(13, 21, 15, 15, 16, 16, 17),
            *(19, 20, 20, 21, 21, 22, 22, 23, 23, 24, 25, 26),
            *(28, 29, 30, 30, 29),
        ],
        strict=True,
    )
)
GAPS = {"C": 4.0, "T": 5.0, "L": 7.0}


# ---------------------------------------------------------------- geometry


def fmt(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def p2s(p: Point) -> str:
    return f"{fmt(p[0])} {fmt(p[1])}"


def add(a: Point, b: Point) -> Point:
    return (a[0] + b[0], a[1] + b[1])


def sub(a: Point, b: Point) -> Point:
    return (a[0] - b[0], a[1] - b[1])


def mul(a: Point, k: float) -> Point:
    return (a[0] * k, a[1] * k)


def lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def mirror(points: Iterable[Point], cx: float) -> list[Point]:
    return [(2 * cx - x, y) for x, y in points]


def smooth_closed(points: Sequence[Point], k: float = 1 / 6) -> str:
    """A closed Catmull-Rom spline through points, written as cubic Béziers."""
    n = len(points)
    out = [f"M {p2s(points[0])}"]
    for i in range(n):
        p0, p1 = points[i - 1], points[i]
        p2, p3 = points[(i + 1) % n], points[(i + 2) % n]
        c1 = add(p1, mul(sub(p2, p0), k))
        c2 = sub(p2, mul(sub(p3, p1), k))
        out.append(f"C {p2s(c1)} {p2s(c2)} {p2s(p2)}")
    return " ".join(out) + " Z"


def smooth_segments(points: Sequence[Point], k: float = 1 / 6) -> list[str]:
    """Cubic segments of an open Catmull-Rom spline (without the leading M)."""
    pts = [points[0], *points, points[-1]]
    segs = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        c1 = add(p1, mul(sub(p2, p0), k))
        c2 = sub(p2, mul(sub(p3, p1), k))
        segs.append(f"C {p2s(c1)} {p2s(c2)} {p2s(p2)}")
    return segs


def smooth_open(points: Sequence[Point], k: float = 1 / 6) -> str:
    return " ".join([f"M {p2s(points[0])}", *smooth_segments(points, k)])


def polyline_at(points: Sequence[Point], t: float) -> Point:
    """The point a fraction t along a polyline's length."""
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    total = sum(lengths) or 1.0
    target = t * total
    for (a, b), seg in zip(itertools.pairwise(points), lengths, strict=True):
        if target <= seg:
            return lerp(a, b, target / seg if seg else 0.0)
        target -= seg
    return points[-1]


def quad_at(a: Point, c: Point, b: Point, t: float) -> Point:
    return lerp(lerp(a, c, t), lerp(c, b, t), t)


# ---------------------------------------------------------------- svg writer


class Svg:
    """A tiny writer for the SVG subset svg_scene.py understands."""

    def __init__(self, **meta: str) -> None:
        extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in meta.items())
        self.lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
            f"{extra}>",
        ]
        self.depth = 1
        self.lines_by_id: dict[str, int] = {}  # where each id'd element opens

    @staticmethod
    def _attrs(attrs: dict[str, object]) -> str:
        parts = []
        for key, value in attrs.items():
            if value is None:
                continue
            name = "class" if key == "cls" else key.replace("_", "-")
            if isinstance(value, float):
                value = fmt(value)
            parts.append(f'{name}="{escape(str(value))}"')
        return " ".join(parts)

    def comment(self, text: str) -> None:
        self.lines.append("  " * self.depth + f"<!-- {text} -->")

    def el(self, tag: str, text: str | None = None, **attrs: object) -> None:
        pad = "  " * self.depth
        self._note_id(attrs)
        if text is None:
            self.lines.append(f"{pad}<{tag} {self._attrs(attrs)}/>")
        else:
            self.lines.append(
                f"{pad}<{tag} {self._attrs(attrs)}>{escape(text)}</{tag}>"
            )

    def path(self, d: str, **attrs: object) -> None:
        self.el("path", d=d, **attrs)

    def group(self, **attrs: object) -> _Group:
        return _Group(self, attrs)

    def _note_id(self, attrs: dict[str, object]) -> None:
        if attrs.get("id") is not None:
            self.lines_by_id[str(attrs["id"])] = len(self.lines)

    def set_attr(self, element_id: str, name: str, value: str) -> None:
        """Add an attribute to the element already written with this id."""
        index = self.lines_by_id[element_id]
        line = self.lines[index]
        if line.endswith("</text>") or not line.endswith(">"):
            raise ValueError(f"cannot add {name} to {line.strip()!r}")
        end = len(line) - (2 if line.endswith("/>") else 1)
        self.lines[index] = f'{line[:end]} {name}="{escape(value)}"{line[end:]}'

    def text(self) -> str:
        return "\n".join([*self.lines, "</svg>", ""])

    def save(self, path: Path) -> None:
        path.write_text(self.text(), encoding="utf-8")


class _Group:
    def __init__(self, svg: Svg, attrs: dict[str, object]) -> None:
        self.svg, self.attrs = svg, attrs

    def __enter__(self) -> Svg:
        pad = "  " * self.svg.depth
        self.svg._note_id(self.attrs)
        self.svg.lines.append(f"{pad}<g {self.svg._attrs(self.attrs)}>")
        self.svg.depth += 1
        return self.svg

    def __exit__(self, *exc: object) -> None:
        self.svg.depth -= 1
        self.svg.lines.append("  " * self.svg.depth + "</g>")


def bone(**extra: object) -> dict[str, object]:
    return {"fill": BONE, "stroke": BONE_LINE, "stroke_width": 1.2, **extra}


def decor_line(colour: str, width: float, opacity: float = 1.0) -> dict[str, object]:
    return {
        "cls": "decor",
        "fill": "none",
        "stroke": colour,
        "stroke_width": width,
        "opacity": opacity if opacity < 1 else None,
    }


# ---------------------------------------------------------------- muscles


@dataclass
class Ribbon:
    """A muscle belly whose fibres run from an origin line to an insertion line.

    Both sides and every fibre are quadratic curves between matching points of
    the two lines, so the fibre strokes always stay inside the outline.
    """

    origin: list[Point]
    insertion: list[Point]
    bulge0: Point = (0.0, 0.0)
    bulge1: Point = (0.0, 0.0)

    def at(self, t: float) -> tuple[Point, Point, Point]:
        o = polyline_at(self.origin, t)
        i = polyline_at(self.insertion, t)
        c = add(lerp(o, i, 0.5), lerp(self.bulge0, self.bulge1, t))
        return o, c, i

    def outline(self) -> str:
        o0, c0, _ = self.at(0.0)
        _, c1, i1 = self.at(1.0)
        d = [f"M {p2s(o0)}", *smooth_segments(self.origin, 0.12)]
        d.append(f"Q {p2s(c1)} {p2s(i1)}")
        d += smooth_segments(self.insertion[::-1], 0.12)
        d.append(f"Q {p2s(c0)} {p2s(o0)} Z")
        return " ".join(d)

    def fibre(self, t: float, trim: float = 0.04) -> str:
        o, c, i = self.at(t)
        a = quad_at(o, c, i, trim)
        b = quad_at(o, c, i, 1 - trim)
        # Re-derive the control point of the trimmed piece of the quadratic.
        mid = lerp(lerp(o, c, 0.5), lerp(c, i, 0.5), 0.5)
        ctrl = sub(mul(mid, 2), lerp(a, b, 0.5))
        return f"M {p2s(a)} Q {p2s(ctrl)} {p2s(b)}"

    def fibres(self, count: int) -> list[str]:
        return [self.fibre((j + 0.5) / count) for j in range(count)]


def draw_muscle(
    svg: Svg, code: str, parts: Sequence[Ribbon], fibres: int = 14, extra=None
) -> None:
    fill = MUSCLE_FILL[code]
    with svg.group(id=code, cls="muscle"):
        for ribbon in parts:
            svg.path(
                ribbon.outline(),
                fill=fill,
                stroke=MUSCLE_LINE,
                stroke_width=1.1,
            )
        for ribbon in parts:
            d = " ".join(ribbon.fibres(fibres))
            svg.path(d, **decor_line(FIBRE, 0.7, 0.55))
        if extra:
            extra(svg)


def draw_decor_muscle(svg: Svg, ribbon: Ribbon, fibres: int = 10) -> None:
    svg.path(
        ribbon.outline(),
        cls="decor",
        fill=DECOR_MUSCLE,
        stroke="#9a6a60",
        stroke_width=0.9,
    )
    svg.path(" ".join(ribbon.fibres(fibres)), **decor_line("#996156", 0.6, 0.45))


# ---------------------------------------------------------------- region ruler

BAND_X, BAND_W = 812.0, 13.0


def draw_region_bands(svg: Svg, spans: dict[str, tuple[float, float]]) -> None:
    svg.comment("region bands: a ruler beside the spine, one band per region")
    for region, (top, bottom) in spans.items():
        with svg.group(id=region, cls="region"):
            svg.el(
                "rect",
                x=BAND_X,
                y=top,
                width=BAND_W,
                height=bottom - top,
                rx=5.0,
                fill=BAND,
                stroke=BAND_LINE,
                stroke_width=1.2,
            )
            svg.el(
                "text",
                REGION_LABEL[region],
                cls="label",
                x=BAND_X + 46,
                y=(top + bottom) / 2 + 5,
                font_size=15,
                font_family=FONT,
                fill=INK,
            )


def draw_level_ticks(svg: Svg, centres: dict[str, float]) -> None:
    for code, y in centres.items():
        svg.el(
            "line",
            cls="decor",
            x1=BAND_X + BAND_W,
            y1=y,
            x2=BAND_X + BAND_W + 5,
            y2=y,
            stroke=BAND_LINE,
            stroke_width=0.8,
        )
        svg.el(
            "text",
            code,
            cls="decor",
            x=BAND_X + BAND_W + 7,
            y=y + 3.2,
            font_size=9,
            font_family=FONT,
            fill="#5b6a73",
        )


# ================================================================ posterior

CX = 420.0


@dataclass
class PostLevel:
    code: str
    y0: float
    y1: float
    bw: float  # half width of the laminae
    tw: float  # reach of the transverse processes
    drop: float  # how far the spinous process hangs below the lamina

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    def y(self, frac: float = 0.5) -> float:
        return self.y0 + self.h * frac


def posterior_levels() -> dict[str, PostLevel]:
    tw = {
        "C1": 38, "C2": 26, "C3": 27, "C4": 28, "C5": 29, "C6": 30, "C7": 34,
        "T1": 38, "T2": 37, "T3": 36, "T4": 35, "T5": 34, "T6": 34, "T7": 33,
        "T8": 32, "T9": 31, "T10": 30, "T11": 25, "T12": 21,
        "L1": 37, "L2": 42, "L3": 48, "L4": 45, "L5": 46,
    }  # fmt: skip
    levels: dict[str, PostLevel] = {}
    y = 154.0
    codes = LEVEL_CODES[:24]
    for i, code in enumerate(codes):
        h = HEIGHTS[code]
        region = code[0]
        bw = {"C": 17.0 + i * 0.4, "T": 18.0 + (i - 7) * 0.35, "L": 24.0 + (i - 19)}[
            region
        ]
        gap = GAPS[region]
        drop = {"C": 2.0, "T": gap + 1.0, "L": 2.0}[region]
        if code == "C1":
            drop = -3.0
        if code == "C2":
            drop = 5.0
        levels[code] = PostLevel(code, y, y + h, bw, tw[code], drop)
        y += h + gap
    levels["S1"] = PostLevel("S1", y, y + 108, 58, 58, 0)
    levels["Co"] = PostLevel("Co", y + 111, y + 152, 12, 12, 0)
    return levels


def posterior_vertebra(lv: PostLevel) -> list[Point]:
    x, y0, y1, h = CX, lv.y0, lv.y1, lv.h
    bw, tw = lv.bw, lv.tw
    region = lv.code[0]
    tilt = {"C": 2.0, "T": 3.0, "L": 0.0}[region]
    tp_top, tp_bot = y0 + 0.22 * h, y0 + 0.5 * h
    if lv.code == "C1":
        tp_top, tp_bot = y0 + 0.15 * h, y0 + 0.75 * h
    if region == "L":
        tp_top, tp_bot = y0 + 0.32 * h, y0 + 0.56 * h
    right = [
        (x, y0 + 0.2 * h),
        (x + bw * 0.42, y0 + 0.06 * h),
        (x + bw * 0.78, y0 - 0.08 * h),
        (x + bw + 1, y0 + 0.12 * h),
        (x + bw + 3, tp_top),
        (x + tw - 3, tp_top - tilt),
        (x + tw, (tp_top + tp_bot) / 2 - tilt),
        (x + tw - 3, tp_bot - tilt),
        (x + bw + 2, tp_bot + 0.06 * h),
        (x + bw * 0.92, y0 + 0.8 * h),
        (x + bw * 0.68, y1 + 0.07 * h),
        (x + bw * 0.36, y1 - 0.02 * h),
        (x + 4.5, y1 + lv.drop * 0.55),
        (x, y1 + lv.drop),
    ]
    left = mirror(right[1:-1], CX)[::-1]
    return right + left


def draw_posterior_vertebra(svg: Svg, lv: PostLevel) -> None:
    with svg.group(id=lv.code, cls="vertebra"):
        svg.path(smooth_closed(posterior_vertebra(lv)), **bone())
        # Spinous process ridge and laminar shading give the bone some depth.
        top = lv.y(0.32)
        svg.path(
            f"M {p2s((CX, top))} L {p2s((CX, lv.y1 + lv.drop - 2))}",
            **decor_line(BONE_DETAIL, 2.2),
        )
        for side in (-1, 1):
            a = (CX + side * lv.bw * 0.55, lv.y(0.3))
            b = (CX + side * lv.bw * 0.62, lv.y(0.85))
            svg.path(f"M {p2s(a)} L {p2s(b)}", **decor_line(BONE_DETAIL, 0.8, 0.7))


def draw_sacrum_posterior(svg: Svg, lv: PostLevel) -> None:
    y = lv.y0
    right = [
        (CX, y + 5),
        (CX + 12, y - 6),
        (CX + 24, y + 1),
        (CX + 44, y + 2),
        (CX + 58, y + 12),
        (CX + 55, y + 38),
        (CX + 42, y + 66),
        (CX + 24, y + 92),
        (CX + 10, y + 106),
        (CX, y + 108),
    ]
    outline = right + mirror(right[1:-1], CX)[::-1]
    with svg.group(id="S1", cls="vertebra"):
        svg.path(smooth_closed(outline, 0.14), **bone())
        crest = [(CX, y + 10 + 19 * k) for k in range(5)]
        svg.path(smooth_open(crest), **decor_line(BONE_DETAIL, 3.0))
        for k in range(4):
            fy = y + 22 + 20 * k
            fx = 24 - 3.5 * k
            for side in (-1, 1):
                svg.el(
                    "ellipse",
                    cls="decor",
                    cx=CX + side * fx,
                    cy=fy,
                    rx=5.0 - 0.6 * k,
                    ry=4.0 - 0.4 * k,
                    fill="#c7b48f",
                    stroke=BONE_LINE,
                    stroke_width=0.6,
                )


def draw_coccyx_posterior(svg: Svg, lv: PostLevel) -> None:
    with svg.group(id="Co", cls="vertebra"):
        y = lv.y0
        for k, (w, h) in enumerate([(13, 11), (10, 10), (7.5, 8), (5, 7)]):
            horn = 4.0 if k == 0 else 0.0
            right = [
                (CX, y),
                (CX + w * 0.7, y - horn * 0.5),
                (CX + w + horn, y + h * 0.35),
                (CX + w * 0.8, y + h),
                (CX, y + h + 1),
            ]
            pts = right + mirror(right[1:-1], CX)[::-1]
            svg.path(smooth_closed(pts), **bone())
            y += h + 2


def draw_posterior() -> Svg:
    lv = posterior_levels()
    svg = Svg(data_spine_x="420", data_label_left="205", data_label_right="636")
    y = {code: level.y() for code, level in lv.items()}
    ys = lv["S1"].y0

    # --- body silhouette (skin) and skull -----------------------------------
    svg.comment("skin silhouette, arms cut at mid-humerus as on an anatomy plate")
    right = [
        (CX, 4),
        (CX + 58, 14),
        (CX + 84, 60),
        (CX + 86, 112),
        (CX + 70, 150),
        (CX + 56, 176),
        (CX + 58, 222),
        (CX + 100, 252),
        (CX + 160, 272),
        (CX + 204, 290),
        (CX + 226, 330),
        (CX + 233, 400),
        (CX + 231, 448),
        (CX + 188, 452),
        (CX + 180, 478),
        (CX + 168, 560),
        (CX + 152, 640),
        (CX + 162, 705),
        (CX + 184, 780),
        (CX + 192, 860),
        (CX + 178, 935),
        (CX + 130, 982),
        (CX + 50, 990),
        (CX + 8, 952),
        (CX, 946),
    ]
    body = right + mirror(right[1:-1], CX)[::-1]
    svg.path(
        smooth_closed(body, 0.15),
        cls="decor",
        fill=SKIN,
        stroke=SKIN_LINE,
        stroke_width=1.5,
    )
    for side in (-1, 1):
        # Ears seen from behind, and the cut surface of each upper arm.
        svg.el(
            "ellipse",
            cls="decor",
            cx=CX + side * 88,
            cy=100,
            rx=9.0,
            ry=24.0,
            fill=SKIN,
            stroke=SKIN_LINE,
            stroke_width=1.2,
        )
        svg.el(
            "ellipse",
            cls="decor",
            cx=CX + side * 210,
            cy=450,
            rx=22.0,
            ry=6.0,
            fill=CUT,
            stroke="#a87a6e",
            stroke_width=1.0,
        )
        svg.el(
            "ellipse",
            cls="decor",
            cx=CX + side * 212,
            cy=450,
            rx=7.0,
            ry=3.0,
            fill=BONE,
            stroke=BONE_LINE,
            stroke_width=0.8,
        )

    svg.comment("skull seen from behind: occipital and parietal bones, mastoids")
    skull_r = [
        (CX, 14),
        (CX + 54, 26),
        (CX + 76, 66),
        (CX + 76, 108),
        (CX + 66, 132),
        (CX + 60, 150),
        (CX + 52, 140),
        (CX + 30, 142),
        (CX + 14, 148),
        (CX, 146),
    ]
    skull = skull_r + mirror(skull_r[1:-1], CX)[::-1]
    svg.path(smooth_closed(skull, 0.15), cls="decor", **bone())
    for side in (-1, 1):
        # Mandibular rami peek out below the skull base.
        ramus = [
            (CX + side * 58, 132),
            (CX + side * 68, 140),
            (CX + side * 66, 166),
            (CX + side * 56, 170),
            (CX + side * 54, 150),
        ]
        svg.path(smooth_closed(ramus), cls="decor", **bone(fill=BONE_BACK))
    svg.path(
        f"M {p2s((CX - 70, 96))} L {p2s((CX - 36, 62))} L {p2s((CX - 14, 44))} "
        f"L {p2s((CX, 38))} L {p2s((CX + 14, 44))} L {p2s((CX + 36, 62))} "
        f"L {p2s((CX + 70, 96))}",
        **decor_line(BONE_DETAIL, 1.0),
    )
    svg.path(
        f"M {p2s((CX - 58, 120))} Q {p2s((CX, 96))} {p2s((CX + 58, 120))}",
        **decor_line(BONE_DETAIL, 1.4),
    )
    svg.path(f"M {p2s((CX, 26))} L {p2s((CX, 38))}", **decor_line(BONE_DETAIL, 1.0))
    svg.el(
        "circle",
        cls="decor",
        cx=CX,
        cy=108.0,
        r=4.0,
        fill=BONE_BACK,
        stroke=BONE_DETAIL,
        stroke_width=1.0,
    )

    # --- ribs, scapulae, pelvis ---------------------------------------------
    svg.comment("ribs: thin, behind everything else")
    rib_len = [70, 104, 128, 146, 156, 160, 158, 150, 136, 116, 78, 52]
    for i in range(12):
        t = lv[f"T{i + 1}"]
        for side in (-1, 1):
            s = (CX + side * (t.tw - 6), t.y(0.36))
            length = rib_len[i]
            e = (CX + side * (t.tw + length * 0.92), t.y(0.36) + length * 0.42 + 12)
            c1 = (s[0] + side * length * 0.5, s[1] - 8)
            c2 = (e[0] + side * 4, s[1] + length * 0.1)
            d = f"M {p2s(s)} C {p2s(c1)} {p2s(c2)} {p2s(e)}"
            svg.path(d, **decor_line(BONE_LINE, 8.0, 0.55))
            svg.path(d, **decor_line(BONE_BACK, 6.2))

    svg.comment("pelvis: ilia, ischia and femoral heads for orientation")
    yl4, yl5 = lv["L4"].y(), lv["L5"].y()
    for side in (-1, 1):
        ilium = [
            (CX + 44, yl5 + 8),
            (CX + 58, yl4 - 4),
            (CX + 98, yl4 - 22),
            (CX + 142, yl4 - 10),
            (CX + 164, yl4 + 16),
            (CX + 156, ys + 30),
            (CX + 140, ys + 64),
            (CX + 118, ys + 82),
            (CX + 88, ys + 56),
            (CX + 60, ys + 40),
            (CX + 54, ys + 14),
        ]
        ischium = [
            (CX + 100, ys + 96),
            (CX + 120, ys + 108),
            (CX + 114, ys + 146),
            (CX + 98, ys + 160),
            (CX + 78, ys + 152),
            (CX + 80, ys + 118),
        ]
        femur = [
            (CX + 96, ys + 84),
            (CX + 108, ys + 70),
            (CX + 128, ys + 74),
            (CX + 150, ys + 88),
            (CX + 170, ys + 84),
            (CX + 184, ys + 100),
            (CX + 182, ys + 132),
            (CX + 172, 1000),
            (CX + 140, 1000),
            (CX + 146, ys + 146),
            (CX + 134, ys + 132),
            (CX + 126, ys + 112),
            (CX + 106, ys + 104),
        ]
        for shape in (femur, ischium, ilium):
            pts = shape if side > 0 else mirror(shape, CX)[::-1]
            svg.path(smooth_closed(pts, 0.15), cls="decor", **bone(fill=BONE_BACK))
        crest = [
            (CX + side * dx, yl4 + dy) for dx, dy in [(62, 2), (98, -14), (138, -3)]
        ]
        svg.path(smooth_open(crest), **decor_line(BONE_DETAIL, 1.0))

    svg.comment("scapulae")
    t1, t2, t3, t5, t7 = (lv[c] for c in ("T1", "T2", "T3", "T5", "T7"))
    scap = [
        (CX + 66, t2.y(0.2)),
        (CX + 100, t2.y(0.3)),
        (CX + 124, t2.y(0.7)),
        (CX + 160, t2.y(0.6)),
        (CX + 164, t3.y(0.6)),
        (CX + 150, t5.y()),
        (CX + 126, t7.y(-0.4)),
        (CX + 100, t7.y(1.3)),
        (CX + 86, t7.y(0.4)),
        (CX + 74, t5.y()),
        (CX + 64, t3.y()),
    ]
    spine = [
        (CX + 66, t3.y(0.7)),
        (CX + 120, t2.y(1.2)),
        (CX + 170, t1.y(0.8)),
        (CX + 198, t1.y(0.2)),
        (CX + 204, t1.y(0.9)),
        (CX + 176, t2.y(0.7)),
        (CX + 124, t3.y(0.2)),
        (CX + 72, t3.y(1.3)),
    ]
    for side in (-1, 1):
        for shape in (scap, spine):
            pts = shape if side > 0 else mirror(shape, CX)[::-1]
            svg.path(smooth_closed(pts, 0.15), cls="decor", **bone())

    svg.comment("orientation-only muscles: rotator cuff, teres, deltoid, gluteals")
    for side in (-1, 1):

        def m(p: Point, s: int = side) -> Point:
            return (CX + s * p[0], p[1])

        def v(p: Point, s: int = side) -> Point:
            return (s * p[0], p[1])

        draw_decor_muscle(
            svg,
            Ribbon(
                [m((70, t2.y(0.2))), m((72, t3.y(0.4)))],
                [m((178, t1.y(0.4))), m((184, t1.y(1.2)))],
                v((0, -6)),
                v((0, 2)),
            ),
            8,
        )
        draw_decor_muscle(
            svg,
            Ribbon(
                [m((78, t3.y(1.4))), m((96, t7.y(0.9)))],
                [m((150, t2.y(1.0))), m((156, t3.y(1.0)))],
                v((0, 6)),
                v((6, 10)),
            ),
            9,
        )
        draw_decor_muscle(
            svg,
            Ribbon(
                [m((100, t7.y(1.3))), m((124, t7.y(-0.3)))],
                [m((188, 436)), m((192, 416))],
                v((0, 6)),
                v((0, -4)),
            ),
            6,
        )
        draw_decor_muscle(
            svg,
            Ribbon(
                [m((118, t2.y(0.9))), m((176, t1.y(0.9))), m((204, 292))],
                [m((206, 446)), m((214, 446)), m((222, 440))],
                v((-6, 0)),
                v((22, 0)),
            ),
            12,
        )
    glute = Ribbon(
        [(CX - 70, yl4 + 20), (CX - 58, ys + 30), (CX - 36, ys + 90),
         (CX - 16, ys + 140)],
        [(CX - 168, ys + 60), (CX - 182, ys + 112), (CX - 164, ys + 168)],
        (-4, -22),
        (-16, 30),
    )  # fmt: skip
    draw_decor_muscle(svg, glute, 12)
    glute_med = Ribbon(
        [(CX - 96, yl4 - 6), (CX - 150, yl4 + 8)],
        [(CX - 160, ys + 60), (CX - 174, ys + 70)],
        (0, 0),
        (-8, 0),
    )
    draw_decor_muscle(svg, glute_med, 8)

    # --- superficial layer on the patient's left (viewer's left) -------------
    svg.comment("patient's left: superficial layer")
    draw_muscle(
        svg,
        "latissimus_dorsi",
        [
            Ribbon(
                [
                    (CX, lv["T7"].y()),
                    (CX, lv["L2"].y()),
                    (CX, lv["L5"].y1),
                    (CX - 48, yl5),
                    (CX - 98, yl4 - 18),
                    (CX - 150, yl4 - 2),
                ],
                [(CX - 200, 404), (CX - 190, 432)],
                (4, 14),
                (-34, 0),
            )
        ],
        fibres=22,
        extra=lambda s: s.path(
            smooth_closed(
                [
                    (CX, lv["T11"].y()),
                    (CX - 34, lv["L1"].y()),
                    (CX - 70, lv["L3"].y()),
                    (CX - 92, yl4 - 14),
                    (CX - 50, yl5),
                    (CX, lv["L5"].y1),
                ],
                0.1,
            ),
            cls="decor",
            fill="#e9dbd0",
            opacity=0.85,
            stroke="#c4a596",
            stroke_width=0.8,
        ),
    )
    draw_muscle(
        svg,
        "trapezius_lower",
        [
            Ribbon(
                [(CX, t5.y(0.0)), (CX, lv["T12"].y(0.8))],
                [(CX - 72, t3.y(1.0)), (CX - 64, t3.y(1.8))],
                (0, 4),
                (-26, 20),
            )
        ],
        fibres=16,
    )
    draw_muscle(
        svg,
        "trapezius_middle",
        [
            Ribbon(
                [(CX, lv["C7"].y(0.8)), (CX, t5.y(0.0))],
                [(CX - 200, 291), (CX - 122, t2.y(1.1)), (CX - 72, t3.y(1.0))],
                (0, -3),
                (0, 4),
            )
        ],
        fibres=14,
    )
    draw_muscle(
        svg,
        "trapezius_upper",
        [
            Ribbon(
                [
                    (CX - 54, 120),
                    (CX - 28, 108),
                    (CX, 106),
                    (CX, lv["C4"].y()),
                    (CX, lv["C7"].y(0.8)),
                ],
                [(CX - 140, 264), (CX - 200, 291)],
                (36, 26),
                (0, 6),
            )
        ],
        fibres=14,
    )

    # --- deep layer on the patient's right (viewer's right) ------------------
    svg.comment("patient's right: deep layer")
    draw_muscle(
        svg,
        "quadratus_lumborum",
        [
            Ribbon(
                [(CX + 44, yl4 + 12), (CX + 96, yl4 - 20), (CX + 138, yl4 - 10)],
                [(CX + 26, lv["T12"].y(0.4)), (CX + 104, lv["T12"].y() + 44)],
                (0, 0),
                (8, 0),
            )
        ],
        fibres=10,
    )
    erector = Ribbon(
        [(CX + 10, ys + 74), (CX + 40, ys + 40), (CX + 62, ys + 6), (CX + 74, yl5)],
        [(CX + 10, lv["C2"].y()), (CX + 32, lv["C3"].y())],
        (0, 0),
        (64, 0),
    )

    def erector_columns(s: Svg) -> None:
        # Boundaries of spinalis, longissimus and iliocostalis within the column.
        for t in (0.3, 0.64):
            s.path(erector.fibre(t, 0.02), **decor_line(MUSCLE_LINE, 1.0, 0.8))

    draw_muscle(svg, "erector_spinae", [erector], fibres=18, extra=erector_columns)
    draw_muscle(
        svg,
        "multifidus",
        [
            Ribbon(
                [(CX + 8, ys + 70), (CX + 30, ys + 42), (CX + 44, yl5)],
                [(CX + 8, lv["T10"].y()), (CX + 22, lv["T11"].y())],
                (0, 0),
                (24, 0),
            )
        ],
        fibres=8,
    )
    draw_muscle(
        svg,
        "splenius",
        [
            Ribbon(
                [(CX + 4, lv["C3"].y()), (CX + 4, lv["C7"].y()), (CX + 6, t3.y(0.9))],
                [(CX + 26, 112), (CX + 58, 122), (CX + 74, 138)],
                (0, 0),
                (30, 16),
            )
        ],
        fibres=12,
    )
    draw_muscle(
        svg,
        "levator_scapulae",
        [
            Ribbon(
                [(CX + 38, lv["C1"].y()), (CX + 30, lv["C4"].y(0.7))],
                [(CX + 80, t2.y(0.6)), (CX + 68, t2.y(0.1))],
                (10, 2),
                (14, -8),
            )
        ],
        fibres=7,
    )

    def rhomboid_split(s: Svg) -> None:
        s.path(rhomboid.fibre(0.3, 0.0), **decor_line(MUSCLE_LINE, 1.0, 0.8))

    rhomboid = Ribbon(
        [(CX + 2, lv["C7"].y(0.2)), (CX + 2, t5.y(0.9))],
        [(CX + 64, t3.y()), (CX + 72, t5.y()), (CX + 98, t7.y(1.2))],
        (0, 4),
        (0, 6),
    )
    draw_muscle(svg, "rhomboids", [rhomboid], fibres=14, extra=rhomboid_split)

    # --- bones drawn over muscles so they stay clickable ---------------------
    svg.comment("vertebrae, sacrum and coccyx: top of the stack")
    draw_coccyx_posterior(svg, lv["Co"])
    draw_sacrum_posterior(svg, lv["S1"])
    for code in reversed(LEVEL_CODES[:24]):
        draw_posterior_vertebra(svg, lv[code])

    spans = {r: (lv[a].y0 - 2, lv[b].y1 + 2) for r, (a, b) in REGION_LEVELS.items()}
    draw_region_bands(svg, spans)
    draw_level_ticks(svg, y)
    return svg


# ================================================================ lateral

# Vertebral-body centre line, patient facing the viewer's left: cervical and
# lumbar lordosis bow forward (left), thoracic kyphosis bows back (right).
SPINE_KNOTS: list[Point] = [
    (492, 222),
    (478, 268),
    (476, 306),
    (487, 344),
    (503, 382),
    (522, 440),
    (529, 510),
    (520, 580),
    (503, 632),
    (486, 700),
    (488, 752),
    (502, 796),
]


def catmull_samples(knots: Sequence[Point], per: int = 40) -> list[Point]:
    pts = [knots[0], *knots, knots[-1]]
    out: list[Point] = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for j in range(per):
            t = j / per
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                    )
                    for k in range(2)
                )
            )
    out.append(knots[-1])
    return out


@dataclass
class Frame:
    """A point on the spine with its downward tangent and posterior normal."""

    origin: Point
    t: Point
    n: Point

    def at(self, u: float, v: float) -> Point:
        """Local (u toward the back, v down the spine) to diagram coordinates."""
        return add(self.origin, add(mul(self.n, u), mul(self.t, v)))


def frame_from_angle(origin: Point, angle_deg: float) -> Frame:
    a = math.radians(angle_deg)
    t = (math.sin(a), math.cos(a))  # angle measured from straight down, + = back
    return Frame(origin, t, (t[1], -t[0]))


class Curve:
    def __init__(self, knots: Sequence[Point]) -> None:
        self.pts = catmull_samples(knots)
        self.s = [0.0]
        for a, b in zip(self.pts, self.pts[1:], strict=False):
            self.s.append(self.s[-1] + math.dist(a, b))
        self.length = self.s[-1]

    def frame(self, dist: float) -> Frame:
        dist = min(max(dist, 0.0), self.length)
        for i in range(1, len(self.s)):
            if self.s[i] >= dist:
                a, b = self.pts[i - 1], self.pts[i]
                seg = self.s[i] - self.s[i - 1] or 1.0
                p = lerp(a, b, (dist - self.s[i - 1]) / seg)
                d = sub(b, a)
                norm = math.hypot(*d) or 1.0
                t = (d[0] / norm, d[1] / norm)
                return Frame(p, t, (t[1], -t[0]))
        raise AssertionError("unreachable")


@dataclass
class LatLevel:
    code: str
    frame: Frame  # at the body's centre
    h: float


def lateral_levels(curve: Curve) -> dict[str, LatLevel]:
    codes = LEVEL_CODES[:24]
    need = sum(HEIGHTS[c] for c in codes) + sum(GAPS[c[0]] for c in codes[:-1])
    scale = curve.length / need
    out: dict[str, LatLevel] = {}
    s = 0.0
    for code in codes:
        h = HEIGHTS[code] * scale
        out[code] = LatLevel(code, curve.frame(s + h / 2), h)
        s += h + GAPS[code[0]] * scale
    return out


def lateral_vertebra_shapes(lv: LatLevel, index: int) -> list[str]:
    f, h, code = lv.frame, lv.h, lv.code
    region = code[0]
    depth = {"C": 8.0 + index * 0.35, "T": 10.5 + (index - 7) * 0.5}.get(
        region, 16.5 + (index - 19) * 0.6
    )
    ped = {"C": 7.0, "T": 9.0, "L": 11.0}[region]
    if region == "C":
        sp_len, sp_drop, sp_h = 12.0 + index * 1.2, 3.0 + index * 0.6, 4.0
        if code == "C2":
            sp_len, sp_drop, sp_h = 17.0, 4.0, 6.0
        if code == "C7":
            sp_len, sp_drop, sp_h = 25.0, 9.0, 5.0
    elif region == "T":
        k = index - 7
        sp_len, sp_drop, sp_h = (
            24.0 + min(k, 6) * 0.8,
            h * (0.55 + 0.04 * min(k, 6)),
            5.0,
        )
        if code in ("T11", "T12"):
            sp_len, sp_drop, sp_h = 24.0, h * 0.35, 8.0
    else:
        sp_len, sp_drop, sp_h = 23.0, 2.0, h * 0.5
    d, hh = depth, h / 2
    shapes: list[str] = []

    if code == "C1":
        # The atlas has no body: a small anterior arch, lateral mass, posterior arch.
        ring = [
            (-11, -2),
            (-7, -hh),
            (2, -hh - 1),
            (7, -hh + 1),
            (12, -3),
            (26, -4),
            (31, -3),
            (33, 1),
            (28, 4),
            (12, 4),
            (6, hh),
            (-4, hh + 1),
            (-9, 3),
        ]
        return [smooth_closed([f.at(u, v) for u, v in ring], 0.14)]

    r = min(3.5, hh * 0.4)
    waist = 1.6 if region != "C" else 0.8
    body = [
        f"M {p2s(f.at(-d + r, -hh))}",
        f"L {p2s(f.at(d - r, -hh))}",
        f"Q {p2s(f.at(d, -hh))} {p2s(f.at(d, -hh + r))}",
        f"L {p2s(f.at(d, hh - r))}",
        f"Q {p2s(f.at(d, hh))} {p2s(f.at(d - r, hh))}",
        f"L {p2s(f.at(-d + r, hh))}",
        f"Q {p2s(f.at(-d, hh))} {p2s(f.at(-d, hh - r))}",
        f"Q {p2s(f.at(-d + waist * 2, 0))} {p2s(f.at(-d, -hh + r))}",
        f"Q {p2s(f.at(-d, -hh))} {p2s(f.at(-d + r, -hh))} Z",
    ]
    shapes.append(" ".join(body))
    x0 = d - 1.5
    post = [
        (x0, -hh * 0.78),
        (x0 + ped * 0.6, -hh * 0.72),
        (x0 + ped, -hh - 3.5),
        (x0 + ped + 6, -hh - 2.5),
        (x0 + ped + 9, -hh * 0.4),
        (x0 + ped + sp_len * 0.55, sp_drop * 0.5 - sp_h * 0.5),
        (x0 + ped + sp_len, sp_drop - sp_h * 0.4),
        (x0 + ped + sp_len + 1.5, sp_drop + sp_h * 0.2),
        (x0 + ped + sp_len * 0.6, sp_drop * 0.7 + sp_h * 0.5),
        (x0 + ped + 8, hh * 0.55),
        (x0 + ped + 5, hh + 3),
        (x0 + ped - 1, hh + 1.5),
        (x0 + ped - 3, hh * 0.3),
        (x0 + 1, hh * 0.05),
    ]
    shapes.append(smooth_closed([f.at(u, v) for u, v in post], 0.14))
    if code == "C2":
        dens = [
            (-5, -hh + 1),
            (-4, -hh - 9),
            (-1, -hh - 13),
            (3, -hh - 9),
            (4, -hh + 1),
        ]
        shapes.append(smooth_closed([f.at(u, v) for u, v in dens], 0.16))
    return shapes


def draw_lateral() -> Svg:
    curve = Curve(SPINE_KNOTS)
    lv = lateral_levels(curve)
    codes = LEVEL_CODES[:24]
    svg = Svg(data_spine_x="482", data_label_left="262", data_label_right="640")

    def depth(code: str) -> float:
        i = LEVEL_CODES.index(code)
        return {"C": 8.0 + i * 0.35, "T": 10.5 + (i - 7) * 0.5}.get(
            code[0], 16.5 + (i - 19) * 0.6
        )

    # Sacrum and coccyx continue the curve, first tilting back, then hooking forward.
    end = curve.frame(curve.length)
    s_origin = end.at(0, GAPS["L"] * 1.0 + 1)
    sac_axis: list[Frame] = []
    pos = s_origin
    n_steps = 24
    sac_len = 118.0
    for j in range(n_steps + 1):
        a = 42 - 48 * (j / n_steps)
        fr = frame_from_angle(pos, a)
        sac_axis.append(fr)
        pos = fr.at(0, sac_len / n_steps)
    co_axis: list[Frame] = []
    co_len = 40.0
    pos = sac_axis[-1].at(0, 3)
    for j in range(9):
        a = -10 - 40 * (j / 8)
        fr = frame_from_angle(pos, a)
        co_axis.append(fr)
        pos = fr.at(0, co_len / 8)

    # --- skin ------------------------------------------------------------------
    svg.comment("skin silhouette, patient facing left")
    skin = [
        (440, 6), (532, 16), (590, 62), (614, 128), (604, 190), (572, 246),
        (566, 300), (578, 350), (612, 410), (630, 500), (624, 590), (598, 660),
        (588, 720), (610, 780), (652, 850), (660, 920), (636, 985), (560, 1000),
        (410, 1000), (382, 930), (368, 860), (350, 790), (346, 720), (340, 650),
        (322, 580), (304, 500), (308, 430), (340, 382), (378, 344), (386, 300),
        (372, 284), (336, 286), (318, 268), (310, 250), (302, 238), (306, 226),
        (300, 212), (280, 196), (300, 164), (306, 124), (318, 76), (364, 28),
    ]  # fmt: skip
    svg.path(smooth_closed(skin, 0.14), cls="decor", fill=SKIN, stroke=SKIN_LINE,
             stroke_width=1.5)  # fmt: skip

    # --- ribs, sternum, clavicle, scapula, pelvis -------------------------------
    svg.comment("thoracic cage: ribs and costal cartilages, drawn faint")
    sternum = [(352, 380), (366, 378), (366, 404), (362, 560), (356, 578), (350, 560),
               (348, 404)]  # fmt: skip
    for i in range(12):
        t = lv[f"T{i + 1}"]
        s = t.frame.at(depth(t.code) + 3, -t.h * 0.1)
        if i < 10:
            ey = 392 + i * 24 + (i * i) * 0.6
            ex = 394 + i * 5
            cy = min(392 + i * 17, 566)
            c1 = (s[0] + 62, s[1] + 14)
            c2 = (ex + 40 + i * 6, ey + 40 + i)
            e = (ex, ey)
            d = f"M {p2s(s)} C {p2s(c1)} {p2s(c2)} {p2s(e)}"
            cart = f"M {p2s(e)} Q {p2s((ex - 16, ey - 4 - i * 2))} {p2s((366, cy))}"
            svg.path(cart, **decor_line("#b9bfae", 5.0, 0.7))
        else:
            e = (s[0] - 40 + (i - 10) * 20, s[1] + 60)
            c1 = (s[0] + 40, s[1] + 12)
            c2 = (e[0] + 30, e[1] + 4)
            d = f"M {p2s(s)} C {p2s(c1)} {p2s(c2)} {p2s(e)}"
        svg.path(d, **decor_line(BONE_LINE, 7.5, 0.45))
        svg.path(d, **decor_line(BONE_BACK, 5.6, 0.95))
    svg.path(smooth_closed(sternum, 0.12), cls="decor", **bone(fill=BONE_BACK))

    svg.comment("scapula edge-on and clavicle")
    scap = [(548, 372), (570, 364), (590, 384), (596, 450), (590, 520), (576, 528),
            (566, 470), (556, 400)]  # fmt: skip
    svg.path(smooth_closed(scap, 0.14), cls="decor", **bone(fill=BONE_BACK))
    clav = [(352, 372), (420, 364), (500, 352), (566, 356), (572, 366), (500, 364),
            (420, 376), (354, 384)]  # fmt: skip
    svg.path(smooth_closed(clav, 0.14), cls="decor", **bone())

    svg.comment("pelvis: ilium, ischium, pubis, femur")
    ys = s_origin[1]
    hip = [
        (398, ys - 50), (420, ys - 82), (470, ys - 100), (530, ys - 88),
        (566, ys - 52), (578, ys - 20), (560, ys + 10), (540, ys + 34),
        (548, ys + 56), (532, ys + 80), (542, ys + 116), (522, ys + 140),
        (480, ys + 132), (440, ys + 130), (398, ys + 120), (392, ys + 98),
        (420, ys + 72), (430, ys + 40), (414, ys + 4), (404, ys - 20),
    ]  # fmt: skip
    femur = [
        (452, ys + 58), (468, ys + 42), (488, ys + 48), (508, ys + 70),
        (522, ys + 78), (528, ys + 112), (512, 1000), (462, 1000),
        (468, ys + 132), (458, ys + 100), (450, ys + 78),
    ]  # fmt: skip
    svg.path(smooth_closed(hip, 0.15), cls="decor", **bone(fill=BONE_BACK))
    svg.el("ellipse", cls="decor", cx=474.0, cy=ys + 108, rx=26.0, ry=13.0,
           fill=SKIN, stroke=BONE_LINE, stroke_width=1.0)  # fmt: skip
    crest = f"M 420 {fmt(ys - 78)} Q 480 {fmt(ys - 96)} 560 {fmt(ys - 50)}"
    svg.path(crest, **decor_line(BONE_DETAIL, 1.2))
    svg.path(smooth_closed(femur, 0.15), cls="decor", **bone(fill=BONE_BACK))
    svg.el("circle", cls="decor", cx=472.0, cy=ys + 62, r=23.0, fill="none",
           stroke=BONE_LINE, stroke_width=1.4)  # fmt: skip

    # --- skull ----------------------------------------------------------------
    svg.comment("skull and mandible in profile")
    cranium = [
        (440, 18), (520, 28), (574, 70), (594, 128), (584, 178), (556, 204),
        (528, 212), (512, 220), (500, 234), (490, 218), (470, 206), (440, 204),
        (404, 206), (370, 214), (340, 222), (324, 212), (318, 194), (312, 176),
        (318, 160), (316, 136), (322, 100), (342, 58), (386, 28),
    ]  # fmt: skip
    svg.path(smooth_closed(cranium, 0.14), cls="decor", **bone())
    mandible = [
        (464, 184), (472, 192), (468, 220), (464, 252), (450, 266), (404, 272),
        (352, 280), (334, 272), (330, 256), (338, 242), (400, 240), (432, 236),
        (442, 206), (450, 214), (456, 196),
    ]  # fmt: skip
    svg.path(smooth_closed(mandible, 0.14), cls="decor", **bone(fill=BONE_BACK))
    svg.el("ellipse", cls="decor", cx=344.0, cy=150.0, rx=17.0, ry=19.0, fill="#d8ccb0",
           stroke=BONE_LINE, stroke_width=1.0)  # fmt: skip
    svg.el("ellipse", cls="decor", cx=484.0, cy=176.0, rx=6.0, ry=7.0, fill="#cdbf9f",
           stroke=BONE_LINE, stroke_width=0.8)  # fmt: skip
    teeth = "M 338 224 L 420 226 L 420 244 L 338 246 Z"
    svg.path(teeth, cls="decor", fill="#f7f2e4", stroke=BONE_LINE, stroke_width=0.8)
    svg.path(
        " ".join(f"M {x} 224 L {x} 246" for x in range(348, 420, 10))
        + " M 338 235 L 420 235",
        **decor_line(BONE_DETAIL, 0.7),
    )
    svg.path("M 360 178 Q 420 172 470 184", **decor_line(BONE_DETAIL, 2.2))
    svg.path(
        "M 370 46 Q 450 70 470 140 Q 520 120 576 96", **decor_line(BONE_DETAIL, 0.9)
    )
    svg.path("M 328 232 L 430 230", **decor_line(BONE_DETAIL, 0.8))

    # --- neck muscles -----------------------------------------------------------
    svg.comment("neck muscles, deep to superficial")
    draw_muscle(
        svg,
        "splenius",
        [
            Ribbon(
                [(566, 420), (556, 366), (536, 310)],
                [(508, 226), (546, 214), (578, 198)],
                (0, 0),
                (22, 0),
            )
        ],
        fibres=12,
    )
    draw_muscle(
        svg,
        "levator_scapulae",
        [
            Ribbon(
                [(494, 236), (494, 302)],
                [(552, 372), (566, 382)],
                (24, -6),
                (8, 0),
            )
        ],
        fibres=8,
    )
    draw_muscle(
        svg,
        "scalenes",
        [
            Ribbon(
                [(470, 252), (476, 338)],
                [(408, 378), (470, 392)],
                (-8, 0),
                (0, 0),
            )
        ],
        fibres=10,
    )

    def scm_heads(s: Svg) -> None:
        s.path(scm.fibre(0.55, 0.55), **decor_line(MUSCLE_LINE, 1.0, 0.8))

    scm = Ribbon(
        [(498, 226), (522, 214), (548, 206)],
        [(352, 370), (372, 374), (404, 378)],
        (-4, 8),
        (8, 10),
    )
    draw_muscle(svg, "sternocleidomastoid", [scm], fibres=12, extra=scm_heads)

    svg.comment(
        "erector spinae seen from the side, filling the groove behind the spine"
    )
    inner: list[Point] = []
    outer: list[Point] = []
    column = codes[7:]
    for code in column:
        lvl, d = lv[code], depth(code)
        k = LEVEL_CODES.index(code) - 7
        reach = d + 34 + min(k, 16) * 1.4
        inner.append(lvl.frame.at(d + 12, 0))
        outer.append(lvl.frame.at(reach, 0))
    inner.append(sac_axis[6].at(28, 0))
    outer.append(sac_axis[4].at(52, 0))
    top = lv["C6"].frame.at(depth("C6") + 22, 0)
    bottom = sac_axis[10].at(30, 0)
    outline_pts = [top, *outer, bottom, *inner[::-1]]
    with svg.group(id="erector_spinae", cls="muscle"):
        svg.path(
            smooth_closed(outline_pts, 0.14),
            fill=MUSCLE_FILL["erector_spinae"],
            stroke=MUSCLE_LINE,
            stroke_width=1.1,
        )
        strands = []
        for j in range(1, 9):
            q = j / 9
            strands.append(
                smooth_open(
                    [
                        lerp(a, b, q)
                        for a, b in zip(inner[1:-1], outer[1:-1], strict=True)
                    ]
                )
            )
        svg.path(" ".join(strands), **decor_line(FIBRE, 0.7, 0.55))

    # --- discs and bones on top -------------------------------------------------
    svg.comment("intervertebral discs")
    for upper, lower_code in itertools.pairwise(codes):
        a, b = lv[upper], lv[lower_code]
        da, db = depth(upper) - 1, depth(lower_code) - 1
        if upper == "C1":
            continue
        pts = [
            a.frame.at(-da, a.h / 2),
            a.frame.at(da, a.h / 2),
            b.frame.at(db, -b.h / 2),
            b.frame.at(-db, -b.h / 2),
        ]
        svg.el(
            "polygon",
            cls="decor",
            points=" ".join(p2s(p) for p in pts),
            fill=DISC,
            stroke=DISC_LINE,
            stroke_width=0.8,
        )
    l5 = lv["L5"]
    svg.el(
        "polygon",
        cls="decor",
        points=" ".join(
            p2s(p)
            for p in [
                l5.frame.at(-depth("L5") + 1, l5.h / 2),
                l5.frame.at(depth("L5") - 1, l5.h / 2),
                sac_axis[0].at(18, 0),
                sac_axis[0].at(-24, 0),
            ]
        ),
        fill=DISC,
        stroke=DISC_LINE,
        stroke_width=0.8,
    )

    svg.comment("coccyx, sacrum and vertebrae: top of the stack")
    with svg.group(id="Co", cls="vertebra"):
        for k in range(4):
            fr = co_axis[k * 2]
            seg = co_len / 4 - 1.5
            w = 7.0 - k * 1.4
            pts = [fr.at(u, v) for u, v in [(-w, 0.5), (0, -0.5), (w, 0.5),
                                             (w * 0.8, seg), (0, seg + 0.8),
                                             (-w * 0.8, seg)]]  # fmt: skip
            svg.path(smooth_closed(pts, 0.16), **bone())
    front, back = [], []
    for j, fr in enumerate(sac_axis):
        q = j / n_steps
        front.append(fr.at(-(24 - 17 * q), 0))
        bump = 3.0 * max(0.0, math.sin(q * math.pi * 4)) if 0.12 < q < 0.85 else 0
        back.append(fr.at(30 - 22 * q + bump, 0))
    top_back = sac_axis[0].at(30, -8)
    promontory = sac_axis[0].at(-27, -2)
    apex = sac_axis[-1].at(0, 3)
    outline = [promontory, *front[1:], apex, *back[::-1][:-1], top_back]
    with svg.group(id="S1", cls="vertebra"):
        svg.path(smooth_closed(outline[::2], 0.14), **bone())
        lines = [
            sac_axis[j].at(-(22 - 17 * j / n_steps) + 2, 0) for j in range(0, 25, 6)
        ]
        for j, p in zip(range(0, 25, 6), lines, strict=True):
            q = j / n_steps
            if 0 < j < 24:
                e = sac_axis[j].at(-(22 - 17 * q) + 12, -1)
                svg.path(f"M {p2s(p)} L {p2s(e)}", **decor_line(BONE_DETAIL, 1.0))
    for index in range(23, -1, -1):
        code = codes[index]
        with svg.group(id=code, cls="vertebra"):
            for d in lateral_vertebra_shapes(lv[code], index):
                svg.path(d, **bone())

    spans: dict[str, tuple[float, float]] = {}
    for region, (a, b) in REGION_LEVELS.items():
        top = lv[a].frame.at(0, -lv[a].h / 2)[1] if a in lv else s_origin[1]
        if b in lv:
            bottom = lv[b].frame.at(0, lv[b].h / 2)[1]
        else:
            bottom = co_axis[-1].origin[1] + 4
        spans[region] = (top - 2, bottom + 2)
    spans["sacral"] = (spans["lumbar"][1] + 6, spans["sacral"][1])
    draw_region_bands(svg, spans)
    centres = {code: lv[code].frame.origin[1] for code in codes}
    centres["S1"] = sac_axis[n_steps // 2].origin[1]
    centres["Co"] = co_axis[4].origin[1]
    draw_level_ticks(svg, centres)
    return svg


def add_anchors(svg: Svg, name: str) -> None:
    """Store where each clickable thing's label points (svg_scene.ANCHOR_ATTR).

    Finding that point takes many hit tests against the finished art, too slow
    for the app's start, so it is worked out here, with the app's own loader.
    """
    # Imported here: drawing needs no Qt, only the anchors do.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from companion.ui.svg_scene import ANCHOR_ATTR, compute_click_point, parse_diagram

    _app = QApplication.instance() or QApplication([])  # scenes and fonts need one
    diagram = parse_diagram(svg.text().encode("utf-8"), name)
    for code, item in diagram.items.items():
        point = compute_click_point(item)
        svg.set_attr(code, ANCHOR_ATTR, f"{point.x():.2f},{point.y():.2f}")


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, draw in (("posterior", draw_posterior), ("lateral", draw_lateral)):
        svg = draw()
        add_anchors(svg, f"{name}.svg")
        svg.save(OUT_DIR / f"{name}.svg")
    print(f"wrote {OUT_DIR / 'posterior.svg'} and {OUT_DIR / 'lateral.svg'}")


if __name__ == "__main__":
    main()
