"""Generate the exercise key frames (assets/exercises/<id>-<frame>.svg) by code.

Every frame is one parametric human figure: the proportions below are fixed,
and each key frame only sets joint angles (and which props are in the room).
So every frame of every exercise matches, and a change of style is one rerun.
The palette and line weights are the spine diagram's (tools/draw_diagrams.py);
the outline is dark and the limbs further from the viewer are a shade darker,
so the frames still read in black-and-white print.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

# A sibling script, not a package: found through the path entry above.
from draw_diagrams import (
    BAND,
    BAND_LINE,
    BONE_LINE,
    FONT,
    INK,
    MUSCLE_LINE,
    SKIN,
    add,
    fmt,
    lerp,
    mul,
    p2s,
    quad_at,
    sub,
)

Point = tuple[float, float]

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "assets" / "exercises"
WIDTH, HEIGHT = 480, 340
MARGIN = 28

# The figure's fixed proportions, in drawing units (a head is about 1/7.5 of
# standing height, as in the classical canon).
HEAD_R = 17.0
NECK = 12.0
TRUNK = 96.0
UPPER_ARM, FOREARM = 54.0, 50.0
THIGH, SHIN, FOOT = 72.0, 68.0, 22.0
SHOULDER_HALF, HIP_HALF = 30.0, 17.0  # front view
WIDTHS = {"trunk": 36.0, "arm": 13.0, "leg": 17.0, "neck": 11.0}
OUTLINE = 2.4  # the dark rim around every body part

SKIN_FAR = "#dcc6b6"  # limbs behind the body: darker, so they read in grey print
ARROW = MUSCLE_LINE
FLOOR_FILL, FLOOR_LINE = BAND, BAND_LINE
PROP_FILL, PROP_LINE = "#e6dcc2", BONE_LINE


def direction(angle: float) -> Point:
    """Unit vector for an angle in degrees: 0 points up, 90 points forward."""
    rad = math.radians(angle)
    return (math.sin(rad), -math.cos(rad))


def step(start: Point, angle: float, length: float) -> Point:
    return add(start, mul(direction(angle), length))


def heading(a: Point, b: Point) -> float:
    """The angle (as in direction()) of the vector from a to b."""
    dx, dy = sub(b, a)
    return math.degrees(math.atan2(dx, -dy))


# ------------------------------------------------------------------- poses


@dataclass(frozen=True)
class Pose:
    """Joint angles of one key frame, in degrees.

    view "side": the body seen from its right side, facing right (the near
    limbs are the right ones). trunk is the hip-to-shoulder angle (0 upright,
    90 lying face down with the head forward, -90 lying face up); curve bows
    the trunk (positive rounds the back, negative arches it); neck and head
    are relative to the trunk's end (positive nods forward); shoulders are
    measured from the trunk (180 arm down, 90 arm forward); elbow and knee are
    bends; hip is flexion (0 straight, 90 thigh forward).

    view "front": the body seen from the front; trunk tips the whole body
    sideways (90 lying on its side), tilt tips the head to the side, turn (-1
    to 1) turns the face, nod lowers the chin; arm and leg angles are measured
    out from the body's side; fold shortens a limb that points at the viewer.
    """

    view: str = "side"
    trunk: float = 0.0
    curve: float = 0.0
    neck: float = 0.0
    head: float = 0.0
    chin_back: float = 0.0  # side view: the head slides back (a chin tuck)
    near_shoulder: float = 180.0
    near_elbow: float = 10.0
    far_shoulder: float = 180.0
    far_elbow: float = 10.0
    near_hip: float = 0.0
    near_knee: float = 0.0
    far_hip: float = 0.0
    far_knee: float = 0.0
    near_ankle: float = 0.0
    far_ankle: float = 0.0
    tilt: float = 0.0
    turn: float = 0.0
    nod: float = 0.0
    left_arm: float = 8.0
    left_elbow: float = 0.0
    right_arm: float = 8.0
    right_elbow: float = 0.0
    left_leg: float = 4.0
    right_leg: float = 4.0
    left_knee: float = 0.0
    right_knee: float = 0.0
    leg_fold: float = 1.0  # front view: thigh length seen (1 = straight down)
    shin_fold: float = 1.0
    near_hand_to: str = ""  # a body point the near hand holds (knee_near, head)
    far_hand_to: str = ""
    shift_x: float = 0.0  # moves the whole figure forward (walking)
    right_foot_to: str = ""  # front view: the right foot rests here ("knee_left")
    feet_together: bool = False  # front view: both shins end at the left foot
    trunk_fold: float = 1.0  # front view: trunk length seen (leaning at the viewer)
    props: tuple[str, ...] = ("floor",)


@dataclass
class Body:
    """The figure's joint positions for one pose, before placing on the page."""

    points: dict[str, Point] = field(default_factory=dict)
    # (kind, points, width, far) in drawing order: limbs are strokes.
    parts: list[tuple[str, list[Point], float, bool]] = field(default_factory=list)
    head: Point = (0.0, 0.0)
    face: Point = (0.0, 0.0)  # where the nose points, as a unit vector
    eyes: list[Point] = field(default_factory=list)

    def moved(self, by: Point) -> Body:
        return Body(
            {k: add(p, by) for k, p in self.points.items()},
            [(k, [add(p, by) for p in pts], w, f) for k, pts, w, f in self.parts],
            add(self.head, by),
            self.face,
            [add(p, by) for p in self.eyes],
        )

    def extent(self) -> tuple[float, float, float, float]:
        xs, ys = [], []
        for _, pts, width, _ in self.parts:
            for x, y in pts:
                xs += [x - width / 2, x + width / 2]
                ys += [y - width / 2, y + width / 2]
        xs += [self.head[0] - HEAD_R, self.head[0] + HEAD_R]
        ys += [self.head[1] - HEAD_R, self.head[1] + HEAD_R]
        return min(xs), min(ys), max(xs), max(ys)


def trunk_curve(hip: Point, shoulder: Point, curve: float) -> Point:
    """The control point of the trunk's bow; positive bows toward the back."""
    mid = lerp(hip, shoulder, 0.5)
    back = direction(heading(hip, shoulder) - 90)
    return add(mid, mul(back, curve * TRUNK))


def side_body(pose: Pose) -> Body:
    body = Body()
    hip = (0.0, 0.0)
    shoulder = step(hip, pose.trunk, TRUNK)
    control = trunk_curve(hip, shoulder, pose.curve)
    top = heading(control, shoulder)  # the trunk's direction where the neck starts
    base = heading(hip, control)
    neck_top = step(shoulder, top + pose.neck, NECK)
    neck_top = add(neck_top, mul(direction(top + pose.neck - 90), pose.chin_back))
    head_angle = top + pose.neck + pose.head
    head = step(neck_top, head_angle, HEAD_R * 0.9)
    body.head, body.face = head, direction(head_angle + 90)
    body.eyes = [add(head, add(mul(body.face, 8.0), mul(direction(head_angle), 3)))]
    chest = quad_at(hip, control, shoulder, 0.5)
    body.points.update(hip=hip, shoulder=shoulder, neck=neck_top, head=head)
    body.points["mid_trunk"] = chest
    body.points["nose"] = add(head, mul(body.face, HEAD_R))
    # Where a palm presses the forehead, and a hand's width in front of it.
    brow = add(head, add(mul(body.face, HEAD_R), mul(direction(head_angle), 7.0)))
    body.points["brow"] = brow
    body.points["before_brow"] = add(brow, mul(body.face, 18.0))

    def arm(shoulder_angle: float, elbow: float, name: str, hold: str) -> list[Point]:
        upper = top + shoulder_angle
        e = step(shoulder, upper, UPPER_ARM)
        h = step(e, upper - elbow, FOREARM)
        if hold:
            e, h = reach(shoulder, body.points[hold], upper)
        body.points[f"elbow_{name}"], body.points[f"hand_{name}"] = e, h
        return [shoulder, e, h]

    def leg(hip_flex: float, knee: float, ankle: float, name: str) -> list[Point]:
        thigh = base + 180 - hip_flex
        k = step(hip, thigh, THIGH)
        a = step(k, thigh + knee, SHIN)
        toe = step(a, thigh + knee - 90 + ankle, FOOT)
        body.points[f"knee_{name}"], body.points[f"foot_{name}"] = k, a
        return [hip, k, a, toe]

    trunk_pts = [quad_at(hip, control, shoulder, t / 8) for t in range(9)]
    # Legs first: a hand may hold a knee.
    far_leg = leg(pose.far_hip, pose.far_knee, pose.far_ankle, "far")
    near_leg = leg(pose.near_hip, pose.near_knee, pose.near_ankle, "near")
    far_arm = arm(pose.far_shoulder, pose.far_elbow, "far", pose.far_hand_to)
    near_arm = arm(pose.near_shoulder, pose.near_elbow, "near", pose.near_hand_to)
    body.parts += [
        ("limb", far_arm, WIDTHS["arm"], True),
        ("limb", far_leg, WIDTHS["leg"], True),
        ("limb", trunk_pts, WIDTHS["trunk"], False),
        ("limb", [shoulder, neck_top], WIDTHS["neck"], False),
        ("limb", near_leg, WIDTHS["leg"], False),
        ("limb", near_arm, WIDTHS["arm"], False),
    ]
    return body


def reach(shoulder: Point, target: Point, hint: float) -> tuple[Point, Point]:
    """Elbow and hand for an arm whose hand holds target (two-bone inverse
    kinematics); the elbow bends to the side of the hint angle."""
    to_target = heading(shoulder, target)
    d = min(math.dist(shoulder, target), UPPER_ARM + FOREARM - 1.0)
    cos_a = (UPPER_ARM**2 + d**2 - FOREARM**2) / (2 * UPPER_ARM * d)
    bend = math.degrees(math.acos(max(-1.0, min(1.0, cos_a))))
    side = 1 if math.sin(math.radians(hint - to_target)) >= 0 else -1
    elbow = step(shoulder, to_target + side * bend, UPPER_ARM)
    return elbow, step(elbow, heading(elbow, target), FOREARM)


def front_body(pose: Pose) -> Body:
    body = Body()
    pelvis = (0.0, 0.0)
    up = pose.trunk
    chest = step(pelvis, up, TRUNK * pose.trunk_fold)
    across = direction(up + 90)  # toward the figure's left (the viewer's right)
    shoulders = {
        "left": add(chest, mul(across, SHOULDER_HALF)),
        "right": sub(chest, mul(across, SHOULDER_HALF)),
    }
    hips = {
        "left": add(pelvis, mul(across, HIP_HALF)),
        "right": sub(pelvis, mul(across, HIP_HALF)),
    }
    neck_top = step(chest, up + pose.tilt, NECK)
    head = step(neck_top, up + pose.tilt, HEAD_R * 0.9 - pose.nod)
    body.head = head
    body.face = (0.0, 0.0)
    side = direction(up + pose.tilt + 90)
    down = direction(up + pose.tilt + 180)
    eye_mid = add(add(head, mul(side, pose.turn * 9)), mul(down, 1 + pose.nod))
    body.eyes = [add(eye_mid, mul(side, -5)), add(eye_mid, mul(side, 5))]
    body.points.update(head=head, neck=neck_top, shoulder=chest, hip=pelvis)
    body.points["nose"] = add(eye_mid, mul(down, 6))
    body.points["mid_trunk"] = lerp(pelvis, chest, 0.5)

    def arm(name: str, out: float, elbow: float) -> list[Point]:
        sign = 1 if name == "left" else -1
        start = shoulders[name]
        upper = up + 180 - sign * out
        e = step(start, upper, UPPER_ARM)
        h = step(e, upper - sign * elbow, FOREARM)
        body.points[f"elbow_{name}"], body.points[f"hand_{name}"] = e, h
        return [start, e, h]

    def leg(name: str, out: float, knee: float, foot_to: str = "") -> list[Point]:
        sign = 1 if name == "left" else -1
        start = hips[name]
        angle = up + 180 - sign * out
        k = step(start, angle, THIGH * pose.leg_fold)
        a = step(k, angle + sign * knee, SHIN * pose.shin_fold)
        if foot_to:
            a = body.points[foot_to]
        body.points[f"knee_{name}"], body.points[f"foot_{name}"] = k, a
        return [start, k, a]

    left_leg = leg("left", pose.left_leg, pose.left_knee)
    right_to = "foot_left" if pose.feet_together else pose.right_foot_to
    right_leg = leg("right", pose.right_leg, pose.right_knee, right_to)
    body.parts += [
        ("limb", left_leg, WIDTHS["leg"], False),
        ("limb", right_leg, WIDTHS["leg"], False),
        (
            "torso",
            [shoulders["right"], shoulders["left"], hips["left"], hips["right"]],
            WIDTHS["arm"],
            False,
        ),
        ("limb", [chest, neck_top], WIDTHS["neck"], False),
        ("limb", arm("left", pose.left_arm, pose.left_elbow), WIDTHS["arm"], False),
        ("limb", arm("right", pose.right_arm, pose.right_elbow), WIDTHS["arm"], False),
    ]
    return body


def build(pose: Pose) -> Body:
    return side_body(pose) if pose.view == "side" else front_body(pose)


# ------------------------------------------------------------------- props


@dataclass(frozen=True)
class Exercise:
    """The key frames of one exercise and the point whose path the arrow shows."""

    id: str
    frames: Mapping[str, Pose]
    track: str  # a Body point name, e.g. "head" or "hand_near"
    arrow_offset: Point = (0.0, -24.0)
    bend: float = 0.35  # how much the arrow curves (0 straight)
    arrow_both: bool = False  # a back-and-forth movement (turns, bends)


def floor_y(body: Body) -> float:
    return body.extent()[3]


def place(pose: Pose, floor: float) -> Body:
    """The body moved so it rests on the floor (or on the chair) at y = floor."""
    body = build(pose)
    return body.moved((pose.shift_x, floor - floor_y(body)))


# ------------------------------------------------------------------ drawing


class Canvas:
    """Collects SVG elements for one frame."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def el(self, tag: str, text: str | None = None, **attrs: object) -> None:
        parts = []
        for key, value in attrs.items():
            if value is None:
                continue
            name = "class" if key == "cls" else key.replace("_", "-")
            shown = fmt(value) if isinstance(value, float) else str(value)
            parts.append(f'{name}="{escape(shown)}"')
        body = " ".join(parts)
        if text is None:
            self.items.append(f"  <{tag} {body}/>")
        else:
            self.items.append(f"  <{tag} {body}>{escape(text)}</{tag}>")

    def stroke(self, pts: Iterable[Point], colour: str, width: float) -> None:
        pts = list(pts)
        d = "M " + " L ".join(p2s(p) for p in pts)
        self.el(
            "path",
            d=d,
            fill="none",
            stroke=colour,
            stroke_width=width,
            stroke_linecap="round",
            stroke_linejoin="round",
        )

    def svg(self, title: str) -> str:
        return "\n".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>',
                '<svg xmlns="http://www.w3.org/2000/svg" '
                f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">',
                f"  <title>{escape(title)}</title>",
                *self.items,
                "</svg>",
                "",
            ]
        )


def draw_body(canvas: Canvas, body: Body) -> None:
    # Every limb is two round-capped strokes: the dark rim, then the skin, so
    # joints blend and each later part sits on top with its own outline.
    for kind, pts, width, far in body.parts:
        fill = SKIN_FAR if far else SKIN
        if kind == "torso":
            d = "M " + " L ".join(p2s(p) for p in pts) + " Z"
            for colour, line in ((INK, width + 2 * OUTLINE), (fill, width)):
                canvas.el(
                    "path",
                    d=d,
                    fill=fill,
                    stroke=colour,
                    stroke_width=line,
                    stroke_linejoin="round",
                )
            continue
        canvas.stroke(pts, INK, width + 2 * OUTLINE)
        canvas.stroke(pts, fill, width)
    canvas.el(
        "circle",
        cx=body.head[0],
        cy=body.head[1],
        r=HEAD_R,
        fill=SKIN,
        stroke=INK,
        stroke_width=OUTLINE,
    )
    if body.face != (0.0, 0.0):
        tip = add(body.head, mul(body.face, HEAD_R + 4))
        side = (-body.face[1], body.face[0])
        base_a = add(body.head, add(mul(body.face, HEAD_R - 3), mul(side, 4)))
        base_b = add(body.head, add(mul(body.face, HEAD_R - 3), mul(side, -4)))
        canvas.el(
            "path",
            d=f"M {p2s(base_a)} L {p2s(tip)} L {p2s(base_b)}",
            fill=SKIN,
            stroke=INK,
            stroke_width=1.6,
            stroke_linejoin="round",
        )
    else:
        nose = body.points["nose"]
        canvas.el("circle", cx=nose[0], cy=nose[1], r=1.8, fill=INK)
    for eye in body.eyes:
        canvas.el("circle", cx=eye[0], cy=eye[1], r=2.0, fill=INK)


def draw_floor(canvas: Canvas, y: float) -> None:
    canvas.el(
        "rect",
        x=MARGIN / 2,
        y=y,
        width=WIDTH - MARGIN,
        height=10.0,
        fill=FLOOR_FILL,
        stroke=FLOOR_LINE,
        stroke_width=1.2,
    )


def draw_chair(canvas: Canvas, body: Body, floor: float, front: bool) -> None:
    k = HEAD_R / 17.0  # the figure's scale on this page
    hip = body.points["hip"]
    seat = hip[1] + (WIDTHS["leg"] / 2 + OUTLINE) * k
    wood = {"fill": PROP_FILL, "stroke": PROP_LINE, "stroke_width": 2.0}
    leg = {"fill": "none", "stroke": PROP_LINE, "stroke_width": 4.0,
           "stroke_linecap": "round"}  # fmt: skip
    if front:
        # Seen from the front: the back behind the body, the seat's edge and
        # two legs, wider than the hips so the chair shows either side.
        canvas.el("rect", x=hip[0] - 44 * k, y=seat - 104 * k, width=88 * k,
                  height=100 * k, rx=6 * k, **wood)  # fmt: skip
        canvas.el("rect", x=hip[0] - 58 * k, y=seat - 2 * k, width=116 * k,
                  height=9 * k, rx=3 * k, **wood)  # fmt: skip
        for x in (hip[0] - 52 * k, hip[0] + 52 * k):
            canvas.el("path", d=f"M {fmt(x)} {fmt(seat + 7 * k)} L {fmt(x)} "
                      f"{fmt(floor)}", **leg)  # fmt: skip
        return
    back_x, front_x = hip[0] - 26 * k, hip[0] + 44 * k
    canvas.el("rect", x=back_x, y=seat - 2 * k, width=front_x - back_x,
              height=8 * k, rx=3 * k, **wood)  # fmt: skip
    for x in (back_x + 4 * k, front_x - 4 * k):
        canvas.el("path", d=f"M {fmt(x)} {fmt(seat + 6 * k)} L {fmt(x)} {fmt(floor)}",
                  **leg)  # fmt: skip
    canvas.el("path", d=f"M {fmt(back_x + 2 * k)} {fmt(seat)} L {fmt(back_x - 6 * k)} "
              f"{fmt(seat - 88 * k)}", **{**leg, "stroke_width": 6.0})  # fmt: skip


def draw_towel(canvas: Canvas, body: Body) -> None:
    centre = quad_at(
        body.points["hip"], body.points["mid_trunk"], body.points["shoulder"], 0.75
    )
    floor = floor_y(body)
    canvas.el(
        "ellipse",
        cx=centre[0],
        cy=floor - 9,
        rx=16.0,
        ry=9.0,
        fill=PROP_FILL,
        stroke=PROP_LINE,
        stroke_width=1.6,
    )


def draw_band(canvas: Canvas, body: Body) -> None:
    hand = body.points["hand_near"]
    door_x = WIDTH - MARGIN - 8
    canvas.el(
        "rect",
        x=door_x,
        y=MARGIN,
        width=10.0,
        height=HEIGHT - 2 * MARGIN,
        fill=PROP_FILL,
        stroke=PROP_LINE,
        stroke_width=1.4,
    )
    anchor = (door_x, hand[1] - 6)
    canvas.stroke([anchor, hand], "#5b6a73", 3.0)
    canvas.el("circle", cx=anchor[0], cy=anchor[1], r=4.0, fill=PROP_LINE)


def draw_mat_from_above(canvas: Canvas, bodies: list[Body]) -> None:
    boxes = [b.extent() for b in bodies]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    canvas.el(
        "rect",
        x=x0 - 16,
        y=y0 - 14,
        width=x1 - x0 + 32,
        height=y1 - y0 + 28,
        rx=10.0,
        fill=FLOOR_FILL,
        stroke=FLOOR_LINE,
        stroke_width=1.2,
    )


def draw_arrow(
    canvas: Canvas, start: Point, end: Point, bend: float, both: bool
) -> None:
    # A short movement still gets a readable arrow: stretch it about its middle.
    length = math.dist(start, end)
    if length < 56:
        mid = lerp(start, end, 0.5)
        scale = 56 / max(length, 1e-6)
        start = add(mid, mul(sub(start, mid), scale))
        end = add(mid, mul(sub(end, mid), scale))
    normal = (-(end[1] - start[1]), end[0] - start[0])
    control = add(lerp(start, end, 0.5), mul(normal, bend))
    canvas.el(
        "path",
        d=f"M {p2s(start)} Q {p2s(control)} {p2s(end)}",
        fill="none",
        stroke=ARROW,
        stroke_width=5.0,
        stroke_linecap="round",
    )
    heads = [(end, control)] + ([(start, control)] if both else [])
    for tip, before in heads:
        back = heading(tip, before)
        wing_a = step(tip, back + 28, 17)
        wing_b = step(tip, back - 28, 17)
        canvas.el(
            "path",
            d=f"M {p2s(wing_a)} L {p2s(tip)} L {p2s(wing_b)} Z",
            fill=ARROW,
            stroke=ARROW,
            stroke_width=1.5,
            stroke_linejoin="round",
        )


def draw_number(canvas: Canvas, number: int) -> None:
    # The frame's number is SVG text (never a path) and needs no translation.
    canvas.el(
        "circle", cx=24.0, cy=24.0, r=15.0, fill="#ffffff", stroke=INK, stroke_width=2.0
    )
    canvas.el(
        "text",
        str(number),
        x=24.0,
        y=30.0,
        text_anchor="middle",
        font_family=FONT,
        font_size=17,
        font_weight="bold",
        fill=INK,
        cls="label",
    )


def fit(bodies: list[Body]) -> tuple[float, Point]:
    """One scale and shift for every frame of an exercise, so frames compare."""
    boxes = [b.extent() for b in bodies]
    x0 = min(b[0] for b in boxes) - 30
    y0 = min(b[1] for b in boxes) - 30
    x1 = max(b[2] for b in boxes) + 30
    y1 = max(b[3] for b in boxes) + 4
    scale = min((WIDTH - 2 * MARGIN) / (x1 - x0), (HEIGHT - 2 * MARGIN) / (y1 - y0))
    scale = min(scale, 1.6)
    # Centre horizontally; stand on a floor near the bottom edge.
    shift_x = WIDTH / 2 - (x0 + x1) / 2 * scale
    shift_y = HEIGHT - MARGIN - 6 - y1 * scale
    return scale, (shift_x, shift_y)


def scaled(body: Body, scale: float, shift: Point) -> Body:
    def t(p: Point) -> Point:
        return (p[0] * scale + shift[0], p[1] * scale + shift[1])

    return Body(
        {k: t(p) for k, p in body.points.items()},
        [(k, [t(p) for p in pts], w * scale, f) for k, pts, w, f in body.parts],
        t(body.head),
        body.face,
        [t(p) for p in body.eyes],
    )


def render(exercise: Exercise) -> dict[str, str]:
    """The SVG text of each key frame of one exercise."""
    global HEAD_R, OUTLINE
    names = list(exercise.frames)
    bodies = [place(exercise.frames[n], 0.0) for n in names]
    scale, shift = fit(bodies)
    placed = [scaled(b, scale, shift) for b in bodies]
    floor = shift[1]
    out: dict[str, str] = {}
    head_r, outline = HEAD_R, OUTLINE
    HEAD_R, OUTLINE = head_r * scale, outline * min(scale, 1.2)
    try:
        for index, (name, body) in enumerate(zip(names, placed, strict=True)):
            pose = exercise.frames[name]
            canvas = Canvas()
            if "mat" in pose.props:
                draw_mat_from_above(canvas, placed)
            if "floor" in pose.props:
                draw_floor(canvas, floor)
            if "chair" in pose.props:
                draw_chair(canvas, body, floor, pose.view == "front")
            if "towel" in pose.props:
                draw_towel(canvas, body)
            if "band" in pose.props:
                draw_band(canvas, body)
            draw_body(canvas, body)
            if index > 0:
                before = placed[0 if exercise.arrow_both else index - 1]
                offset = mul(exercise.arrow_offset, scale)
                draw_arrow(
                    canvas,
                    add(before.points[exercise.track], offset),
                    add(body.points[exercise.track], offset),
                    exercise.bend,
                    exercise.arrow_both,
                )
            draw_number(canvas, index + 1)
            out[name] = canvas.svg(f"{exercise.id} {index + 1}")
    finally:
        HEAD_R, OUTLINE = head_r, outline
    return out


# --------------------------------------------------------------- exercises

STAND = Pose(near_elbow=8, far_elbow=8, near_shoulder=184, far_shoulder=176)
SIT = Pose(
    near_hip=90,
    far_hip=86,
    near_knee=90,
    far_knee=88,
    near_shoulder=170,
    far_shoulder=168,
    near_elbow=40,
    far_elbow=40,
    props=("floor", "chair"),
)
FRONT_SIT = Pose(
    view="front",
    leg_fold=0.35,
    shin_fold=1.0,
    left_leg=18,
    right_leg=18,
    left_knee=-18,
    right_knee=-18,
    props=("floor", "chair"),
)
SUPINE = Pose(
    trunk=-90,
    near_hip=0,
    far_hip=0,
    near_shoulder=175,
    far_shoulder=172,
    near_ankle=90,
    far_ankle=90,
)
HOOK = Pose(
    trunk=-90,
    near_hip=50,
    far_hip=46,
    near_knee=100,
    far_knee=96,
    near_shoulder=172,
    far_shoulder=168,
)
FOURS = Pose(
    trunk=90,
    near_hip=90,
    far_hip=88,
    near_knee=90,
    far_knee=90,
    near_shoulder=90,
    far_shoulder=88,
    near_elbow=0,
    far_elbow=0,
    near_ankle=80,
    far_ankle=80,
)
PRONE = Pose(
    trunk=90,
    near_hip=0,
    far_hip=0,
    near_shoulder=150,
    far_shoulder=146,
    near_elbow=110,
    far_elbow=110,
    near_ankle=80,
    far_ankle=80,
    neck=-10,
)
# Lying on the right side, seen from the front: the left limbs are on top.
SIDE_LYING = Pose(
    view="front",
    trunk=-90,
    left_leg=2,
    right_leg=-2,
    leg_fold=0.7,
    shin_fold=0.7,
    left_knee=0,
    right_knee=0,
    feet_together=True,
    left_arm=12,
    right_arm=178,
    right_elbow=0,
)


def r(base: Pose, **changes: float | str | tuple[str, ...]) -> Pose:
    return base.__class__(**{**base.__dict__, **changes})


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "chin_tuck",
        {
            "start": r(SIT, neck=14, head=-10),
            "end": r(SIT, neck=-4, head=4, chin_back=9),
        },
        track="nose",
        arrow_offset=(10, -14),
        bend=0.0,
    ),
    Exercise(
        "neck_rotation",
        {
            "centre": FRONT_SIT,
            "left": r(FRONT_SIT, turn=0.85),
            "right": r(FRONT_SIT, turn=-0.85),
        },
        track="nose",
        arrow_offset=(0, -56),
        bend=0.25,
        arrow_both=True,
    ),
    Exercise(
        "neck_side_bend",
        {
            "centre": FRONT_SIT,
            "left": r(FRONT_SIT, tilt=30),
            "right": r(FRONT_SIT, tilt=-30),
        },
        track="head",
        arrow_offset=(0, -30),
        bend=-0.3,
        arrow_both=True,
    ),
    Exercise(
        "scapular_retraction",
        {
            "start": r(STAND, near_shoulder=186, curve=0.04, neck=12),
            "end": r(STAND, near_shoulder=200, curve=-0.05, neck=0),
        },
        track="elbow_near",
        arrow_offset=(-28, 0),
        bend=0.0,
    ),
    Exercise(
        "upper_trapezius_stretch",
        {
            "start": FRONT_SIT,
            "end": r(FRONT_SIT, tilt=32, left_arm=150, left_elbow=110, right_arm=22),
        },
        track="head",
        arrow_offset=(0, -34),
        bend=-0.3,
    ),
    Exercise(
        "levator_stretch",
        {
            "start": FRONT_SIT,
            "end": r(
                FRONT_SIT,
                tilt=24,
                turn=0.6,
                nod=6,
                left_arm=150,
                left_elbow=110,
                right_arm=22,
            ),
        },
        track="nose",
        arrow_offset=(0, -36),
        bend=-0.3,
    ),
    Exercise(
        "neck_isometric",
        {
            "start": r(SIT, near_shoulder=60, near_hand_to="before_brow"),
            "end": r(SIT, near_shoulder=60, near_hand_to="brow"),
        },
        track="hand_near",
        arrow_offset=(26, -6),
        bend=0.0,
    ),
    Exercise(
        "towel_extension",
        {
            "start": r(
                HOOK,
                curve=0.06,
                neck=30,
                near_shoulder=20,
                far_shoulder=16,
                near_elbow=150,
                far_elbow=150,
                props=("floor", "towel"),
            ),
            "end": r(
                HOOK,
                curve=-0.12,
                neck=-6,
                near_shoulder=20,
                far_shoulder=16,
                near_elbow=150,
                far_elbow=150,
                props=("floor", "towel"),
            ),
        },
        track="head",
        arrow_offset=(0, -30),
        bend=0.3,
    ),
    Exercise(
        "open_book",
        {
            "start": r(
                HOOK,
                trunk=-90,
                near_shoulder=95,
                far_shoulder=90,
                near_elbow=0,
                far_elbow=0,
                props=("mat",),
            ),
            "end": r(
                HOOK,
                trunk=-90,
                near_shoulder=265,
                neck=-20,
                far_shoulder=90,
                near_elbow=0,
                far_elbow=0,
                props=("mat",),
            ),
        },
        track="hand_near",
        arrow_offset=(0, 0),
        bend=0.6,
    ),
    Exercise(
        "cat_camel",
        {
            "neutral": FOURS,
            "cat": r(FOURS, curve=0.16, neck=30),
            "camel": r(FOURS, curve=-0.1, neck=-22),
        },
        track="mid_trunk",
        arrow_offset=(0, -40),
        bend=0.0,
    ),
    Exercise(
        "band_row",
        {
            "start": r(
                STAND,
                near_shoulder=92,
                far_shoulder=88,
                near_elbow=0,
                far_elbow=0,
                props=("floor", "band"),
            ),
            "end": r(
                STAND,
                near_shoulder=222,
                far_shoulder=218,
                near_elbow=128,
                far_elbow=128,
                props=("floor", "band"),
            ),
        },
        track="hand_near",
        arrow_offset=(0, -22),
        bend=0.0,
    ),
    Exercise(
        "walking",
        {
            "step": r(
                STAND,
                near_hip=24,
                near_knee=8,
                far_hip=-14,
                far_knee=18,
                near_shoulder=200,
                far_shoulder=160,
                near_elbow=20,
                far_elbow=20,
            ),
            "stride": r(
                STAND,
                near_hip=-14,
                near_knee=18,
                far_hip=24,
                far_knee=8,
                near_shoulder=160,
                far_shoulder=200,
                near_elbow=20,
                far_elbow=20,
                shift_x=46,
            ),
        },
        track="head",
        arrow_offset=(0, -36),
        bend=0.0,
    ),
    Exercise(
        "knee_to_chest",
        {
            "start": HOOK,
            "end": r(
                HOOK,
                near_hip=125,
                near_knee=120,
                near_shoulder=100,
                near_hand_to="knee_near",
                far_hand_to="knee_near",
            ),
        },
        track="knee_near",
        arrow_offset=(10, -26),
        bend=-0.3,
    ),
    Exercise(
        "pelvic_tilt",
        {
            "start": r(HOOK, curve=-0.05),
            "end": r(HOOK, curve=0.04, near_hip=58, far_hip=54),
        },
        track="hip",
        arrow_offset=(-6, -48),
        bend=0.6,
    ),
    Exercise(
        "bird_dog",
        {
            "start": FOURS,
            "end": r(
                FOURS,
                near_shoulder=4,
                near_elbow=0,
                far_hip=0,
                far_knee=0,
                far_ankle=30,
            ),
        },
        track="hand_near",
        arrow_offset=(0, -16),
        bend=-0.3,
    ),
    Exercise(
        "bridge",
        {
            "start": HOOK,
            "end": r(
                HOOK, trunk=-110, near_hip=10, far_hip=6, near_knee=100, far_knee=96
            ),
        },
        track="hip",
        arrow_offset=(0, -44),
        bend=0.0,
    ),
    Exercise(
        "curl_up",
        {
            "start": r(SUPINE, near_hip=50, near_knee=100),
            "end": r(
                SUPINE, near_hip=50, near_knee=100, neck=18, curve=0.04, trunk=-84
            ),
        },
        track="head",
        arrow_offset=(0, -30),
        bend=0.0,
    ),
    # Propped on the right forearm, knees bent: the hips rest on the floor,
    # then lift until the body is straight from the knees to the head.
    Exercise(
        "side_bridge",
        {
            "start": r(
                SIDE_LYING,
                trunk=-56,
                right_arm=56,
                right_elbow=90,
                left_arm=10,
                left_leg=34,
                right_leg=-34,
                shin_fold=0.35,
                feet_together=False,
            ),
            "end": r(
                SIDE_LYING,
                trunk=-68,
                right_arm=68,
                right_elbow=90,
                left_arm=10,
                shin_fold=0.35,
                feet_together=False,
            ),
        },
        track="hip",
        arrow_offset=(0, -40),
        bend=0.0,
    ),
    Exercise(
        "prone_press_up",
        {
            "start": PRONE,
            "end": r(
                PRONE,
                trunk=56,
                curve=-0.16,
                near_hip=-26,
                far_hip=-26,
                near_shoulder=168,
                far_shoulder=164,
                near_elbow=6,
                far_elbow=6,
                neck=-16,
            ),
        },
        track="head",
        arrow_offset=(0, -30),
        bend=0.0,
    ),
    Exercise(
        "gluteal_stretch",
        {
            "start": HOOK,
            "end": r(
                HOOK,
                near_hip=115,
                near_knee=110,
                near_shoulder=95,
                near_hand_to="knee_near",
                far_shoulder=95,
                far_hand_to="knee_near",
            ),
        },
        track="knee_near",
        arrow_offset=(10, -26),
        bend=-0.3,
    ),
    Exercise(
        "piriformis_stretch",
        {
            "start": r(FRONT_SIT, right_leg=55, right_foot_to="knee_left"),
            "end": r(
                FRONT_SIT,
                right_leg=55,
                right_foot_to="knee_left",
                trunk_fold=0.8,
                nod=5,
            ),
        },
        track="head",
        arrow_offset=(0, -30),
        bend=0.0,
    ),
    Exercise(
        "clamshell",
        {"start": SIDE_LYING, "end": r(SIDE_LYING, left_leg=40)},
        track="knee_left",
        arrow_offset=(0, -20),
        bend=-0.4,
    ),
)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for exercise in EXERCISES:
        for frame, text in render(exercise).items():
            (OUT_DIR / f"{exercise.id}-{frame}.svg").write_text(text, encoding="utf-8")
    print(f"wrote {sum(len(e.frames) for e in EXERCISES)} frames to {OUT_DIR}")


if __name__ == "__main__":
    main()
