"""The handout's exercise page: frames, dose, stop rule and steps, and a week to tick.

Drawn after the first page when the open visit has a programme, in the same
quarter-point units and type as the first page; the type shrinks until the
whole programme fits one page, and only a very long programme runs on to more.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen, QTextDocument
from PySide6.QtSvg import QSvgRenderer

from companion.core.exercise_pages import ExercisePage, ProgrammeHandout
from companion.ui.exercise_frames import FRAME_ASPECT
from companion.ui.handout import UNITS, _document, _draw, _text
from companion.ui.palette import ACCENT, INK, RULE, SOFT_INK, WARNING

LARGEST_PT, SMALLEST_PT, STEP_PT = 10.0, 7.0, 0.25
FRAMES_SHARE = 0.40  # of the page width, left of each exercise's words
TRACKER_ROW_PT = 17.0


def _exercise_html(page: ExercisePage, px: float) -> str:
    steps = "".join(
        f'<p style="margin-top: 0; margin-bottom: {px * 0.15:.1f}px;'
        f' margin-left: {px * 1.2:.1f}px; text-indent: {-px * 1.2:.1f}px;">'
        f"<b>{n}.</b>&nbsp;{escape(step)}</p>"
        for n, step in enumerate(page.steps, 1)
    )
    return (
        f'<p style="margin: 0; font-size: {px * 1.25:.1f}px; font-weight: bold;">'
        f"{escape(page.name)}</p>"
        f'<p style="margin-top: {px * 0.1:.1f}px; margin-bottom: {px * 0.3:.1f}px;'
        f' font-weight: bold; color: {ACCENT};">{escape(page.dose)}</p>'
        f"{steps}"
        f'<p style="margin-top: {px * 0.2:.1f}px; margin-bottom: 0;">'
        f"<b>{escape(page.feel_heading)}:</b> {escape(page.feel)}</p>"
        f'<p style="margin-top: {px * 0.2:.1f}px; margin-bottom: 0;'
        f' color: {WARNING};"><b>▲ {escape(page.stop_heading)}:</b>'
        f" {escape(page.stop)}</p>"
    )


class _Block:
    """One exercise laid out at one type size: its words and its frames' size."""

    def __init__(self, page: ExercisePage, px: float, width: float) -> None:
        self.page = page
        self.frames_w = width * FRAMES_SHARE
        gap = 4 * UNITS
        count = max(len(page.frames), 1)
        self.frame_w = (self.frames_w - gap * (count - 1)) / count
        self.frame_h = self.frame_w / FRAME_ASPECT
        self.doc = _document(
            _exercise_html(page, px), px, width - self.frames_w - 10 * UNITS
        )
        self.height = max(self.frame_h, self.doc.size().height())

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        gap = 4 * UNITS
        painter.save()
        painter.setPen(QPen(QColor(RULE), 0.8 * UNITS))
        painter.setBrush(QColor("#ffffff"))
        for i, path in enumerate(self.page.frames):
            target = QRectF(x + i * (self.frame_w + gap), y, self.frame_w, self.frame_h)
            painter.drawRoundedRect(target, 3 * UNITS, 3 * UNITS)
            QSvgRenderer(str(path)).render(painter, target)
        painter.restore()
        _draw(painter, self.doc, QPointF(x + self.frames_w + 10 * UNITS, y))


NAME_SHARE = 0.5  # of the tracker's width, for "Bridge (2 sets, 10 times, …)"


def _tracker_rows(
    programme: ProgrammeHandout, px: float, width: float
) -> list[tuple[QTextDocument, float]]:
    """Each row's label and its height: a label that wraps makes its row taller."""
    row_h = TRACKER_ROW_PT * UNITS
    rows = []
    for name, dose in programme.tracker.rows:
        label = _document(
            f"<p>{escape(name)} ({escape(dose)})</p>",
            px * 0.85,
            width * NAME_SHARE - 4 * UNITS,
        )
        rows.append((label, max(row_h, label.size().height() + row_h * 0.3)))
    return rows


def _tracker_height(programme: ProgrammeHandout, px: float, width: float) -> float:
    title = _document(f"<p><b>{escape(programme.tracker.title)}</b></p>", px, width)
    rows = sum(h for _doc, h in _tracker_rows(programme, px, width))
    return title.size().height() + TRACKER_ROW_PT * UNITS + rows + px * 2.5


def _draw_tracker(
    painter: QPainter, programme: ProgrammeHandout, x: float, y: float,
    width: float, px: float,
) -> None:  # fmt: skip
    """The week: a row per exercise, a tick box per day, the hint below."""
    u = UNITS
    tracker = programme.tracker
    y += _text(painter, QRectF(x, y, width, 0), tracker.title, px * 1.1, True, ACCENT)
    y += 3 * u
    row_h = TRACKER_ROW_PT * u
    name_w = width * NAME_SHARE
    day_w = (width - name_w) / max(len(tracker.days), 1)
    box = min(row_h * 0.62, day_w * 0.6)
    painter.save()
    for d, day in enumerate(tracker.days):
        day_doc = _document(
            f'<p align="center" style="font-weight: bold;">{escape(day)}</p>',
            px * 0.9,
            day_w,
        )
        _draw(painter, day_doc, QPointF(x + name_w + d * day_w, y + row_h * 0.2))
    y += row_h
    for label, height in _tracker_rows(programme, px, width):
        painter.setPen(QPen(QColor(RULE), 0.6 * u))
        painter.drawLine(QPointF(x, y), QPointF(x + width, y))
        _draw(painter, label, QPointF(x, y + (height - label.size().height()) / 2))
        painter.setPen(QPen(QColor(INK), 0.9 * u))
        painter.setBrush(QColor("#ffffff"))
        for d in range(len(tracker.days)):
            cx = x + name_w + d * day_w + day_w / 2
            painter.drawRect(QRectF(cx - box / 2, y + (height - box) / 2, box, box))
        y += height
    painter.setPen(QPen(QColor(RULE), 0.6 * u))
    painter.drawLine(QPointF(x, y), QPointF(x + width, y))
    painter.restore()
    _text(painter, QRectF(x, y + 3 * u, width, 0), tracker.hint, px * 0.9, False,
          SOFT_INK)  # fmt: skip


def _fit(
    programme: ProgrammeHandout, width: float, height: float
) -> tuple[float, list[_Block]]:
    """The largest type at which every exercise and the week fit one page."""
    pt = LARGEST_PT
    while True:
        px = pt * UNITS
        blocks = [_Block(page, px, width) for page in programme.pages]
        gaps = 9 * UNITS * len(blocks)
        used = sum(b.height for b in blocks) + gaps
        if used + _tracker_height(programme, px, width) <= height or (
            pt - STEP_PT < SMALLEST_PT
        ):
            return px, blocks
        pt -= STEP_PT


def render_programme(
    painter: QPainter,
    page: QRectF,
    programme: ProgrammeHandout,
    new_page: Callable[[], bool],
) -> int:
    """Draw the programme from a fresh page (in points); returns the pages used."""
    painter.save()
    try:
        painter.scale(1 / UNITS, 1 / UNITS)
        u = UNITS
        area = QRectF(page.x() * u, page.y() * u, page.width() * u, page.height() * u)
        return _render(painter, area, programme, new_page)
    finally:
        painter.restore()


def _heading(painter: QPainter, area: QRectF, programme: ProgrammeHandout) -> float:
    u = UNITS
    x, y, width = area.left(), area.top(), area.width()
    y += _text(painter, QRectF(x, y, width, 0), programme.title, 18 * u, True, ACCENT)
    y += 4 * u
    painter.setPen(QPen(QColor(ACCENT), 1.2 * u))
    painter.drawLine(QPointF(x, y), QPointF(x + width, y))
    return y + 9 * u


def _render(
    painter: QPainter,
    area: QRectF,
    programme: ProgrammeHandout,
    new_page: Callable[[], bool],
) -> int:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    x, width = area.left(), area.width()
    top = _heading(painter, area, programme)
    px, blocks = _fit(programme, width, area.bottom() - top)
    pages, y = 1, top
    for block in blocks:
        if y + block.height > area.bottom() and y > top:
            if not new_page():
                raise OSError("could not start a new page")
            pages, y = pages + 1, area.top()
        block.draw(painter, x, y)
        y += block.height + 4.5 * UNITS
        painter.setPen(QPen(QColor(RULE), 0.5 * UNITS))
        painter.drawLine(QPointF(x, y), QPointF(x + width, y))
        y += 4.5 * UNITS
    if y + _tracker_height(programme, px, width) > area.bottom():
        if not new_page():
            raise OSError("could not start a new page")
        pages, y = pages + 1, area.top()
    _draw_tracker(painter, programme, x, y + 2 * UNITS, width, px)
    return pages
