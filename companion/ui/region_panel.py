"""The clinician's explanation panel: muscles, causes, red flags and options."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.core.content import (
    SCREEN_KINDS,
    SCREENED_ROOTS,
    Content,
    Muscle,
    RegionInfo,
)
from companion.core.i18n import Strings
from companion.core.visit_rules import resolve_selection

if TYPE_CHECKING:
    from companion.ui.dermatome_view import DermatomeView

# Evidence and urgency badges; colour is never the only cue, the label is printed too.
EVIDENCE_COLOURS = {
    "supported": "#1b6e3c",
    "limited": "#7a5b00",
    "comfort_only": "#4a5a6a",
    "against": "#a1261d",
}
NB_HYPHEN = "\u2011"  # looks like "-", but a line never breaks after it
URGENCY_COLOURS = {"emergency": "#a1261d", "urgent": "#b3541e", "prompt": "#7a5b00"}


def escape(text: str) -> str:
    """html.escape's rules, without importing html (and html.entities) at start."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


class RegionPanel(QWidget):
    """Shows what the clinician needs to read for a level, region or muscle."""

    def __init__(
        self, content: Content, strings: Strings, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("regionPanel")
        self._content = content
        self._strings = strings
        self._code: str | None = None
        self._details_shown: str | None = None  # the HTML now in self.details
        # One laid-out document per explanation: switching regions swaps a
        # ready document in instead of parsing and laying out HTML (~12 ms).
        self._documents: dict[str, QTextDocument] = {}
        self._html: dict[tuple[str, str | None], str] = {}
        self._warm_queue: list[str] = []
        self._blank = QTextDocument(self)
        self._warm_timer = QTimer(self, singleShot=True, interval=0)
        self._warm_timer.timeout.connect(self._warm_next)

        self.header = QLabel(objectName="panelHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.summary = QLabel(objectName="panelSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.muscles_title = QLabel(objectName="sectionTitle")
        self.muscle_tree = QTreeWidget(objectName="muscleTree")
        self.muscle_tree.setHeaderHidden(True)
        self.muscle_tree.setColumnCount(1)
        self.muscle_tree.setWordWrap(True)
        self.muscle_tree.setUniformRowHeights(False)
        self.muscle_tree.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum
        )
        self.details = QTextBrowser(objectName="panelDetails")
        self.details.setOpenLinks(False)  # links are in-page anchors to the sources
        self.details.anchorClicked.connect(
            lambda url: self.details.scrollToAnchor(url.fragment())
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        # The skin area of the selected level's nerve root (C5–T1, L2–S1).
        self.dermatomes: DermatomeView | None = None  # built on first use
        for widget in (self.header, self.summary, self.muscles_title, self.muscle_tree):
            layout.addWidget(widget)
        self._dermatome_index = layout.count()
        layout.addWidget(self.details, stretch=1)
        self.show_selection(None)

    # -- public API -----------------------------------------------------------

    def set_language(self, content: Content, strings: Strings) -> None:
        """Redraw the current selection in another language."""
        self._content, self._strings = content, strings
        self._html.clear()
        self._warm_queue = list(content.regions)
        self.show_selection(self._code)

    def warm_up(self) -> None:
        """Prepare every region's explanation (and the dermatome view) in idle
        turns, one a turn, so the first click in each region is as quick as
        the next: 15-46 ms each on the bench machine until now, against 3-7."""
        if not self._warm_queue:
            self._warm_queue = list(self._content.regions)
        self._warm_timer.start()

    def current_code(self) -> str | None:
        return self._code

    def plain_text(self) -> str:
        """Everything the panel shows, as text (for tests and copy to the note)."""
        parts = [self.header.text(), self.summary.text(), self.muscles_title.text()]
        for i in range(self.muscle_tree.topLevelItemCount()):
            item = self.muscle_tree.topLevelItem(i)
            parts.append(item.text(0))
            parts += [item.child(j).text(0) for j in range(item.childCount())]
        parts.append(self.details.toPlainText())
        return "\n".join(parts)

    def show_selection(self, code: str | None) -> None:
        """Fill the panel for a level, region or muscle code; None shows the hint."""
        self._code = code
        t = self._strings.t
        if code is None:
            self.header.setText(t("panel.empty_title"))
            self.summary.setText(t("panel.empty_hint"))
            self.muscles_title.hide()
            self.muscle_tree.hide()
            self.muscle_tree.clear()
            self.details.setDocument(self._blank)  # cached ones stay intact
            self.details.hide()  # no empty box under the hint
            self._details_shown = None
            self._show_dermatome(None)
            return
        region, level, muscle_id = resolve_selection(self._content, code)
        if level:
            self.header.setText(
                t("panel.level_in_region", level=level, region=region.name)
            )
        elif muscle_id:
            name = self._content.muscles[muscle_id].name
            self.header.setText(
                t("panel.level_in_region", level=name, region=region.name)
            )
        else:
            self.header.setText(region.name)
        self.summary.setText(region.clinician)
        self.muscles_title.setText(t("panel.muscles"))
        self.muscles_title.show()
        self._fill_muscles(region, level, muscle_id)
        self.muscle_tree.show()
        self._show_dermatome(level)
        self.details.show()
        html = self._cached_html(region, muscle_id)
        if html != self._details_shown:
            document = self._document(html)
            self.details.setDocument(document)
            self.details.verticalScrollBar().setValue(0)
            self._details_shown = html
            if not self._warm_queue and len(self._documents) == 1:
                self._warm_queue = list(self._content.regions)
            self._warm_timer.start()
        else:
            # Levels of one region share this text: keep its layout, which is the
            # slow part of a click, and just go back to the top as setHtml would.
            self.details.verticalScrollBar().setValue(0)

    def _show_dermatome(self, level: str | None) -> None:
        if level not in SCREENED_ROOTS:  # dermatome_view.has_dermatome
            if self.dermatomes is not None:
                self.dermatomes.hide()
            return
        dermatomes = self._dermatome_view()
        # Small beside the text it illustrates: a sixth of the panel, at most.
        dermatomes.setFixedHeight(max(96, min(180, self.height() // 6)))
        dermatomes.show_root(level)
        dermatomes.show()

    def _dermatome_view(self) -> DermatomeView:
        if self.dermatomes is None:
            # Built on the first root level or in idle time (warm_up), not at
            # start: its module (and svg_scene) loads then, not before the
            # first paint.
            from companion.ui.dermatome_view import DermatomeView

            self.dermatomes = DermatomeView(self)
            self.dermatomes.hide()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(self._dermatome_index, self.dermatomes)
        return self.dermatomes

    # -- building the sections ------------------------------------------------

    def _fill_muscles(
        self, region: RegionInfo, level: str | None, focus: str | None
    ) -> None:
        t = self._strings.t
        tree = self.muscle_tree
        tree.setUpdatesEnabled(False)
        tree.clear()
        general = self._content.general
        for muscle in self._content.muscles_for(region.id):
            label = muscle.name
            if level and level in muscle.levels:
                label += f"  — {t('panel.muscle_at_level')}"
            if not muscle.from_article:
                label += f"  ({general['from_article_false']})"
            item = QTreeWidgetItem([label])
            item.setData(0, Qt.ItemDataRole.UserRole, muscle.id)
            item.setToolTip(0, muscle.patient)
            for child_text in self._muscle_facts(muscle):
                child = QTreeWidgetItem([child_text])
                child.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.addChild(child)
            tree.addTopLevelItem(item)
            if muscle.id == focus:
                item.setExpanded(True)
                tree.setCurrentItem(item)
        tree.setUpdatesEnabled(True)
        # The tree grows with its rows up to a third of the panel, then scrolls.
        rows = tree.topLevelItemCount() + (5 if focus else 0)
        tree.setMaximumHeight(min(rows * 24 + 8, max(self.height() // 3, 160)))

    def _cached_html(self, region: RegionInfo, muscle_id: str | None) -> str:
        key = (region.id, muscle_id)
        if key not in self._html:
            self._html[key] = self._details_html(region, muscle_id)
        return self._html[key]

    def _document(self, html: str) -> QTextDocument:
        """The laid-out document for html; the panel (not the browser) owns it."""
        document = self._documents.get(html)
        if document is None:
            document = QTextDocument(self)
            document.setDefaultFont(self.details.font())
            document.setHtml(html)
            document.setTextWidth(self.details.viewport().width())
            document.documentLayout().documentSize()  # lay it out now
            self._documents[html] = document
        return document

    def _warm_next(self) -> None:
        """In idle time, prepare one region's explanation per event-loop turn,
        then the dermatome view (hidden until a root level is shown)."""
        while self._warm_queue:
            region = self._content.regions[self._warm_queue.pop(0)]
            html = self._cached_html(region, None)
            if html not in self._documents:
                self._document(html)
                break
        else:
            if self.dermatomes is None:
                self._dermatome_view()
            return
        self._warm_timer.start()

    def _radicular_html(self, region: RegionInfo, cite: Callable) -> list[str]:
        """Radicular (nerve-root) pain: how it differs from referred pain."""
        content = self._content
        radicular = content.radicular_for(region.id)
        return [
            f"<h3>{escape(content.general['radicular_title'])}</h3>",
            f"<p><b>{escape(radicular.name)}</b><br>"
            f"{escape(radicular.clinician)}{cite(radicular.cite)}</p>",
        ]

    def _screen_html(self, cite: Callable) -> list[str]:
        """The pre-manipulation screen: contraindications and arterial screening."""
        content = self._content
        general = content.general
        html = [f"<h3>{escape(general['manipulation_screen_title'])}</h3>"]
        for kind in SCREEN_KINDS:
            items = [i for i in content.manipulation_screen if i.kind == kind]
            if not items:
                continue
            html.append(f"<p><b>{escape(general[f'screen_{kind}'])}</b></p><ul>")
            for item in items:
                html.append(
                    f"<li><b>{escape(item.name)}</b>: {escape(item.clinician)}"
                    f"{cite(item.cite)}</li>"
                )
            html.append("</ul>")
        return html

    def _muscle_facts(self, muscle: Muscle) -> list[str]:
        t = self._strings.t
        span = f"{muscle.span[0]}–{muscle.span[1]}"
        return [
            f"{t('panel.muscle_levels')}: {span}",
            f"{t('panel.muscle_origin')}: {muscle.origin}",
            f"{t('panel.muscle_insertion')}: {muscle.insertion}",
            f"{t('panel.muscle_action')}: {muscle.action}",
            f"{t('panel.muscle_innervation')}: {muscle.innervation}",
            f"{t('panel.muscle_patient')}: {muscle.patient}",
        ]

    def _details_html(self, region: RegionInfo, muscle_id: str | None) -> str:
        t = self._strings.t
        content = self._content
        general = content.general
        e = escape
        cited: list[str] = []

        def cite(keys: tuple[str, ...]) -> str:
            cited.extend(k for k in keys if k not in cited)
            # A key such as "nice-ng59" must never break across lines: Qt
            # breaks after a hyphen even in a no-wrap span, so the shown key
            # uses the non-breaking hyphen (the link keeps the real key).
            links = ", ".join(
                f'<span style="white-space:nowrap"><a href="#ref-{e(k)}">'
                f"{e(k).replace('-', NB_HYPHEN)}</a></span>"
                for k in keys
            )
            return f' <span style="color:#56606b; font-size:small">[{links}]</span>'

        def badge(text: str, colour: str) -> str:
            return f'<span style="color:{colour}; font-weight:bold">[{e(text)}]</span>'

        freq = general[f"spasm_frequency_{region.spasm_frequency}"]
        html = [
            f"<p><b>{e(t('panel.frequency'))}:</b> {e(freq)}{cite(region.cite)}</p>"
        ]

        html.append(f"<h3>{e(t('panel.causes'))}</h3>")
        for cause in content.causes_for(region.id):
            likelihood = general[f"likelihood_{cause.likelihood}"]
            html.append(
                f"<p><b>{e(cause.name)}</b> {badge(likelihood, '#56606b')}<br>"
                f"{e(t('panel.suggests'))}: {e(cause.suggests)}<br>"
                f"{e(t('panel.todo'))}: {e(cause.action)}{cite(cause.cite)}</p>"
            )

        html.append(f'<h3 style="color:#a1261d">⚠ {e(t("panel.red_flags"))}</h3>')
        html.append(f"<p><i>{e(t('panel.red_flags_hint'))}</i></p>")
        html.append('<table width="100%" cellspacing="0" cellpadding="6">')
        for flag in content.red_flags_for(region.id):
            colour = URGENCY_COLOURS[flag.urgency]
            urgency = general[f"urgency_{flag.urgency}"]
            call = content.call_text(flag)  # who the patient calls, how soon
            html.append(
                f'<tr><td style="background:#fdf1ef">'
                f"<b>{e(flag.name)}</b> {badge(urgency, colour)}<br>"
                f"{e(t('panel.ask'))}: {e(flag.question)}<br>"
                f"<b>{e(t('panel.if_present'))}:</b> {e(flag.action)}<br>"
                f"<b>{e(t('safety_panel.who_to_call'))}:</b> {e(call)}"
                f"{cite(flag.cite)}</td></tr>"
            )
        html.append("</table>")
        html.extend(self._radicular_html(region, cite))
        if region.id == "cervical":
            html.extend(self._screen_html(cite))

        html.append(f"<h3>{e(t('panel.options'))}</h3>")
        for option in content.options_for(region.id):
            evidence = general[f"evidence_{option.evidence}"]
            colour = EVIDENCE_COLOURS[option.evidence]
            html.append(
                f"<p><b>{e(option.name)}</b> {badge(evidence, colour)}<br>"
                f"{e(option.clinician)}<br>"
                f'<span style="color:#56606b">{e(t("panel.evidence"))}: '
                f"{e(option.evidence_note)}</span>{cite(option.cite)}</p>"
            )

        esc = content.escalation
        html.append(f"<h3>{e(t('panel.escalation'))}</h3>")
        html.append(f"<p>{e(esc.clinician)}{cite(esc.cite)}</p>")

        html.append(f"<h3>{e(t('panel.prevention'))}</h3><ul>")
        for item in content.prevention_for(region.id):
            html.append(
                f"<li><b>{e(item.name)}</b>: {e(item.clinician)}{cite(item.cite)}</li>"
            )
        html.append("</ul>")

        # The muscle facts in the tree above rest on these sources too.
        if muscle_id:
            cite(content.muscles[muscle_id].cite)
        for muscle in content.muscles_for(region.id):
            cite(muscle.cite)
        html.append(f"<h3>{e(t('panel.sources'))}</h3><ol>")
        for key in cited:
            text = content.citation(key).text
            html.append(
                f'<li><a name="ref-{e(key)}"></a>'
                f"<b>{e(key).replace('-', NB_HYPHEN)}</b>: {e(text)}</li>"
            )
        html.append("</ol>")
        return "\n".join(html)
