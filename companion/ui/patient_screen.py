"""The patient screen: a full-screen, large-type explanation facing the patient.

Privacy by construction: every word on it comes from the clinical content and the
interface strings in the patient's language, plus — only when the clinic turns
the setting on — the open patient's first name (or initials), and the open
patient's own pain scores over time ("Your progress": weeks and pain numbers
only, no dates, notes or chart numbers). It holds no store; the session is used
to learn which patient is open (their language), to read that one patient's
visits, and to remember a language change.

Hidden most of the day, so it costs nothing until needed: the window is built on
first use (F5, or code reading ``controls.screen``), and while hidden it only
notes that the selection or language changed; the explanation is laid out again
when it is shown or read (the progress chart included: visits are read only
then). The greeting (the one piece of a patient record it may
show) is always kept current, so a hidden screen never holds a closed chart's name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEasingCurve,
    QEvent,
    QObject,
    QPointF,
    QRectF,
    Qt,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QScreen,
    QShowEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from companion.core.content import Content
from companion.core.handout import (
    PatientExplanation,
    PatientProgress,
    explain_for_patient,
    first_name,
    patient_progress,
)
from companion.core.i18n import Strings, strings
from companion.core.records import LANGUAGES, Patient
from companion.ui.app_state import AppState
from companion.ui.handout import (
    SHOW_NAME_KEY,
    HandoutActions,
    show_name_allowed,
)
from companion.ui.patient_diagram import PatientDiagram, display_names
from companion.ui.settings import Settings
from companion.ui.simple_progress import SimpleProgressChart
from companion.ui.spine_view import INVOLVED_COLOURS
from companion.ui.visit_session import VisitSession

if TYPE_CHECKING:
    from companion.ui.main_window import MainWindow

BACKGROUND = "#fbfaf7"
INK = "#15191d"
ACCENT = "#0f5d7a"
WARNING = "#9b1c14"
SOFT_INK = "#3d4750"
BODY_PX_AT_1080 = 30  # readable from 2–3 m; scaled with the screen's height
PULSE_MS = 5200  # one tighten-hold-relax cycle: slow enough to stay calm
COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def choose_screen(
    screens: Sequence[QScreen], clinician_screen: QScreen | None
) -> QScreen | None:
    """The monitor facing the patient: another one than the clinician's, if any."""
    others = [s for s in screens if s is not clinician_screen]
    if others:
        return others[0]
    return clinician_screen if clinician_screen is not None else None


def next_language(languages: Sequence[str], current: str) -> str | None:
    """The language after current (English ↔ Spanish); None with only one."""
    if len(languages) < 2:
        return None
    index = languages.index(current) if current in languages else 0
    return languages[(index + 1) % len(languages)]


def bring_forward(window: QWidget) -> None:
    """Raise and activate a window (headless platforms cannot stack windows)."""
    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        window.raise_()
    window.activateWindow()


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


def _para(text: str, bold: bool = False) -> str:
    weight = "bold" if bold else "normal"
    return f'<p style="{LINE} font-weight: {weight};">{escape(text)}</p>'


def _bullet(text: str, colour: str = ACCENT, mark: str = "•") -> str:
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
        _bullet(line, INVOLVED_COLOURS[i % len(INVOLVED_COLOURS)], "■")
        for i, (_id, line) in enumerate(explained.muscles)
    )
    return [
        Topic("spasm", t("patient_screen.spasm_title"), (_para(explained.spasm_what),)),
        Topic(
            "where",
            t("patient_screen.where_title"),
            (
                _para(explained.region_text),
                _para(t("patient_screen.muscles_intro"), bold=True),
                *muscles,
            ),
        ),
        Topic(
            "causes",
            t("patient_screen.causes_title"),
            tuple(_bullet(c) for c in explained.causes),
        ),
        Topic(
            "home",
            t("patient_screen.home_title"),
            tuple(_bullet(text) for _id, text in explained.home_care),
        ),
        Topic(
            "warning",
            t("patient_screen.warning_title"),
            tuple(_bullet(w, WARNING, "▲") for w in explained.warning_signs),
            warning=True,
        ),
        Topic("expect", t("patient_screen.expect_title"), (_para(explained.expect),)),
        Topic(
            "prevention",
            t("patient_screen.prevention_title"),
            tuple(_bullet(p) for p in explained.prevention),
        ),
    ]


def progress_topic(progress: PatientProgress) -> Topic:
    """The "Your progress" page: the sentence; the chart is drawn beside it."""
    return Topic(
        "progress",
        progress.title,
        (_para(progress.sentence, bold=True), _para(progress.how_to_read)),
        own_page=True,
    )


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


class SpasmAnimation(QWidget):
    """A drawn muscle between two bones that slowly tightens, holds and lets go."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spasmAnimation")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._tension = 0.0
        self._labels = ("Relaxed", "Tight")
        self.animation = QVariantAnimation(self)
        self.animation.setStartValue(0.0)
        # Tighten, hold, relax, rest: linear key values, eased in tension().
        self.animation.setKeyValueAt(0.35, 1.0)
        self.animation.setKeyValueAt(0.55, 1.0)
        self.animation.setKeyValueAt(0.9, 0.0)
        self.animation.setEndValue(0.0)
        self.animation.setEasingCurve(QEasingCurve.Type.Linear)
        self.animation.setDuration(PULSE_MS)
        self.animation.setLoopCount(-1)
        self.animation.valueChanged.connect(self._set_raw)

    def set_labels(self, relaxed: str, tight: str) -> None:
        self._labels = (relaxed, tight)
        self.update()

    def tension(self) -> float:
        """0 relaxed … 1 fully tight."""
        return self._tension

    def running(self) -> bool:
        return self.animation.state() == QVariantAnimation.State.Running

    def start(self) -> None:
        if not self.running():
            self.animation.start()

    def stop(self) -> None:
        self.animation.stop()
        self._set_raw(0.0)

    def _set_raw(self, value: object) -> None:
        raw = float(value)  # type: ignore[arg-type]
        self._tension = 0.5 - 0.5 * math.cos(math.pi * raw)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        k = self._tension
        label_h = h * 0.26
        mid = (h - label_h) / 2
        bone_w, bone_h = w * 0.045, (h - label_h) * 0.78
        gap = w * (0.62 - 0.14 * k)  # the muscle shortens and pulls the bones in
        left = (w - gap) / 2
        right = left + gap
        bone_pen = QPen(QColor("#6f6657"), max(1.5, h / 90))
        painter.setPen(bone_pen)
        painter.setBrush(QColor("#ece6d8"))
        for x in (left - bone_w, right):
            painter.drawRoundedRect(
                QRectF(x, mid - bone_h / 2, bone_w, bone_h), bone_w / 3, bone_w / 3
            )
        belly = (h - label_h) * (0.2 + 0.16 * k)  # and bunches up, thicker
        relaxed, tight = QColor("#d9958a"), QColor("#b23a2c")
        colour = QColor.fromRgbF(
            relaxed.redF() + (tight.redF() - relaxed.redF()) * k,
            relaxed.greenF() + (tight.greenF() - relaxed.greenF()) * k,
            relaxed.blueF() + (tight.blueF() - relaxed.blueF()) * k,
        )
        tendon = gap * 0.16
        path = QPainterPath(QPointF(left, mid - belly * 0.18))
        path.lineTo(left + tendon, mid - belly * 0.22)
        path.cubicTo(
            QPointF(left + gap * 0.35, mid - belly),
            QPointF(right - gap * 0.35, mid - belly),
            QPointF(right - tendon, mid - belly * 0.22),
        )
        path.lineTo(right, mid - belly * 0.18)
        path.lineTo(right, mid + belly * 0.18)
        path.lineTo(right - tendon, mid + belly * 0.22)
        path.cubicTo(
            QPointF(right - gap * 0.35, mid + belly),
            QPointF(left + gap * 0.35, mid + belly),
            QPointF(left + tendon, mid + belly * 0.22),
        )
        path.lineTo(left, mid + belly * 0.18)
        path.closeSubpath()
        painter.setBrush(colour)
        painter.setPen(QPen(colour.darker(150), max(1.5, h / 80)))
        painter.drawPath(path)
        # Fibres: straight when relaxed, wavier as the muscle tightens.
        fibre_pen = QPen(colour.darker(135), max(1.0, h / 140))
        fibre_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(fibre_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for offset in (-0.5, -0.17, 0.17, 0.5):
            fibre = QPainterPath()
            start = left + tendon * 1.6
            end = right - tendon * 1.6
            steps = 24
            for i in range(steps + 1):
                x = start + (end - start) * i / steps
                along = (x - left) / gap
                swell = math.sin(math.pi * along)
                y = mid + offset * belly * swell
                y += math.sin(i * 1.4) * belly * 0.06 * k * swell
                if i == 0:
                    fibre.moveTo(x, y)
                else:
                    fibre.lineTo(x, y)
            painter.drawPath(fibre)
        # One word says which state is shown; it fades across the change.
        font = QFont(self.font())
        font.setPixelSize(max(12, round(label_h * 0.62)))
        font.setBold(True)
        painter.setFont(font)
        text_rect = QRectF(0, h - label_h, w, label_h)
        word, weight = (self._labels[1], k) if k >= 0.5 else (self._labels[0], 1 - k)
        ink = QColor(WARNING if k >= 0.5 else ACCENT)
        ink.setAlphaF(min(1.0, 0.25 + 1.5 * (weight - 0.5) * 2))
        painter.setPen(ink)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, word)
        painter.end()


class PatientScreen(QWidget):
    """Full-screen explanation for the patient; follows the clinician's selection."""

    language_changed = Signal(str)
    page_changed = Signal(int)

    def __init__(
        self,
        state: AppState,
        session: VisitSession,
        settings: Settings,
        parent: QWidget | None = None,
        language: str | None = None,
    ) -> None:
        # A window of its own; the parent only ties its lifetime to the main window.
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("patientScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        self.state = state
        self.session = session
        self.settings = settings
        self.return_to: QWidget | None = parent
        self._language = state.language
        self._code: str | None = state.selection
        self._region: str | None = None
        self._pages: list[Page] = []
        self._page = 0
        self._name = ""
        self._progress: PatientProgress | None = None
        # Layout is redone only when seen: while hidden, changes just mark it stale.
        self._stale = True
        self._shown_language: str | None = None  # of the labels and diagram names
        self.layout_passes = 0  # times the pages were laid out (paginate calls)

        self.greeting = QLabel(objectName="patientGreeting")
        self.region_title = QLabel(objectName="patientRegion")
        self.greeting.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.diagram = PatientDiagram(self)
        self.animation = SpasmAnimation()
        self.animation_caption = QLabel(objectName="animationCaption")
        self.animation_caption.setWordWrap(True)
        self.animation_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Shown instead of the diagram on the "Your progress" page only.
        self.progress_chart = SimpleProgressChart()
        self.progress_chart.hide()
        self.body = QLabel(objectName="topicBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.page_label = QLabel(objectName="pageNumber")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.notice = QLabel(objectName="patientNotice")
        self.notice.setWordWrap(True)
        for label in self.findChildren(QLabel):
            label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

        header = QHBoxLayout()
        header.addWidget(self.region_title, 2)
        header.addWidget(self.greeting, 1)
        left = QVBoxLayout()
        left.addWidget(self.diagram, 1)
        left.addWidget(self.animation)
        left.addWidget(self.animation_caption)
        left.addWidget(self.progress_chart, 1)
        right = QVBoxLayout()
        right.addWidget(self.body, 1)
        right.addWidget(self.page_label)
        middle = QHBoxLayout()
        middle.addLayout(left, 4)
        middle.addSpacing(48)
        middle.addLayout(right, 6)
        rule = QFrame(objectName="noticeRule")
        rule.setFrameShape(QFrame.Shape.HLine)
        self.layout_root = QVBoxLayout(self)
        self.layout_root.addLayout(header)
        self.layout_root.addLayout(middle, 1)
        self.layout_root.addWidget(rule)
        self.layout_root.addWidget(self.notice)

        self.setStyleSheet(
            f"QWidget#patientScreen {{ background: {BACKGROUND}; }}"
            f"QLabel {{ color: {INK}; background: transparent; }}"
            f"QLabel#patientRegion {{ color: {ACCENT}; }}"
            f"QLabel#patientNotice, QLabel#pageNumber, QLabel#animationCaption"
            f" {{ color: {SOFT_INK}; }}"
            f"QFrame#noticeRule {{ color: #c9c3b6; }}"
        )
        self.apply_scale(self._screen_height())

        state.selection_changed.connect(self.show_code)
        session.patient_changed.connect(self._on_patient_changed)
        session.visits_changed.connect(self._changed)
        patient = session.patient
        if language is not None and language in state.languages:
            self._language = language
        elif patient is not None and patient.preferred_language in state.languages:
            self._language = patient.preferred_language
        self._name = self._allowed_name(patient)
        self._refresh_greeting()
        self.setWindowTitle(self.labels.t("patient_screen.title"))

    # -- public API -----------------------------------------------------------

    @property
    def language(self) -> str:
        return self._language

    @property
    def content(self) -> Content:
        return self.state.content_for(self._language)

    @property
    def labels(self) -> Strings:
        return strings(self._language)

    def pages(self) -> list[Page]:
        self.catch_up()
        return list(self._pages)

    def progress(self) -> PatientProgress | None:
        """The open patient's progress as shown (None: fewer than 2 pain scores)."""
        self.catch_up()
        return self._progress

    def current_page(self) -> int:
        self.catch_up()
        return self._page

    def is_stale(self) -> bool:
        """Whether the laid-out pages lag behind a change made while hidden."""
        return self._stale

    def catch_up(self) -> None:
        """Lay out what changed while hidden (shown or read: never stale then)."""
        if self._stale:
            self._stale = False
            self._rebuild()

    def set_language(self, language: str) -> None:
        """Show the screen in language (if its content is installed)."""
        if language not in self.state.languages or language == self._language:
            return
        self._language = language
        self.setWindowTitle(self.labels.t("patient_screen.title"))
        self._refresh_greeting()
        self._changed()
        self.language_changed.emit(language)

    def toggle_language(self) -> bool:
        """English ↔ Spanish for this screen; remembered for the open patient."""
        language = next_language(self.state.languages, self._language)
        if language is None:
            return False
        self.set_language(language)
        if self.session.patient is not None and language in LANGUAGES:
            self.session.set_patient_language(language)
        return True

    def show_code(self, code: str | None) -> None:
        """Explain a level, region or muscle code; None shows the general topics."""
        self._code = code
        self._changed()

    def refresh_name(self) -> None:
        """Re-read the show-name setting and the open patient."""
        self._name = self._allowed_name(self.session.patient)
        self._refresh_greeting()

    def next_page(self) -> None:
        self.go_to_page(self._page + 1)

    def previous_page(self) -> None:
        self.go_to_page(self._page - 1)

    def go_to_page(self, index: int) -> None:
        self.catch_up()
        if not self._pages:
            return
        index = min(max(index, 0), len(self._pages) - 1)
        if index != self._page:
            self._page = index
            self._show_page()
            self.page_changed.emit(index)

    def present(self) -> None:
        """Show full screen on the patient's monitor and take the keyboard."""
        clinician = self.return_to.screen() if self.return_to is not None else None
        target = choose_screen(QGuiApplication.screens(), clinician)
        if target is not None and (not self.isVisible() or self.screen() is not target):
            if self.isVisible():
                self.hide()
            self.setScreen(target)
            self.setGeometry(target.geometry())
            self.apply_scale(target.geometry().height())
        self.showFullScreen()
        bring_forward(self)
        self.setFocus()

    def dismiss(self) -> None:
        """Hide the screen and hand the keyboard back to the clinician's window."""
        self.hide()
        if self.return_to is not None:
            bring_forward(self.return_to)

    def plain_text(self) -> str:
        """The words on screen now (for tests and for reading aloud)."""
        self.catch_up()
        parts = [
            self.greeting.text(),
            self.region_title.text(),
            self.body.text(),
            self.animation_caption.text(),
            self.notice.text(),
        ]
        doc = QTextDocument()
        doc.setHtml("<br>".join(parts))
        return doc.toPlainText()

    def apply_scale(self, screen_height: int) -> None:
        """Size the type for a screen of this height: 30 px body at 1080 px."""
        scale = max(screen_height, 480) / 1080
        body = max(16, round(BODY_PX_AT_1080 * scale))
        self._body_px = body

        def font(px: float, bold: bool = False) -> QFont:
            f = QFont(self.font())
            f.setPixelSize(max(12, round(px)))
            f.setBold(bold)
            return f

        self.body.setFont(font(body))
        self.region_title.setFont(font(body * 1.15, True))
        self.greeting.setFont(font(body * 1.15))
        self.animation_caption.setFont(font(body * 0.85))
        self.page_label.setFont(font(body * 0.8))
        self.notice.setFont(font(body * 0.8))
        self.animation.setFixedHeight(round(body * 5.2))
        self.progress_chart.set_font_px(body * 0.85)
        margin = round(body * 1.6)
        self.layout_root.setContentsMargins(
            margin, round(margin * 0.7), margin, margin // 2
        )
        self.layout_root.setSpacing(round(body * 0.6))
        self._repaginate()

    # -- events ---------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.dismiss()
        elif key == Qt.Key.Key_L and not event.modifiers() & COMMAND_MODIFIERS:
            self.toggle_language()
        elif (
            key
            in (
                Qt.Key.Key_Right,
                Qt.Key.Key_Down,
                Qt.Key.Key_PageDown,
                Qt.Key.Key_Space,
                Qt.Key.Key_F6,
            )
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.next_page()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_F6):
            self.previous_page()
        elif key == Qt.Key.Key_Home:
            self.go_to_page(0)
        elif key == Qt.Key.Key_End:
            self.go_to_page(len(self.pages()) - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.animation.start()
        if self._stale:
            self.catch_up()  # everything that changed while hidden, laid out once
        else:
            self._repaginate()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.animation.stop()  # nothing moves while nobody can see it

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._repaginate()

    # -- internals ------------------------------------------------------------

    def _screen_height(self) -> int:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.geometry().height() if screen is not None else 1080

    def _explanation(self) -> PatientExplanation | None:
        if self._code is None:
            return None
        try:
            return explain_for_patient(self.content, self._code)
        except KeyError:
            return None

    def _allowed_name(self, patient: Patient | None) -> str:
        return first_name(patient) if show_name_allowed(self.settings) else ""

    def _on_patient_changed(self, patient: Patient | None) -> None:
        # The name changes at once, shown or not: no closed chart's name lingers.
        self._name = self._allowed_name(patient)
        self._page = 0
        language = patient.preferred_language if patient is not None else None
        if language in self.state.languages and language != self._language:
            self.set_language(language)  # lays the screen out again (if shown)
        else:
            self._refresh_greeting()
            self._changed()

    def _read_progress(self) -> PatientProgress | None:
        """Progress from the open patient's own visits, never anyone else's."""
        patient = self.session.patient
        if patient is None:
            return None
        own = [v for v in self.session.visits() if v.patient_id == patient.id]
        return patient_progress(own, self.labels)

    def _changed(self) -> None:
        """Something shown changed: lay out now if visible, else when next seen."""
        self._stale = True
        if self.isVisible():
            self.catch_up()

    def _rebuild(self) -> None:
        if self._shown_language != self._language:
            self._retranslate()
        self._apply_code()
        self._progress = self._read_progress()
        self.progress_chart.set_progress(self._progress)
        self._refresh_header()
        self._paginate()

    def _retranslate(self) -> None:
        t = self.labels.t
        self._shown_language = self._language
        self.setWindowTitle(t("patient_screen.title"))
        self.animation.set_labels(
            t("patient_screen.relaxed"), t("patient_screen.tight")
        )
        self.animation_caption.setText(t("patient_screen.animation_caption"))
        self.diagram.set_names(display_names(self.content))

    def _apply_code(self) -> None:
        explained = self._explanation()
        region = explained.region_id if explained else None
        self.diagram.select(self._code)
        self.diagram.set_involved_muscles(
            [m for m, _ in explained.muscles] if explained else []
        )
        self.diagram.fit()
        if region != self._region:
            self._region = region
            self._page = 0

    def _refresh_greeting(self) -> None:
        t = self.labels.t
        self.greeting.setText(
            t("patient_screen.greeting", name=self._name) if self._name else ""
        )

    def _refresh_header(self) -> None:
        self._refresh_greeting()
        explained = self._explanation()
        self.region_title.setText(explained.region_name if explained else "")
        self.notice.setText(self.content.general["notice"])

    def _topics(self) -> list[Topic]:
        topics = self._explanation_topics()
        if self._progress is not None:
            topics.append(progress_topic(self._progress))
        return topics

    def _explanation_topics(self) -> list[Topic]:
        explained = self._explanation()
        if explained is None:
            t = self.labels.t
            return [
                Topic(
                    "spasm",
                    t("patient_screen.spasm_title"),
                    (_para(self.content.general["spasm_what"]),),
                ),
                Topic(
                    "welcome",
                    t("patient_screen.where_title"),
                    (_para(t("patient_screen.welcome")),),
                ),
            ]
        return topics_for(explained, self.labels)

    def _repaginate(self) -> None:
        """The type or the size changed: lay out again now, or when next seen."""
        if not self.isVisible():
            self._stale = True  # caught up by showEvent or the next reader
        elif self._stale:
            self.catch_up()
        else:
            self._paginate()

    def _paginate(self) -> None:
        if not hasattr(self, "_body_px"):
            return
        self.layout_passes += 1
        width, height = self.body.width(), self.body.height()
        if not self.isVisible() or width < 100 or height < 100:
            # Not laid out yet: assume the screen's proportions.
            screen_h = self._screen_height()
            width, height = round(screen_h * 0.9), round(screen_h * 0.62)
        current = self._pages[self._page].topics[0] if self._pages else None
        self._pages = paginate(
            self._topics(),
            self.body.font(),
            width,
            height,
            round(self._body_px * 1.3),
        )
        # Stay on the topic being explained when the text reflows or changes language.
        same = [i for i, p in enumerate(self._pages) if current in p.topics]
        if same:
            self._page = same[0]
        else:
            self._page = min(self._page, max(len(self._pages) - 1, 0))
        self._show_page()

    def _show_page(self) -> None:
        t = self.labels.t
        on_progress = bool(self._pages) and "progress" in self._pages[self._page].topics
        for widget in (self.diagram, self.animation, self.animation_caption):
            widget.setVisible(not on_progress)
        self.progress_chart.setVisible(on_progress)
        if not self._pages:
            self.body.setText("")
            self.page_label.setText("")
            return
        self.body.setText(page_html(self._pages[self._page].blocks))
        self.page_label.setText(
            t("patient_screen.page", page=self._page + 1, pages=len(self._pages))
        )


class PatientScreenControls(QObject):
    """The main window's side of the patient screen: its actions and the handout.

    The screen itself is built on first use (``screen``); until then the patient's
    language is kept here, so the handout and Ctrl+Shift+L work without it.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._screen: PatientScreen | None = None
        state, session = window.state, window.session
        self._language = state.language
        patient = session.patient
        if patient is not None and patient.preferred_language in state.languages:
            self._language = patient.preferred_language
        session.patient_changed.connect(self._on_patient_changed)

        def action(shortcut: str | None, slot, checkable: bool = False) -> QAction:
            act = QAction(window)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.setCheckable(checkable)
            act.triggered.connect(slot)
            window.addAction(act)  # shortcuts work with the menu bar hidden
            return act

        self.show_action = action("F5", self.present)
        self.language_action = action("Ctrl+Shift+L", self.toggle_language)
        self.next_action = action("F6", self.next_page)
        self.previous_action = action("Shift+F6", self.previous_page)
        self.show_name_action = action(None, self.set_show_name, True)
        self.show_name_action.setChecked(show_name_allowed(window.settings))
        self.handout = HandoutActions(window, self)
        self.pdf_action = action("Ctrl+Shift+P", self.handout.save_pdf)
        self.print_action = action("Ctrl+Shift+R", self.handout.print)

        # Beside the other file actions, above the separator before Quit.
        file_actions = window.file_menu.actions()
        quit_at = file_actions.index(window.quit_action)
        before = file_actions[quit_at - 1] if quit_at > 0 else window.quit_action
        window.file_menu.insertActions(before, [self.pdf_action, self.print_action])
        window.view_menu.addSeparator()
        for act in (
            self.show_action,
            self.next_action,
            self.previous_action,
            self.language_action,
            self.show_name_action,
        ):
            window.view_menu.addAction(act)
        window.state.language_changed.connect(lambda _lang: self.retranslate())
        window.installEventFilter(self)
        self.retranslate()

    @property
    def screen(self) -> PatientScreen:
        """The patient screen, built (hidden) on first use."""
        if self._screen is None:
            window = self.window
            self._screen = PatientScreen(
                window.state, window.session, window.settings, window, self._language
            )
            self._screen.language_changed.connect(self._on_screen_language)
        return self._screen

    def built_screen(self) -> PatientScreen | None:
        """The patient screen if it has been built, without building it."""
        return self._screen

    @property
    def language(self) -> str:
        """The patient's language: the screen's, and the handout's."""
        return self._language

    def present(self) -> None:
        self.screen.present()

    def next_page(self) -> None:
        self.screen.next_page()

    def previous_page(self) -> None:
        self.screen.previous_page()

    def _on_screen_language(self, language: str) -> None:
        self._language = language

    def _on_patient_changed(self, patient: Patient | None) -> None:
        state = self.window.state
        if patient is not None and patient.preferred_language in state.languages:
            self._language = patient.preferred_language

    def _toggle_language(self) -> bool:
        if self._screen is not None:
            return self._screen.toggle_language()
        language = next_language(self.window.state.languages, self._language)
        if language is None:
            return False
        self._language = language
        session = self.window.session
        if session.patient is not None and language in LANGUAGES:
            session.set_patient_language(language)
        return True

    def toggle_language(self) -> None:
        t = self.window.state.strings.t
        if self._toggle_language():
            name = t(f"language.{self._language}")
            self.window.statusBar().showMessage(
                t("patient_screen.language_now", language=name), 4000
            )
        else:
            self.window.statusBar().showMessage(
                t("patient_screen.no_other_language"), 4000
            )

    def set_show_name(self, on: bool) -> None:
        self.window.settings.set(SHOW_NAME_KEY, "true" if on else "false")
        if self._screen is not None:
            self._screen.refresh_name()

    def retranslate(self) -> None:
        t = self.window.state.strings.t
        for act, key in (
            (self.show_action, "patient_screen.menu_show"),
            (self.language_action, "patient_screen.menu_language"),
            (self.next_action, "patient_screen.menu_next"),
            (self.previous_action, "patient_screen.menu_previous"),
            (self.show_name_action, "patient_screen.menu_show_name"),
            (self.pdf_action, "handout.menu_pdf"),
            (self.print_action, "handout.menu_print"),
        ):
            act.setText(t(key))
            shortcut = act.shortcut().toString()
            tip = t(key).replace("&", "")
            act.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Closing the clinician's window ends the day: the patient screen goes too,
        # or it would keep the application running.
        if (
            watched is self.window
            and event.type() == QEvent.Type.Close
            and self._screen is not None
        ):
            self._screen.hide()
        return False


def _window_patient_screen(window: MainWindow) -> PatientScreen:
    return window.patient_screen_controls.screen  # type: ignore[attr-defined]


def install_patient_screen(window: MainWindow) -> PatientScreenControls:
    """Create the patient screen's actions and menus; the screen comes on first use."""
    controls = PatientScreenControls(window)
    window.patient_screen_controls = controls  # type: ignore[attr-defined]
    # window.patient_screen builds the screen when first read (a class property,
    # as an instance attribute would have to hold a built screen).
    if not hasattr(type(window), "patient_screen"):
        type(window).patient_screen = property(  # type: ignore[attr-defined]
            _window_patient_screen, doc="The patient screen, built on first use."
        )
    return controls
