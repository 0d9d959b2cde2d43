"""The Progress dock: the 4–6-week banner, the pain/PSFS chart and PSFS entry.

The chart (and with it pyqtgraph) is created only when the dock is first shown
for a patient with at least one visit, so start-up never pays for pyqtgraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from companion.core.episodes import visits_of_episode
from companion.core.progress import (
    IMPROVING,
    LOW_BACK,
    NECK,
    NO_DATA,
    NOT_IMPROVING,
    TOO_EARLY,
    WORSE,
    ProgressSummary,
    summarize,
)
from companion.core.psfs import PSFS_MAX_ACTIVITIES, psfs_score, validate_psfs
from companion.core.records import Episode, InvalidInput, Visit
from companion.ui.app_context import AppContext
from companion.ui.app_state import AppState
from companion.ui.ops import Changes, ClinicOps
from companion.ui.patient_banner import PatientBanner

if TYPE_CHECKING:
    from companion.ui.progress_chart import ProgressChart

MIN_CHART_HEIGHT = 280
UNRATED = -1  # the spin box minimum, shown as "—"
BANNER_STYLE = (
    "QLabel#progressBanner { background: #fdecea; color: #7a1d12;"
    " border: 2px solid #b03a2e; border-radius: 4px; padding: 6px;"
    " font-weight: bold; }"
)


class PsfsEntry(QWidget):
    """Up to five activities with a 0–10 rating each; Enter saves to the open visit."""

    def __init__(self, state: AppState, session: ClinicOps, parent=None):
        super().__init__(parent)
        self.setObjectName("psfsEntry")
        self.state = state
        self.session = session
        self.box = QGroupBox()
        self.hint = QLabel(objectName="psfsHint", wordWrap=True)
        self.hint.setStyleSheet("color: #555;")
        self.activities: list[QLineEdit] = []
        self.ratings: list[QSpinBox] = []
        grid = QGridLayout()
        for row in range(PSFS_MAX_ACTIVITIES):
            name = QLineEdit(objectName=f"psfsActivity{row + 1}")
            name.setMaxLength(80)
            rating = QSpinBox(objectName=f"psfsRating{row + 1}")
            rating.setRange(UNRATED, 10)
            rating.setSpecialValueText("—")
            rating.setValue(UNRATED)
            grid.addWidget(name, row, 0)
            grid.addWidget(rating, row, 1)
            self.activities.append(name)
            self.ratings.append(rating)
        grid.setColumnStretch(0, 1)
        self.save_button = QPushButton(objectName="psfsSave")
        self.score = QLabel(objectName="psfsScore")
        self.error = QLabel(objectName="psfsError", wordWrap=True)
        self.error.setStyleSheet("color: #b03a2e;")
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.score, 1)
        row.addWidget(self.save_button)
        inner = QVBoxLayout(self.box)
        inner.addWidget(self.hint)
        inner.addLayout(grid)
        inner.addWidget(self.error)
        inner.addLayout(row)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.box)
        outer.addStretch(1)
        # Tab runs name, rating, name, rating…; Enter anywhere in the form saves.
        order = [
            w for pair in zip(self.activities, self.ratings, strict=True) for w in pair
        ]
        for first, second in zip(order, [*order[1:], self.save_button], strict=True):
            QWidget.setTabOrder(first, second)
        for widget in order:
            widget.installEventFilter(self)
        self.save_button.clicked.connect(self.save)
        self.retranslate()
        self.load(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter saves from any field; spin boxes would otherwise swallow it.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.save()
            return True
        return super().eventFilter(watched, event)

    def retranslate(self) -> None:
        t = self.state.strings.t
        self.box.setTitle(t("progress.psfs_title"))
        self.hint.setText(t("progress.psfs_hint"))
        self.save_button.setText(t("progress.psfs_save"))
        for n, (name, rating) in enumerate(
            zip(self.activities, self.ratings, strict=True), 1
        ):
            name.setPlaceholderText(t("progress.psfs_activity", n=n))
            name.setAccessibleName(t("progress.psfs_activity", n=n))
            rating.setAccessibleName(t("progress.psfs_rating", n=n))
        self._show_score(self.session.visit)

    def load(
        self, visit: Visit | None, earlier: tuple[tuple[str, int], ...] = ()
    ) -> None:
        """Show the visit's PSFS; with none yet, offer the last visit's activities."""
        self.error.hide()
        answers = visit.psfs if visit is not None else ()
        names = [a for a, _ in answers] or [a for a, _ in earlier]
        for row, (name, rating) in enumerate(
            zip(self.activities, self.ratings, strict=True)
        ):
            name.setText(names[row] if row < len(names) else "")
            rating.setValue(answers[row][1] if row < len(answers) else UNRATED)
        self.setEnabled(visit is not None)
        self._show_score(visit)

    def answers(self) -> tuple[tuple[str, int], ...]:
        """The form's answers, validated; raises InvalidInput with a user message."""
        t = self.state.strings.t
        pairs: list[tuple[str, int]] = []
        for n, (name, rating) in enumerate(
            zip(self.activities, self.ratings, strict=True), 1
        ):
            text = name.text().strip()
            value = rating.value()
            if text and value == UNRATED:
                raise InvalidInput("psfs", t("progress.psfs_unrated", n=n))
            if not text and value != UNRATED:
                raise InvalidInput("psfs", t("progress.psfs_rating_only", n=n))
            if text:
                pairs.append((text, value))
        return validate_psfs(pairs)

    def save(self) -> bool:
        """Validate and save the PSFS on the open visit; show why not if it fails."""
        if self.session.visit is None:
            return False
        try:
            answers = self.answers()
        except InvalidInput as error:
            self._show_error(error.message)
            return False
        result = self.session.update_visit(psfs=answers)
        if not result.ok:
            self._show_error(result.error)
            return False
        self.error.hide()
        self._show_score(self.session.visit)
        return True

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _show_score(self, visit: Visit | None) -> None:
        t = self.state.strings.t
        if visit is None:
            self.score.setText(t("progress.psfs_no_visit"))
            return
        score = psfs_score(visit.psfs)
        self.score.setText(
            t("progress.psfs_no_score")
            if score is None
            else t("progress.psfs_score", score=f"{score:g}")
        )


class ProgressPanel(QWidget):
    """Banner, status, chart and PSFS entry for one episode of the open patient.

    The episode shown is the open visit's, or the newest; the clinician can
    switch. Progress, the MCID band and the 4–6-week rule count that episode's
    visits only: a new injury starts its own course.
    """

    def __init__(self, context: AppContext, parent=None):
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self.context = context
        self.state = state = context.state
        self.session = session = context.ops
        self.chart: ProgressChart | None = None
        self._episode_id: str | None = None  # the one chosen, None: follow the visit
        self.summary: ProgressSummary | None = None
        self._dirty = True
        self._on_screen: bool | None = None  # None: not in a dock, use isVisible

        self.banner = QLabel(objectName="progressBanner", wordWrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.banner.hide()
        self.status = QLabel(objectName="progressStatus", wordWrap=True)
        self.rule = QLabel(objectName="progressRule", wordWrap=True)
        self.rule.setStyleSheet("color: #555;")
        self.placeholder = QLabel(objectName="progressPlaceholder", wordWrap=True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.export_button = QPushButton(objectName="progressExport")
        self.export_button.setEnabled(False)
        self.psfs = PsfsEntry(state, session)
        self.patient_banner = PatientBanner(context)
        self.episode_label = QLabel(objectName="progressEpisodeLabel")
        self.episode_choice = QComboBox(objectName="progressEpisode")
        self.episode_choice.activated.connect(self._on_episode_chosen)

        chart_box = QWidget(objectName="progressChartBox")
        chart_box.setMinimumHeight(MIN_CHART_HEIGHT)
        self.chart_area = QVBoxLayout(chart_box)
        self.chart_area.setContentsMargins(0, 0, 0, 0)
        self.chart_area.addWidget(self.placeholder)
        self.legend = QLabel(objectName="progressLegend", wordWrap=True)
        self.legend.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.legend, 1)
        buttons.addWidget(self.export_button)
        self.chart_area.addLayout(buttons)
        psfs_scroll = QScrollArea(objectName="psfsScroll")
        psfs_scroll.setWidgetResizable(True)
        psfs_scroll.setFrameShape(QFrame.Shape.NoFrame)
        psfs_scroll.setWidget(self.psfs)
        # The chart gets the room; the PSFS form scrolls if the dock is short.
        self.splitter = QSplitter(Qt.Orientation.Vertical, objectName="progressSplit")
        self.splitter.addWidget(chart_box)
        self.splitter.addWidget(psfs_scroll)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([700, 300])  # proportions; the form scrolls
        layout = QVBoxLayout(self)
        layout.addWidget(self.patient_banner)
        episode_row = QHBoxLayout()
        episode_row.addWidget(self.episode_label)
        episode_row.addWidget(self.episode_choice, 1)
        layout.addLayout(episode_row)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(self.rule)
        layout.addWidget(self.splitter, 1)

        self.export_button.clicked.connect(self.export_chart)
        session.changed.connect(self._on_records_changed)
        state.language_changed.connect(lambda _lang: self.retranslate())
        self.retranslate()

    # -- redraw ---------------------------------------------------------------

    def mark_dirty(self) -> None:
        """The visits changed: redraw now if shown, else when next shown."""
        self._dirty = True
        if self.on_screen():
            self.refresh()

    def on_screen(self) -> bool:
        """True when a person can see the panel (not a tab behind another dock)."""
        return self.isVisible() if self._on_screen is None else self._on_screen

    def set_on_screen(self, shown: bool) -> None:
        """Follow the dock: a tab behind another dock stays 'visible' to Qt."""
        self._on_screen = shown
        if shown and self._dirty:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty and self.on_screen():
            self.refresh()

    def _on_records_changed(self, changes: Changes) -> None:
        if changes.patient:
            self._episode_id = None  # another patient: follow their visit
        if changes.visit:
            self._episode_id = None
            self._on_visit_changed(self.session.visit)
        if changes.patient or changes.visits or changes.visit or changes.episode:
            self.mark_dirty()

    def shown_episode(self) -> str | None:
        """The episode on the chart: the one chosen, else the open visit's, else
        the newest."""
        if self._episode_id is not None:
            return self._episode_id
        visit = self.session.visit
        if visit is not None and visit.episode_id:
            return visit.episode_id
        visits = self.session.visits()
        return visits[0].episode_id if visits else None

    def episode_visits(self) -> list[Visit]:
        """The shown episode's visits, newest first (the open patient's only)."""
        visits = self.session.visits()
        return visits_of_episode(visits, self.shown_episode()) if visits else []

    def _on_episode_chosen(self, index: int) -> None:
        self._episode_id = self.episode_choice.itemData(index)
        self.mark_dirty()

    def _fill_episodes(self, episodes: list[Episode], visits: list[Visit]) -> None:
        t = self.state.strings.t
        shown = self.shown_episode()
        self.episode_choice.blockSignals(True)
        self.episode_choice.clear()
        for episode in episodes:
            own = [v for v in visits if v.episode_id == episode.id]
            if not own:
                continue
            start = episode.onset_date or own[-1].visit_date
            how = t(f"mechanism.{episode.mechanism}") if episode.mechanism else ""
            text = t(
                "progress.episode_item",
                start=start.isoformat(),
                how=how or t("visit.not_set"),
                count=len(own),
            )
            self.episode_choice.addItem(text, episode.id)
        self.episode_choice.setCurrentIndex(self.episode_choice.findData(shown))
        self.episode_choice.blockSignals(False)
        several = self.episode_choice.count() > 1
        self.episode_choice.setEnabled(several)

    def refresh(self) -> None:
        """Recompute the summary and redraw the banner, status and chart."""
        self._dirty = False
        self._fill_episodes(self.session.episodes(), self.session.visits())
        visits = self.episode_visits()
        self.summary = summarize(visits) if visits else None
        if visits and self.chart is None:
            self._create_chart()
        if self.chart is not None:
            self.chart.set_visits(visits)
            current = self.session.visit
            self.chart.set_current_visit(current.id if current else None)
            self.chart.setVisible(bool(visits))
        self.placeholder.setVisible(not visits)
        self.export_button.setEnabled(bool(visits))
        self._show_summary()

    def _create_chart(self) -> None:
        # Imported here: this is where pyqtgraph is first loaded.
        from companion.ui.progress_chart import ProgressChart

        self.chart = ProgressChart(self.state.strings)
        self.chart.set_treatment_names(
            {o.id: o.name for o in self.state.content.options}
        )
        self.chart.visit_clicked.connect(self.open_visit)
        self.chart_area.insertWidget(0, self.chart, 1)

    def _show_summary(self) -> None:
        t = self.state.strings.t
        s = self.summary
        if s is None:
            key = (
                "progress.no_patient"
                if self.session.patient is None
                else "progress.no_visits"
            )
            self.placeholder.setText(t(key))
            self.status.setText("")
            self.rule.setText("")
            self.banner.hide()
            return
        weeks = s.whole_weeks if s.whole_weeks is not None else 0
        values = {
            "weeks": weeks,
            "baseline": s.baseline_pain,
            "latest": s.latest_pain,
            "change": "—" if s.change is None else f"{s.change:+d}",
            "percent": "—" if s.percent_change is None else f"{s.percent_change:+g}%",
        }
        lines = []
        if s.baseline_pain is not None:
            key = (
                "progress.summary"
                if s.latest_pain is not None
                else "progress.summary_baseline"
            )
            lines.append(t(key, **values))
        status_key = {
            NO_DATA: "progress.status_no_data",
            TOO_EARLY: "progress.status_too_early",
            IMPROVING: "progress.status_improving",
            NOT_IMPROVING: "progress.status_not_improving",
            WORSE: "progress.status_worse",
        }[s.status]
        if s.status == WORSE and not s.needs_review:
            status_key = "progress.status_worse_early"
        message = t(status_key, **values)
        if s.needs_review:
            self.banner.setText(message)
            self.banner.show()
        else:
            self.banner.hide()
            lines.append(message)
        if s.psfs_change is not None:
            lines.append(
                t(
                    "progress.psfs_change",
                    baseline=f"{s.psfs_baseline:g}",
                    latest=f"{s.psfs_latest:g}",
                    change=f"{s.psfs_change:+g}",
                )
            )
        self.status.setText("\n".join(lines))
        self.rule.setText(" ".join(self._rule_lines(s)))

    def _rule_lines(self, s: ProgressSummary) -> list[str]:
        t = self.state.strings.t
        sources = ", ".join(s.mcid_sources)
        key = {LOW_BACK: "progress.mcid_low_back", NECK: "progress.mcid_neck"}.get(
            s.mcid_basis, "progress.mcid_neck_and_low_back"
        )
        lines = [t(key, sources=sources)]
        if not s.region_recorded:
            lines.append(t("progress.mcid_assumed"))
        if not s.onset_recorded:
            lines.append(t("progress.onset_assumed"))
        return lines

    # -- visits and PSFS ------------------------------------------------------

    def _on_visit_changed(self, visit: Visit | None) -> None:
        self.psfs.load(visit, self._earlier_psfs(visit))
        if self.chart is not None:
            self.chart.set_current_visit(visit.id if visit else None)

    def _earlier_psfs(self, visit: Visit | None) -> tuple[tuple[str, int], ...]:
        """The most recent PSFS before this visit, so activities carry over."""
        if visit is None or visit.psfs:
            return ()
        same_episode = visits_of_episode(self.session.visits(), visit.episode_id)
        earlier = [
            v
            for v in same_episode
            if v.psfs and v.id != visit.id and v.visit_date <= visit.visit_date
        ]
        return earlier[0].psfs if earlier else ()  # visits() is newest first

    def open_visit(self, visit_id: str) -> None:
        """Open the clicked visit in the visit editor."""
        self.session.open_visit(visit_id)
        visit = self.session.visit
        if visit is not None:
            self.context.status(
                self.context.t(
                    "progress.opened_visit", date=visit.visit_date.isoformat()
                ),
                5000,
            )

    def export_chart(self) -> None:
        t = self.state.strings.t
        path, _filter = QFileDialog.getSaveFileName(
            self, t("progress.export_title"), "progress.png", t("progress.png_filter")
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        """Save the chart as a PNG and say where (or that it failed)."""
        t = self.state.strings.t
        ok = self.chart is not None and self.chart.export_png(path)
        key = "progress.export_done" if ok else "progress.export_failed"
        self.context.status(t(key, path=path), 8000)
        return ok

    def retranslate(self) -> None:
        t = self.state.strings.t
        self.export_button.setText(t("progress.export_png"))
        self.episode_label.setText(t("progress.episode"))
        self.legend.setText(t("progress.legend"))
        self.psfs.retranslate()
        if self.chart is not None:
            self.chart.set_strings(self.state.strings)
        self._show_summary()


def fill_progress_dock(context: AppContext, dock: QDockWidget) -> ProgressPanel:
    """Build the Progress panel into its dock.

    The window made the dock (empty, titled, in its saved place) before its
    first paint and calls this when the dock is first shown, so nothing moves
    and nobody waits for a chart that is not on screen.
    """
    panel = ProgressPanel(context)
    placeholder = dock.widget()
    dock.setWidget(panel)
    if placeholder is not None:
        placeholder.deleteLater()
    panel.set_on_screen(dock.isVisible() and not dock.visibleRegion().isEmpty())
    dock.visibilityChanged.connect(panel.set_on_screen)
    return panel
