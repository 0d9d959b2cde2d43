"""The patient screen's text: topics in explaining order, split into whole pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtGui import QFont, QTextDocument

from companion.core.exercise_pages import ExercisePage
from companion.core.handout import PatientExplanation, PatientProgress
from companion.core.i18n import Strings
from companion.ui.palette import ACCENT, WARNING
from companion.ui.spine_view import INVOLVED_COLOURS


@dataclass(frozen=True)
class Topic:
    """One subject of the explanation: a title and its HTML paragraphs."""

    key: str
    title: str
    blocks: tuple[str, ...]
    warning: bool = False
    own_page: bool = False  # starts a page and shares it with no other topic


@dataclass(frozen=True)
class Page:
    """What fits on the screen at once: whole topics, or part of a long one."""

    topics: tuple[str, ...]  # topic keys shown, in order
    blocks: tuple[str, ...]  # HTML paragraphs, headings included


LINE = "line-height: 125%;"


def para(text: str, bold: bool = False) -> str:
    weight = "bold" if bold else "normal"
    return f'<p style="{LINE} font-weight: {weight};">{escape(text)}</p>'


def bullet(text: str, colour: str = ACCENT, mark: str = "•") -> str:
    # A two-cell table gives a true hanging indent: wrapped lines align with text.
    return (
        '<table cellspacing="0" cellpadding="0" style="margin-bottom: 0.45em;"><tr>'
        f'<td style="color: {colour}; {LINE}">{mark}&nbsp;&nbsp;</td>'
        f'<td style="{LINE}">{escape(text)}</td></tr></table>'
    )


def topics_for(explained: PatientExplanation | None, labels: Strings) -> list[Topic]:
    """The screen's topics, in the order a clinician explains them."""
    t = labels.t
    if explained is None:
        return []
    muscles = tuple(
        bullet(line, INVOLVED_COLOURS[i % len(INVOLVED_COLOURS)], "■")
        for i, (_id, line) in enumerate(explained.muscles)
    )
    return [
        Topic("spasm", t("patient_screen.spasm_title"), (para(explained.spasm_what),)),
        Topic(
            "where",
            t("patient_screen.where_title"),
            (
                para(explained.region_text),
                para(t("patient_screen.muscles_intro"), bold=True),
                *muscles,
            ),
        ),
        Topic(
            "causes",
            t("patient_screen.causes_title"),
            tuple(bullet(c) for c in explained.causes),
        ),
        Topic(
            "home",
            t("patient_screen.home_title"),
            tuple(bullet(text) for _id, text in explained.home_care),
        ),
        Topic(
            "warning",
            t("patient_screen.warning_title"),
            tuple(bullet(w, WARNING, "▲") for w in explained.warning_signs),
            warning=True,
        ),
        Topic("expect", t("patient_screen.expect_title"), (para(explained.expect),)),
        Topic(
            "prevention",
            t("patient_screen.prevention_title"),
            tuple(bullet(p) for p in explained.prevention),
        ),
    ]


def progress_topic(progress: PatientProgress) -> Topic:
    """The "Your progress" page: the sentence; the chart is drawn beside it."""
    return Topic(
        "progress",
        progress.title,
        (para(progress.sentence, bold=True), para(progress.how_to_read)),
        own_page=True,
    )


EXERCISE_PREFIX = "exercise."


def exercise_topics(pages: Sequence[ExercisePage]) -> list[Topic]:
    """A page per prescribed exercise: the dose in big type, the stop rule, the steps.

    The frames are drawn beside it, in place of the spine diagram.
    """
    topics = []
    for page in pages:
        dose = escape(" · ".join(page.dose_parts) or page.dose)
        steps = tuple(
            bullet(step, ACCENT, f"{n}.") for n, step in enumerate(page.steps, 1)
        )
        topics.append(
            Topic(
                f"{EXERCISE_PREFIX}{page.exercise_id}",
                page.name,
                (
                    f'<p style="{LINE} font-size: 150%; font-weight: bold;'
                    f' color: {ACCENT};">{dose}</p>',
                    # The stop rule comes before the steps: it is never on a
                    # later page than the dose, however long the steps run.
                    bullet(f"{page.stop_heading}: {page.stop}", WARNING, "▲"),
                    para(page.steps_heading, bold=True),
                    *steps,
                    para(f"{page.feel_heading}: {page.feel}"),
                ),
                own_page=True,
            )
        )
    return topics


def exercise_on(page: Page) -> str | None:
    """The exercise id a page shows (its frames go beside it), or None."""
    first = page.topics[0] if page.topics else ""
    return first[len(EXERCISE_PREFIX) :] if first.startswith(EXERCISE_PREFIX) else None


def heading_html(topic: Topic, px: int) -> str:
    colour = WARNING if topic.warning else ACCENT
    return (
        f'<p style="font-size: {px}px; font-weight: bold; color: {colour};'
        f' margin-top: {px // 2}px; margin-bottom: {px // 4}px;">'
        f"{escape(topic.title)}</p>"
    )


def page_html(blocks: Sequence[str]) -> str:
    return f'<div style="line-height: 135%;">{"".join(blocks)}</div>' if blocks else ""


def paginate(
    topics: Sequence[Topic], font: QFont, width: int, height: int, heading_px: int
) -> list[Page]:
    """Fill pages with topics in order; a long topic continues on the next page.

    A heading always stays with at least one of its paragraphs, and a paragraph
    is never split, so each page reads on its own.
    """
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setTextWidth(max(width, 100))
    limit = max(height, 100) * 0.96  # a little slack for rounding in the label

    def fits(blocks: list[str]) -> bool:
        doc.setHtml(page_html(blocks))
        return doc.size().height() <= limit

    pages: list[Page] = []
    blocks: list[str] = []
    keys: list[str] = []

    def close_page() -> None:
        if blocks:
            pages.append(Page(tuple(keys), tuple(blocks)))
        blocks.clear()
        keys.clear()

    for topic in topics:
        heading = heading_html(topic, heading_px)
        if topic.own_page:
            close_page()
        for n, block in enumerate(topic.blocks):
            lead = [heading, block] if n == 0 else [block]
            if blocks and not fits([*blocks, *lead]):
                close_page()
                lead = [heading, block]  # a continued topic repeats its heading
            if topic.key not in keys:
                keys.append(topic.key)
            blocks.extend(lead)
        if topic.own_page:
            close_page()
    close_page()
    return pages
