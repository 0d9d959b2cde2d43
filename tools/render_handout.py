"""Render a sample take-home handout to PDF and PNG for the README."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("COMPANION_NO_WELCOME", "1")  # a tool, not a new clinic
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QImage, QPageSize, QPainter  # noqa: E402

from companion.app import build_ready  # noqa: E402
from companion.ui.handout import MARGIN_PT, default_page_size, render_handout  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "handout.png"
DPI = 110


def png_with_poppler(pdf: Path, png: Path) -> bool:
    """Rasterise the real PDF with pdftoppm, if it is installed."""
    if shutil.which("pdftoppm") is None:
        return False
    stem = png.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    return png.is_file()


def png_with_qpainter(window, png: Path) -> None:
    """Paint the same page on an image (QPdfDocument is not in PySide6-Essentials)."""
    controls = window.patient_screen_controls.handout
    handout = controls.compose()
    diagram = controls._diagram(handout)
    size = default_page_size().size(QPageSize.Unit.Point)
    scale = DPI / 72
    image = QImage(round(size.width() * scale), round(size.height() * scale),
                   QImage.Format.Format_RGB32)  # fmt: skip
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.scale(scale, scale)
    painter.translate(MARGIN_PT, MARGIN_PT)
    from PySide6.QtCore import QRectF

    page = QRectF(0, 0, size.width() - 2 * MARGIN_PT, size.height() - 2 * MARGIN_PT)
    render_handout(painter, page, handout, diagram)
    painter.end()
    image.save(str(png))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--code", default="L4")
    parser.add_argument("--language", default="en", choices=["en", "es"])
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--pdf", help="also keep the PDF here")
    parser.add_argument("--qpainter", action="store_true", help="skip pdftoppm")
    args = parser.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        window = build_ready(["--data-dir", home])
        window.settings.set("clinic/name", "Riverside Spine & Wellness")
        session = window.ops
        session.create_patient(chart_number="DEMO-1", preferred_language=args.language)
        window.state.select(args.code)
        window.clinic.new_visit()
        session.update_visit(
            patient_plan="Walk 20 minutes twice a day.\nHeat 15 minutes before bed.",
            treatments_recommended=["heat", "stay_active", "exercise_therapy"],
            follow_up=date.today()
            .replace(day=1)
            .replace(month=date.today().month % 12 + 1),
        )
        pdf = Path(args.pdf) if args.pdf else Path(home) / "handout.pdf"
        layout = window.patient_screen_controls.handout.save_to(pdf)
        if layout is None:
            print("could not write the handout", file=sys.stderr)
            return 1
        if args.qpainter or not png_with_poppler(pdf, out):
            png_with_qpainter(window, out)
        print(f"wrote {out} (body {layout.font_px} pt, fits: {layout.fits})")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
