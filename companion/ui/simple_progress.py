"""A simple pain-over-time chart for patients, drawn with plain QPainter.

The clinician's Progress dock uses pyqtgraph; the patient screen and the handout
must stay light, so this module draws with QPainter only (never pyqtgraph): one
dot per visit joined by a line, pain 0–10 up the side in plain words, weeks along
the bottom, large type, dark ink on white. The same painter function draws the
widget on the patient screen and the small chart on the handout's PDF page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from companion.core.handout import PatientProgress

INK = "#15191d"
LINE = "#0f5d7a"
GRID = "#d5d0c5"
PAPER = "#ffffff"
PAIN_MAX = 10


@dataclass(frozen=True)
class ChartLabels:
    """The chart's two axis titles, already in the patient's language."""

    pain: str  # "Pain (0 = none, 10 = worst)"
    weeks: str  # "Weeks since your pain began"

    @classmethod
    def of(cls, progress: PatientProgress) -> ChartLabels:
        return cls(progress.pain_axis, progress.weeks_axis)


def week_ticks(last: float) -> tuple[int, list[int]]:
    """The x-axis end (whole weeks) and a few round tick values from 0 to it."""
    end = max(1, math.ceil(last))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 10**9) if end / s <= 8)
    end = math.ceil(end / step) * step
    return end, list(range(0, end + 1, step))


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def paint_simple_progress(
    painter: QPainter,
    rect: QRectF,
    points: Sequence[tuple[float, int]],
    labels: ChartLabels,
    font_px: float | None = None,
) -> None:
    """Draw pain (0–10) against weeks in rect: one dot per visit, joined by a line.

    font_px sets the type size (in painter units); by default it follows rect.
    """
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        px = font_px or max(10.0, min(rect.height() / 12, rect.width() / 22))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(PAPER))
        painter.drawRect(rect)

        text_h = px * 1.35
        number_w = px * 1.5
        # Plot area: the pain title above, numbers on the left, weeks below.
        plot = QRectF(
            rect.left() + number_w + px * 0.6,
            rect.top() + text_h + px * 0.9,
            0,
            0,
        )
        plot.setRight(rect.right() - px * 1.2)
        plot.setBottom(rect.bottom() - 2 * text_h - px * 0.3)
        if plot.width() <= 0 or plot.height() <= 0:
            return

        ink = QColor(INK)
        painter.setFont(_font(px, True))
        painter.setPen(ink)
        painter.drawText(
            QRectF(rect.left(), rect.top(), rect.width(), text_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            labels.pain,
        )

        end, ticks = week_ticks(max((w for w, _ in points), default=1.0))

        def at(weeks: float, pain: float) -> QPointF:
            return QPointF(
                plot.left() + plot.width() * weeks / end,
                plot.bottom() - plot.height() * pain / PAIN_MAX,
            )

        # Grid and pain numbers: 0, 2, … 10; only 0, 5, 10 when the chart is short.
        painter.setFont(_font(px))
        step = 2 if plot.height() >= px * 10 else 5
        for pain in range(0, PAIN_MAX + 1, step):
            y = at(0, pain).y()
            painter.setPen(QPen(QColor(GRID if pain else INK), max(1.0, px / 12)))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(ink)
            painter.drawText(
                QRectF(rect.left(), y - text_h / 2, number_w, text_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(pain),
            )
        painter.setPen(QPen(ink, max(1.0, px / 10)))
        painter.drawLine(plot.topLeft(), plot.bottomLeft())
        # Weeks along the bottom.
        for week in ticks:
            x = at(week, 0).x()
            tick = QPointF(x, plot.bottom() + px / 3)
            painter.drawLine(QPointF(x, plot.bottom()), tick)
            painter.drawText(
                QRectF(x - px * 2, plot.bottom() + px * 0.3, px * 4, text_h),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                str(week),
            )
        painter.setFont(_font(px, True))
        painter.drawText(
            QRectF(plot.left(), rect.bottom() - text_h, plot.width(), text_h),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
            labels.weeks,
        )

        if not points:
            return
        spots = [at(w, p) for w, p in points]
        line = QPen(QColor(LINE), max(1.5, px / 4))
        line.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(line)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(spots)
        radius = max(2.5, px * 0.42)
        painter.setPen(QPen(QColor(PAPER), max(1.0, px / 10)))
        painter.setBrush(QColor(LINE))
        for spot in spots:
            painter.drawEllipse(spot, radius, radius)
        # Each dot's pain score, just above it.
        painter.setPen(ink)
        painter.setFont(_font(px, True))
        for spot, (_w, pain) in zip(spots, points, strict=True):
            painter.drawText(
                QRectF(spot.x() - px * 2, spot.y() - radius - text_h, px * 4, text_h),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                str(pain),
            )
    finally:
        painter.restore()


class SimpleProgressChart(QWidget):
    """The simple chart as a widget (on the patient screen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simpleProgressChart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._points: tuple[tuple[float, int], ...] = ()
        self._labels = ChartLabels("", "")
        self._font_px: float | None = None

    def set_progress(self, progress: PatientProgress | None) -> None:
        """Show this patient's progress (None clears the chart)."""
        if progress is None:
            self._points, self._labels = (), ChartLabels("", "")
        else:
            self._points, self._labels = progress.points, ChartLabels.of(progress)
        self.setAccessibleName(self._labels.pain)
        self.update()

    def set_font_px(self, px: float | None) -> None:
        self._font_px = px
        self.update()

    def points(self) -> tuple[tuple[float, int], ...]:
        """The (weeks, pain) points drawn now."""
        return self._points

    def labels(self) -> ChartLabels:
        return self._labels

    def sizeHint(self) -> QSize:
        return QSize(640, 420)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            paint_simple_progress(
                painter, QRectF(self.rect()), self._points, self._labels, self._font_px
            )
        finally:
            painter.end()
