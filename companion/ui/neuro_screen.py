"""The quick nerve-root screen on the visit: findings per root and side, saved."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from companion.core import visit_rules
from companion.core.clinical_neuro import (
    FULL_STRENGTH,
    SIDES,
    RootFinding,
    answers_after_screen,
)
from companion.ui.app_context import AppContext
from companion.ui.ops import Changes

# The roots a region's screen tests: the neck's arm roots, the low back's leg
# roots (the sacrum's pain is screened with the leg roots too).
ROOTS_BY_REGION: dict[str, tuple[str, ...]] = {
    "cervical": ("C5", "C6", "C7", "C8", "T1"),
    "lumbar": ("L2", "L3", "L4", "L5", "S1"),
    "sacral": ("L2", "L3", "L4", "L5", "S1"),
}
SENSATION_CHOICES = ("normal", "reduced", "absent")
REFLEX_CHOICES = ("normal", "reduced", "absent", "brisk")
PARTS = ("sensation", "strength", "reflex", "neurodynamic")


class FindingCombo(QComboBox):
    """A choice the mouse wheel changes only once clicked: scrolling never does."""

    def __init__(self, objectName: str) -> None:
        super().__init__(objectName=objectName)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Two per row beside a label in a narrow dock: never wider than needed.
        self.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.setMinimumContentsLength(7)

    def wheelEvent(self, event: QWheelEvent) -> None:
        # Scrolling the visit form over a finding must not record a finding
        # (and raise a red flag): pass the wheel on to the form.
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def roots_for(regions: list[str]) -> tuple[str, ...]:
    """The roots to screen for the visit's regions, top to bottom, each once."""
    roots = [r for region in regions for r in ROOTS_BY_REGION.get(region, ())]
    return tuple(dict.fromkeys(roots))


class NeuroScreen(QWidget):
    """A collapsible section: sensation, strength, reflex, neurodynamic per side."""

    def __init__(
        self,
        context: AppContext,
        after_save: Callable[[], None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("neuroScreen")
        self.context = context
        self.ops = context.ops
        self._after_save = after_save  # the editor re-ticks its red-flag answers
        self._loading = False
        self._shown: tuple[str, str | None, tuple[str, ...]] | None = None
        # (root, side, part) -> the control for it
        self.controls: dict[tuple[str, str, str], QComboBox | QCheckBox] = {}

        self.toggle = QToolButton(objectName="neuroScreenToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setStyleSheet("QToolButton { border: none; font-weight: bold; }")
        self.toggle.toggled.connect(self._on_toggled)
        self.summary = QLabel(objectName="neuroScreenSummary", wordWrap=True)
        self.body = QWidget(objectName="neuroScreenBody")
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(12, 0, 0, 0)
        self.grid.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary)
        layout.addWidget(self.body)
        self.ops.changed.connect(self._on_changed)
        context.state.language_changed.connect(lambda _lang: self.refresh(True))
        self._on_toggled(False)
        self.refresh(True)

    # -- showing --------------------------------------------------------------

    def _on_toggled(self, open_: bool) -> None:
        self.toggle.setArrowType(
            Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow
        )
        self.body.setVisible(open_)

    def _on_changed(self, changes: Changes) -> None:
        if changes.visit or changes.visits:
            self.refresh(changes.visit)

    def roots(self) -> tuple[str, ...]:
        visit = self.ops.visit
        if visit is None:
            return ()
        return roots_for(visit_rules.visit_regions(visit.levels, visit.regions))

    def refresh(self, rebuild: bool = False) -> None:
        """Show the open visit's regions' roots and its recorded findings."""
        visit = self.ops.visit
        roots = self.roots()
        if self.parentWidget() is not None or not roots:
            # Never shown on its own: only inside the form it is placed in.
            self.setVisible(bool(roots))
        shown = (self.context.state.language, visit.id if visit else None, roots)
        if rebuild or shown != self._shown:
            self._build(roots)
            self._shown = shown
        self._show_findings()

    def _build(self, roots: tuple[str, ...]) -> None:
        t = self.context.t
        content = self.context.state.content
        self.toggle.setText(content.general["nerve_screen_title"])
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.controls.clear()
        row = 0
        for root_id in roots:
            root = content.nerve_roots[root_id]
            head = QLabel(f"<b>{root_id}</b>", wordWrap=True)
            head.setToolTip(
                f"{root.dermatome}\n{root.myotome}\n{root.reflex}\n"
                f"{content.general['neurodynamic_' + root.neurodynamic]}"
            )
            self.grid.addWidget(head, row, 0)
            for col, side in enumerate(SIDES, start=1):
                self.grid.addWidget(QLabel(t(f"neuro.{side}")), row, col)
            row += 1
            for part in PARTS:
                label = QLabel(self._part_label(root_id, part), wordWrap=True)
                self.grid.addWidget(label, row, 0)
                for col, side in enumerate(SIDES, start=1):
                    control = self._control(root_id, side, part)
                    control.setAccessibleName(
                        f"{root_id} {t(f'neuro.{side}')}: {label.text()}"
                    )
                    self.controls[(root_id, side, part)] = control
                    self.grid.addWidget(control, row, col)
                row += 1

    def _part_label(self, root_id: str, part: str) -> str:
        t = self.context.t
        content = self.context.state.content
        root = content.nerve_roots[root_id]
        if part == "sensation":
            return t("neuro.sensation", where=root.dermatome)
        if part == "strength":
            return t("neuro.strength", muscle=root.myotome)
        if part == "reflex":
            return root.reflex
        return t(
            "neuro.neurodynamic",
            test=content.general[f"neurodynamic_{root.neurodynamic}"],
        )

    def _control(self, root_id: str, side: str, part: str) -> QComboBox | QCheckBox:
        t = self.context.t
        name = f"neuro_{root_id}_{side}_{part}"
        if part == "neurodynamic":
            box = QCheckBox(objectName=name)
            box.toggled.connect(lambda _on: self._save())
            return box
        combo = FindingCombo(objectName=name)
        combo.addItem(t("neuro.not_tested"), None)
        if part == "strength":
            for grade in range(FULL_STRENGTH, -1, -1):
                combo.addItem(f"{grade}/{FULL_STRENGTH}", grade)
        else:
            choices = SENSATION_CHOICES if part == "sensation" else REFLEX_CHOICES
            for choice in choices:
                # Spanish words agree with sensibilidad or reflejo: own keys.
                combo.addItem(t(f"neuro.{part}_{choice}"), choice)
        root = self.context.state.content.nerve_roots[root_id]
        # A root without a reliable reflex offers none to record.
        combo.setEnabled(part != "reflex" or root.has_reflex)
        combo.currentIndexChanged.connect(lambda _i: self._save())
        return combo

    def _show_findings(self) -> None:
        visit = self.ops.visit
        findings = {(f.root, f.side): f for f in (visit.neuro_screen if visit else ())}
        self._loading = True
        try:
            for (root, side, part), control in self.controls.items():
                finding = findings.get((root, side))
                if isinstance(control, QCheckBox):
                    control.setChecked(bool(finding and finding.neurodynamic_positive))
                    continue
                value = getattr(finding, part) if finding else None
                control.setCurrentIndex(max(control.findData(value), 0))
        finally:
            self._loading = False
        t = self.context.t
        tested = [f for f in findings.values() if f != RootFinding(f.root, f.side)]
        self.summary.setText(
            t("neuro.summary", count=len(tested)) if tested else t("neuro.none")
        )

    # -- saving ---------------------------------------------------------------

    def findings(self) -> tuple[RootFinding, ...]:
        """What the controls show, one finding per root and side tested."""
        found: list[RootFinding] = []
        for root in self.roots():
            for side in SIDES:
                values = {part: self.controls[(root, side, part)] for part in PARTS[:3]}
                neuro = self.controls[(root, side, "neurodynamic")]
                assert isinstance(neuro, QCheckBox)
                finding = RootFinding(
                    root,
                    side,
                    sensation=values["sensation"].currentData(),
                    strength=values["strength"].currentData(),
                    reflex=values["reflex"].currentData(),
                    neurodynamic_positive=True if neuro.isChecked() else None,
                )
                if finding != RootFinding(root, side):
                    found.append(finding)
        return tuple(found)

    def _save(self) -> None:
        visit = self.ops.visit
        if self._loading or visit is None:
            return
        findings = self.findings()
        content = self.context.state.content
        # An abnormal finding raises its red flag in the same update, so the
        # banner shows the flag's action at once; it never clears an answer.
        answers = answers_after_screen(content, visit.red_flags, findings)
        raised = [
            f.name
            for f in content.red_flags
            if answers.get(f.id) != visit.red_flags.get(f.id)
        ]
        if self.ops.update_visit(neuro_screen=findings, red_flags=answers):
            self._after_save()
            if raised:
                # The banner heads the form, maybe scrolled away: say it here too.
                self.context.status(
                    self.context.t("neuro.flag_raised", flags=", ".join(raised)), 10000
                )
