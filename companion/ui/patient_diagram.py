"""The spine diagram as the patient sees it: look-only, framed on what hurts."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QFrame, QWidget

from companion.core import spine
from companion.core.content import Content
from companion.ui.spine_view import SpineView


def display_names(content: Content) -> dict[str, str]:
    """Code → name for the diagram, in content's language."""
    names = {lv.code: lv.code for lv in spine.LEVELS}
    names.update({code: region.name for code, region in content.regions.items()})
    names.update({code: muscle.name for code, muscle in content.muscles.items()})
    return names


class PatientDiagram(SpineView):
    """The spine diagram for the patient: look-only, framed on the painful part."""

    MIN_SHARE = 0.55  # never zoom so far in that the body loses its shape

    def __init__(
        self,
        parent: QWidget | None = None,
        label_px: int | None = None,
        whole: bool = False,
    ) -> None:
        # Set before the base class builds the labels, so they are made once.
        if label_px is not None:
            self.LABEL_PX = label_px
            self.LABELS_LEFT_ONLY = True  # large print labels: keep the ruler clear
        # whole: frame the entire drawing (paper has room; a crop loses the head,
        # the coccyx or the ruler's end).
        self.whole = whole
        super().__init__(parent=parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Looking, not touching: the patient screen has no clinician controls.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def focus_rect(self) -> QRectF:
        """The involved muscles, their labels and the selection, with some context."""
        scene = self.sceneRect()
        if self.whole:
            return self.scene().itemsBoundingRect().united(scene)
        items = self.items_by_code()
        codes = [*self.involved_muscles(), self.selected_code(), *self.marked_codes()]
        rect = QRectF()
        for code in codes:
            item = items.get(code) if code else None
            if item is not None:
                rect = rect.united(item.sceneBoundingRect())
        for label in self.label_items():
            rect = rect.united(label.sceneBoundingRect())
        if rect.isEmpty():
            return scene
        pad = scene.height() * 0.04
        rect = rect.adjusted(-pad, -pad, pad, pad)
        min_h = scene.height() * self.MIN_SHARE
        if rect.height() < min_h:
            grow = (min_h - rect.height()) / 2
            rect = rect.adjusted(0, -grow, 0, grow)
        # Keep the whole width: the labels sit on both sides of the body, and the
        # region names may run past the art's own box.
        rect.setLeft(scene.left())
        rect.setRight(scene.right())
        if rect.top() < scene.top():
            rect.moveTop(scene.top())
        if rect.bottom() > scene.bottom():
            rect.moveBottom(scene.bottom())
        return rect

    def fit(self) -> None:
        # A view may only scroll within its scene rect; let this one reach text
        # that runs past the art's box (region names, muscle labels).
        scene = self.scene()
        self.setSceneRect(scene.itemsBoundingRect().united(scene.sceneRect()))
        self.resetTransform()
        self.fitInView(self.focus_rect(), Qt.AspectRatioMode.KeepAspectRatio)
