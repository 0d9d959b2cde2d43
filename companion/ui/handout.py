"""The take-home handout: a page laid out with QPainter (exercises on page 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter

from companion.core.content import Content
from companion.core.exercise_pages import ProgrammeHandout
from companion.core.handout import Handout, Section
from companion.ui.palette import ACCENT, INK, RULE, SOFT_INK, WARNING
from companion.ui.patient_diagram import PatientDiagram, display_names
from companion.ui.settings import Settings
from companion.ui.simple_progress import ChartLabels, paint_simple_progress
from companion.ui.spine_view import INVOLVED_COLOURS

MARGIN_PT = 36.0  # half an inch: inside every printer's unprintable edge
PROGRESS_CHART_PT = 88.0  # height of the "Your progress" chart on the page
LARGEST_PT, SMALLEST_PT, STEP_PT = 10.5, 5.5, 0.25
# Layout units per point: Qt rounds font pixel sizes to whole numbers, so the page
# is laid out in quarter points to let the type shrink in quarter-point steps.
UNITS = 4.0


@dataclass(frozen=True)
class HandoutLayout:
    """How the page came out: the body type size used and whether it all fit."""

    font_px: float
    fits: bool


PAGE_SIZE_KEY = "handout/page_size"
PAGE_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}
# Muscle labels on paper: about 8 pt once the diagram is scaled into its column.
PRINT_LABEL_PX = 30


def locale_page_size() -> str:
    """"letter" where the locale measures in inches (US), else "a4"."""
    us = (
        QLocale.system().measurementSystem()
        == QLocale.MeasurementSystem.ImperialUSSystem
    )
    return "letter" if us else "a4"


def page_size_name(settings: Settings | None) -> str:
    """The clinic's paper size (a setting), else the locale's."""
    chosen = settings.get_str(PAGE_SIZE_KEY, "") if settings is not None else ""
    return chosen if chosen in PAGE_SIZES else locale_page_size()


def default_page_size(settings: Settings | None = None) -> QPageSize:
    """The page size the handout prints on: the setting, else the locale's."""
    return QPageSize(PAGE_SIZES[page_size_name(settings)])


def handout_diagram(
    content: Content, codes: Sequence[str], muscles: tuple[str, ...]
) -> PatientDiagram:
    """An off-screen diagram of the whole spine, the visit's levels marked."""
    view = PatientDiagram(label_px=PRINT_LABEL_PX, whole=True)
    view.set_names(display_names(content))
    view.select(codes[0] if len(codes) == 1 else None)
    view.set_marked(list(codes))
    view.set_involved_muscles(list(muscles))
    return view


def _section_html(
    section: Section, px: float, colours: dict[int, str] | None = None
) -> str:
    colour = WARNING if section.key == "warning" else ACCENT
    parts = [
        f'<p style="margin-top: {px * 0.7:.1f}px; margin-bottom: {px * 0.2:.1f}px;'
        f' font-size: {px * 1.2:.1f}px; font-weight: bold; color: {colour};">'
        f"{escape(section.title)}</p>"
    ]
    for i, text in enumerate(section.paragraphs):
        if section.bullets:
            mark, mark_colour = (
                ("▲", WARNING) if section.key == "warning" else ("●", ACCENT)
            )
            if colours is not None:
                mark, mark_colour = "■", colours.get(i, ACCENT)
            parts.append(
                f'<p style="margin-top: 0; margin-bottom: {px * 0.25:.1f}px;'
                f' margin-left: {px * 1.1:.1f}px; text-indent: {-px * 1.1:.1f}px;">'
                f'<span style="color: {mark_colour};">{mark}</span>&nbsp;'
                f"{escape(text)}</p>"
            )
        else:
            parts.append(
                f'<p style="margin-top: 0; margin-bottom: {px * 0.3:.1f}px;">'
                f"{escape(text)}</p>"
            )
    return "".join(parts)


def _document(html: str, px: float, width: float) -> QTextDocument:
    doc = QTextDocument()
    doc.setUseDesignMetrics(True)  # lay out as printed, not as hinted for a screen
    doc.setDocumentMargin(0)
    font = QFont()
    font.setPixelSize(max(1, round(px)))
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(f"body {{ color: {INK}; font-size: {px:.2f}px; }}")
    doc.setHtml(f'<body style="font-size: {px:.2f}px; color: {INK};">{html}</body>')
    doc.setTextWidth(width)
    return doc


def _text(
    painter: QPainter,
    rect: QRectF,
    text: str,
    px: float,
    bold: bool = False,
    colour: str = INK,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> float:
    """Draw one short paragraph at rect's top left; returns its height (0 if empty)."""
    if not text:
        return 0.0
    side = "right" if align == Qt.AlignmentFlag.AlignRight else "left"
    weight = "bold" if bold else "normal"
    doc = _document(
        f'<p align="{side}" style="color: {colour}; font-weight: {weight};">'
        f"{escape(text)}</p>",
        px,
        rect.width(),
    )
    _draw(painter, doc, rect.topLeft())
    return doc.size().height()


def render_handout(
    painter: QPainter,
    page: QRectF,
    handout: Handout,
    diagram: PatientDiagram | None,
    page_reference: str = "",
) -> HandoutLayout:
    """Draw the whole handout into page (in points), shrinking type until it fits.

    page_reference ("Your exercises are on page 2.") goes under the follow-up.
    """
    painter.save()
    try:
        painter.scale(1 / UNITS, 1 / UNITS)
        return _render(painter, _units(page), handout, diagram, page_reference)
    finally:
        painter.restore()


def _units(rect: QRectF) -> QRectF:
    return QRectF(rect.x() * UNITS, rect.y() * UNITS, rect.width() * UNITS,
                  rect.height() * UNITS)  # fmt: skip


def _render(
    painter: QPainter,
    page: QRectF,
    handout: Handout,
    diagram: PatientDiagram | None,
    page_reference: str = "",
) -> HandoutLayout:
    u = UNITS
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    x, y, width = page.left(), page.top(), page.width()

    # Header: clinic and date on one line, then the title and the region.
    left_h = _text(painter, QRectF(x, y, width * 0.6, 0), handout.clinic, 11 * u, True)
    right_h = 0.0
    for line in (handout.given_on, handout.prepared_for):
        if line:
            right_h += _text(
                painter, QRectF(x + width * 0.4, y + right_h, width * 0.6, 0), line,
                9 * u, False, SOFT_INK, Qt.AlignmentFlag.AlignRight,
            )  # fmt: skip
    y += max(left_h, right_h) + 3 * u
    y += _text(painter, QRectF(x, y, width, 0), handout.title, 20 * u, True, ACCENT)
    y += _text(painter, QRectF(x, y, width, 0), handout.region_name, 13 * u, True)
    y += 5 * u
    painter.setPen(QPen(QColor(ACCENT), 1.2 * u))
    painter.drawLine(QPointF(x, y), QPointF(x + width, y))
    y += 10 * u

    # Footer: the notice, always printed.
    notice = _document(
        f'<p style="font-style: italic; color: {SOFT_INK};">'
        f"{escape(handout.notice)}</p>",
        8 * u,
        width,
    )
    footer_top = page.bottom() - notice.size().height()
    painter.setPen(QPen(QColor(RULE), 0.8 * u))
    painter.drawLine(
        QPointF(x, footer_top - 6 * u), QPointF(x + width, footer_top - 6 * u)
    )
    _draw(painter, notice, QPointF(x, footer_top))

    body_bottom = footer_top - 12 * u
    if handout.progress is not None:
        body_bottom = _progress_box(painter, handout, x, width, body_bottom) - 10 * u
    body = QRectF(x, y, width, body_bottom - y)
    gutter = 18 * u
    left_w = body.width() * 0.4
    right = QRectF(body.left() + left_w + gutter, body.top(),
                   body.width() - left_w - gutter, body.height())  # fmt: skip

    # Left column: the diagram, the follow-up date, then the explanation.
    diagram_h = 0.0
    if diagram is not None:
        diagram.fit()  # frames the painful part, labels included
        source = diagram.focus_rect()
        diagram_h = min(left_w * source.height() / source.width(), body.height() * 0.42)
        target = QRectF(body.left(), body.top(), left_w, diagram_h)
        painter.save()
        painter.setPen(QPen(QColor("#d8d2c4"), 0.8 * u))
        painter.setBrush(QColor("#fbfaf7"))
        painter.drawRoundedRect(target, 6 * u, 6 * u)
        diagram.scene().render(
            painter, target.adjusted(2 * u, 2 * u, -2 * u, -2 * u), source,
            Qt.AspectRatioMode.KeepAspectRatio,
        )  # fmt: skip
        painter.restore()
    y_left = body.top() + diagram_h + 8 * u
    pointer = f"<p>{escape(page_reference)}</p>" if page_reference else ""
    follow = _document(
        f'<p style="font-weight: bold; color: {ACCENT};">'
        f"{escape(handout.follow_up)}</p>{pointer}",
        10.5 * u,
        left_w - 12 * u,
    )
    box = QRectF(body.left(), y_left, left_w, follow.size().height() + 10 * u)
    painter.setPen(QPen(QColor(ACCENT), 1.0 * u))
    painter.setBrush(QColor("#e4f0f4"))
    painter.drawRoundedRect(box, 5 * u, 5 * u)
    _draw(painter, follow, QPointF(box.left() + 6 * u, box.top() + 5 * u))
    left = QRectF(body.left(), box.bottom() + 2 * u, left_w,
                  body.bottom() - box.bottom() - 2 * u)  # fmt: skip

    colours = {
        i: INVOLVED_COLOURS[i % len(INVOLVED_COLOURS)]
        for i in range(len(handout.muscles))
    }
    # Try the sections as composed, then with the last right-hand ones moved under
    # the explanation on the left; keep whichever allows the largest type.
    best: (
        tuple[
            tuple[bool, float, float], tuple[float, bool, QTextDocument, QTextDocument]
        ]
        | None
    ) = None
    for moved in (0, 1, 2):
        keys = {s.key for s in handout.right[len(handout.right) - moved :]}
        left_sections = [*handout.left, *(s for s in handout.right if s.key in keys)]
        right_sections = [s for s in handout.right if s.key not in keys]
        fitted = _fit_columns(left_sections, right_sections, colours, left, right)
        fill = max(
            fitted[2].size().height() / left.height(),
            fitted[3].size().height() / right.height(),
        )
        key = (fitted[1], fitted[0], -fill)  # fits, then larger type, then balance
        if best is None or key > best[0]:
            best = (key, fitted)
    assert best is not None
    pt, fits, left_doc, right_doc = best[1]
    _draw(painter, left_doc, left.topLeft(), left.height())
    _draw(painter, right_doc, right.topLeft(), right.height())
    return HandoutLayout(pt, fits)


def _progress_box(
    painter: QPainter, handout: Handout, x: float, width: float, bottom: float
) -> float:
    """Draw "Your progress" above bottom: chart left, words right; returns its top."""
    u = UNITS
    progress = handout.progress
    assert progress is not None
    pad = 6 * u
    chart_w = width * 0.4
    text_w = width - chart_w - 3 * pad
    text = _document(
        f'<p style="margin-bottom: {3 * u:.1f}px; font-size: {11 * u:.1f}px;'
        f' font-weight: bold; color: {ACCENT};">{escape(progress.title)}</p>'
        f'<p style="margin-bottom: {3 * u:.1f}px; font-weight: bold;">'
        f"{escape(progress.sentence)}</p>"
        f'<p style="color: {SOFT_INK};">{escape(progress.how_to_read)}</p>',
        9 * u,
        text_w,
    )
    chart_h = PROGRESS_CHART_PT * u
    height = max(chart_h, text.size().height()) + 2 * pad
    box = QRectF(x, bottom - height, width, height)
    painter.save()
    painter.setPen(QPen(QColor(ACCENT), 1.0 * u))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(box, 5 * u, 5 * u)
    painter.restore()
    chart = QRectF(box.left() + pad, box.top() + pad, chart_w, height - 2 * pad)
    paint_simple_progress(
        painter, chart, progress.points, ChartLabels.of(progress), 7 * u
    )
    _draw(painter, text, QPointF(chart.right() + pad * 2, box.top() + pad))
    return box.top()


def _fit_columns(
    left_sections: list[Section],
    right_sections: list[Section],
    colours: dict[int, str],
    left: QRectF,
    right: QRectF,
) -> tuple[float, bool, QTextDocument, QTextDocument]:
    """The largest type (pt) at which both columns fit, and their documents."""
    pt = LARGEST_PT
    while True:
        px = pt * UNITS
        left_html = "".join(
            _section_html(s, px, colours if s.key == "muscles" else None)
            for s in left_sections
        )
        right_html = "".join(_section_html(s, px) for s in right_sections)
        left_doc = _document(left_html, px, left.width())
        right_doc = _document(right_html, px, right.width())
        fits = (
            left_doc.size().height() <= left.height()
            and right_doc.size().height() <= right.height()
        )
        if fits or pt - STEP_PT < SMALLEST_PT:
            return pt, fits, left_doc, right_doc
        pt -= STEP_PT


def _draw(
    painter: QPainter, doc: QTextDocument, at: QPointF, height: float | None = None
) -> None:
    painter.save()
    painter.translate(at)
    if height is None:
        doc.drawContents(painter)
    else:  # never spill past the column, even at the smallest type
        doc.drawContents(painter, QRectF(0, 0, doc.textWidth(), height))
    painter.restore()


def paint_on_device(
    device: QPagedPaintDevice | QPrinter,
    handout: Handout,
    diagram: PatientDiagram | None,
    programme: ProgrammeHandout | None = None,
) -> HandoutLayout:
    """Paint the handout on a PDF writer or printer whose page layout is already set.

    With a programme, its exercises follow on page 2 (and page 1 says so).
    """
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("could not start writing the page")
    try:
        # Work in points whatever the device's resolution.
        scale = device.resolution() / 72.0
        painter.scale(scale, scale)
        paint = device.pageLayout().paintRect(QPageLayout.Unit.Point)
        area = QRectF(0, 0, paint.width(), paint.height())
        pointer = programme.page_reference if programme is not None else ""
        layout = render_handout(painter, area, handout, diagram, pointer)
        if programme is not None:
            from companion.ui.handout_exercises import render_programme

            if not device.newPage():
                raise OSError("could not start page 2")
            render_programme(painter, area, programme, device.newPage)
        return layout
    finally:
        painter.end()


def write_pdf(
    handout: Handout,
    path: Path,
    diagram: PatientDiagram | None,
    page_size: QPageSize | None = None,
    programme: ProgrammeHandout | None = None,
) -> HandoutLayout:
    """Save the handout as a PDF (one page, two with a programme); OSError if not."""
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setPageSize(page_size or default_page_size())
    writer.setPageMargins(
        QMarginsF(MARGIN_PT, MARGIN_PT, MARGIN_PT, MARGIN_PT), QPageLayout.Unit.Point
    )
    writer.setTitle(f"{handout.title} — {handout.region_name}")
    writer.setCreator("Spine Companion")
    layout = paint_on_device(writer, handout, diagram, programme)
    del writer  # closes the file
    if not Path(path).is_file():
        raise OSError(f"{path} was not written")
    return layout
