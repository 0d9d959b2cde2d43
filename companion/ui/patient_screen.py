"""The patient screen: a full-screen, large-type explanation facing the patient.

It explains the open visit: its levels and regions, never the clinician's last
look-up on the diagram. Privacy by construction: every word on it comes from
the clinical content and the interface strings in the screen's language, plus
— only when the clinic turns the setting on — the open patient's first name
(or initials), and the open patient's own pain scores in the visit's episode
("Your progress": weeks and pain numbers only, no dates, notes or chart
numbers). It holds no store; the ops are used to learn which patient and visit
are open and to read that one patient's visits.

Hidden most of the day, so it costs nothing until needed: the window is built on
first use (F5), and while hidden it only notes that the visit or language
changed; the explanation is laid out again when it is shown or read. The
greeting (the one piece of a patient record it may show) is always kept
current, so a hidden screen never holds a closed chart's name.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
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

from companion.core import spine, visit_rules
from companion.core.content import Content
from companion.core.episodes import visits_of_episode
from companion.core.exercise_pages import ExercisePage, exercise_page
from companion.core.handout import (
    PatientExplanation,
    PatientProgress,
    explain_for_patient,
    first_name,
    patient_progress,
)
from companion.core.i18n import Strings, strings
from companion.core.records import Patient
from companion.ui.app_state import AppState
from companion.ui.exercise_frames import ExerciseFrames
from companion.ui.exercise_panel import library_for
from companion.ui.ops import Changes, ClinicOps
from companion.ui.palette import ACCENT, BACKGROUND, INK, RULE, SOFT_INK
from companion.ui.patient_diagram import PatientDiagram, display_names
from companion.ui.patient_screen_pages import (
    Page,
    Topic,
    exercise_on,
    exercise_topics,
    page_html,
    paginate,
    para,
    progress_topic,
    topics_for,
)
from companion.ui.settings import Settings
from companion.ui.show_name import show_name_allowed
from companion.ui.simple_progress import SimpleProgressChart
from companion.ui.spasm_animation import SpasmAnimation

BODY_PX_AT_1080 = 30  # readable from 2–3 m; scaled with the screen's height
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


class PatientScreen(QWidget):
    """Full-screen explanation for the patient; follows the open visit."""

    language_changed = Signal(str)
    page_changed = Signal(int)

    def __init__(
        self,
        state: AppState,
        session: ClinicOps,
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
        self._codes: list[str] = self._visit_codes(session)
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
        # Shown instead of the diagram on each prescribed exercise's page.
        self.exercise_frames = ExerciseFrames()
        self.exercise_frames.hide()
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
        left.addWidget(self.exercise_frames, 1)
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
            f"QFrame#noticeRule {{ color: {RULE}; }}"
        )
        self.apply_scale(self._screen_height())

        session.changed.connect(self._on_records_changed)
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
        """English ↔ Spanish for this screen only.

        The patient's preferred language (what the handout uses) is changed in
        the patient's details or the handout's own step, not by a key press here.
        """
        language = next_language(self.state.languages, self._language)
        if language is None:
            return False
        self.set_language(language)
        return True

    def codes(self) -> list[str]:
        """The levels (or regions) explained: the open visit's."""
        return list(self._codes)

    @staticmethod
    def _visit_codes(ops: ClinicOps) -> list[str]:
        visit = ops.visit
        if visit is None:
            return []
        return visit_rules.visit_codes(visit.levels, visit.regions)

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

    def _explanations(self) -> list[PatientExplanation]:
        """One explanation per region of the open visit, top to bottom."""
        by_region: dict[str, PatientExplanation] = {}
        for code in self._codes:
            try:
                explained = explain_for_patient(self.content, code)
            except KeyError:
                continue
            by_region.setdefault(explained.region_id, explained)
        return list(by_region.values())

    def _allowed_name(self, patient: Patient | None) -> str:
        return first_name(patient) if show_name_allowed(self.settings) else ""

    def _on_records_changed(self, changes: Changes) -> None:
        if changes.patient:
            self._on_patient_changed(self.session.patient)
        if changes.patient or changes.visit or changes.visits:
            # A new region starts at its first page (_apply_code); another
            # level of the same region stays on the topic being explained.
            self._codes = self._visit_codes(self.session)
            self._changed()

    def _on_patient_changed(self, patient: Patient | None) -> None:
        # The name changes at once, shown or not: no closed chart's name lingers.
        self._name = self._allowed_name(patient)
        self._page = 0
        language = patient.preferred_language if patient is not None else None
        if language in self.state.languages and language != self._language:
            self.set_language(language)  # lays the screen out again (if shown)
        else:
            self._refresh_greeting()

    def _read_progress(self) -> PatientProgress | None:
        """Progress in the open visit's episode, from the open patient's own visits."""
        patient, visit = self.session.patient, self.session.visit
        if patient is None:
            return None
        own = [v for v in self.session.visits() if v.patient_id == patient.id]
        if visit is not None:
            own = visits_of_episode(own, visit.episode_id)
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
        explanations = self._explanations()
        region = explanations[0].region_id if explanations else None
        self.diagram.select(self._codes[0] if len(self._codes) == 1 else None)
        self.diagram.set_marked(self._codes)
        muscles = [m for e in explanations for m, _line in e.muscles]
        self.diagram.set_involved_muscles(muscles)
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
        names = [e.region_name for e in self._explanations()]
        where = ", ".join(c for c in self._codes if spine.is_level(c))
        title = " · ".join(names)
        self.region_title.setText(f"{title} ({where})" if title and where else title)
        self.notice.setText(self.content.general["notice"])

    def _topics(self) -> list[Topic]:
        topics = self._explanation_topics()
        topics += exercise_topics(self._exercise_pages())
        if self._progress is not None:
            topics.append(progress_topic(self._progress))
        return topics

    def _exercise_pages(self) -> list[ExercisePage]:
        """The open visit's programme, a page per exercise, in the screen's language."""
        programme = self.session.current_programme()
        if programme is None:
            return []
        library = library_for(self._language)
        return [exercise_page(library, p) for p in programme.items]

    def _explanation_topics(self) -> list[Topic]:
        explanations = self._explanations()
        if not explanations:
            t = self.labels.t
            return [
                Topic(
                    "spasm",
                    t("patient_screen.spasm_title"),
                    (para(self.content.general["spasm_what"]),),
                ),
                Topic(
                    "welcome",
                    t("patient_screen.where_title"),
                    (para(t("patient_screen.welcome")),),
                ),
            ]
        return topics_for_regions(explanations, self.labels)

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
        exercise = exercise_on(self._pages[self._page]) if self._pages else None
        for widget in (self.diagram, self.animation, self.animation_caption):
            widget.setVisible(not on_progress and exercise is None)
        self.progress_chart.setVisible(on_progress)
        self.exercise_frames.setVisible(exercise is not None)
        if exercise is not None:
            library = library_for(self._language)
            self.exercise_frames.set_frames(library.frame_paths(exercise))
        if not self._pages:
            self.body.setText("")
            self.page_label.setText("")
            return
        self.body.setText(page_html(self._pages[self._page].blocks))
        self.page_label.setText(
            t("patient_screen.page", page=self._page + 1, pages=len(self._pages))
        )


REGION_TOPICS = ("where", "causes", "home", "warning")


def topics_for_regions(
    explanations: Sequence[PatientExplanation], labels: Strings
) -> list[Topic]:
    """Topics for every region of the visit; a topic said once is not repeated.

    With several regions each region's own topics carry its name in the title,
    and what is the same for all (what a spasm is, what to expect) comes once.
    """
    if len(explanations) == 1:
        return topics_for(explanations[0], labels)
    topics: list[Topic] = []
    said: set[tuple[str, ...]] = set()
    for explained in explanations:
        for topic in topics_for(explained, labels):
            if topic.blocks in said:
                continue
            said.add(topic.blocks)
            # Several regions: what differs by region says which one it is.
            title = (
                f"{explained.region_name}: {topic.title}"
                if topic.key in REGION_TOPICS
                else topic.title
            )
            topics.append(
                Topic(
                    f"{topic.key}.{explained.region_id}",
                    title,
                    topic.blocks,
                    topic.warning,
                    topic.own_page,
                )
            )
    return topics
