"""Render the patient screen as a patient would see it and save a screenshot."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if not os.environ.get("DISPLAY"):  # a real (virtual) display gives the real size
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from companion.app import build_ready  # noqa: E402


def settle(ms: int = 300) -> None:
    """Let layouts, pagination and the animation run for a moment."""
    app = QApplication.instance()
    assert app is not None
    done = []
    QTimer.singleShot(ms, lambda: done.append(True))
    while not done:
        app.processEvents()


def main() -> int:
    os.environ.setdefault("COMPANION_NO_WELCOME", "1")  # a tool, not a new clinic
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--code", default="L4", help="levels of the visit, comma-separated"
    )
    parser.add_argument("--language", default="en")
    parser.add_argument("--page", type=int, default=1, help="1-based page to show")
    parser.add_argument("--name", action="store_true", help="allow the first name")
    parser.add_argument(
        "--out", default=str(ROOT / "docs/screenshots/patient-screen.png")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        window = build_ready(["--data-dir", home])
        if args.name:
            window.patient_screen_controls.show_name_action.trigger()
        window.ops.create_patient(
            chart_number="DEMO-1", initials="MG", display_name="Maria Garcia"
        )
        # The screen explains the open visit: record the levels on one.
        for n, code in enumerate(args.code.split(",")):
            window.state.select(code)
            if n == 0:
                window.clinic.new_visit()
            else:
                window.clinic.editor.add_current_selection()
        screen = window.patient_screen
        screen.present()
        screen.set_language(args.language)
        settle(200)
        screen.go_to_page(args.page - 1)
        settle(1900)  # mid-way through the tightening
        screen.grab().save(args.out)
        print(
            f"wrote {args.out} ({screen.width()}×{screen.height()}, "
            f"page {screen.current_page() + 1} of {len(screen.pages())})"
        )
        screen.hide()
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
