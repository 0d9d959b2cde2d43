"""A drawn muscle between two bones that slowly tightens, holds and lets go."""

from __future__ import annotations

import math

from PySide6.QtCore import QEasingCurve, QPointF, QRectF, Qt, QVariantAnimation
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from companion.ui.palette import ACCENT, WARNING

PULSE_MS = 5200  # one tighten-hold-relax cycle: slow enough to stay calm


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
