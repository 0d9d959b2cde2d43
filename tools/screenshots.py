"""Regenerate every README screenshot from the real app, rendered offscreen.

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python tools/screenshots.py

(A 1920×1080 screen gives the patient screen its real size; without a display it
falls back to Qt's small offscreen screen.)

Writes docs/screenshots/*.png: the main window (back and side views), a visit
being edited, the progress chart, the patient screen and the handout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("COMPANION_KEYRING", "memory")  # sample data, throwaway key
os.environ.setdefault("COMPANION_NO_WELCOME", "1")  # a tool, not a new clinic
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from companion.app import build_ready  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# Each of these renders one more picture in its own process (clean Qt state).
OTHER_TOOLS = (
    ["tools/progress_screenshot.py", str(OUT / "progress.png"), "--window"],
    ["tools/patient_screen_shot.py", "--out", str(OUT / "patient-screen.png")],
    ["tools/render_handout.py", "--out", str(OUT / "handout.png")],
)


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def clinician_shots() -> None:
    with tempfile.TemporaryDirectory() as home:
        window = build_ready(["--data-dir", home])
        window.resize(1440, 900)
        for name, view, code in (
            ("main-window.png", "posterior", "L4"),
            ("side-view.png", "lateral", "C4"),
        ):
            window.set_diagram_view(view)
            window.state.select(code)
            settle()
            window.grab().save(str(OUT / name))
            print(f"wrote {OUT / name}")

        window.set_diagram_view("posterior")
        window.ops.create_patient(chart_number="1042", initials="MG")
        window.state.select("L4")
        window.clinic.new_visit()
        editor = window.clinic.editor
        editor.pain.setValue(6)
        editor.mechanism.setCurrentIndex(editor.mechanism.findData("lifting"))
        editor.notes["S"].setPlainText("Lifted a box of files on Monday; sharp pain.")
        editor.autosave.flush()
        settle()
        window.grab().save(str(OUT / "visit.png"))
        print(f"wrote {OUT / 'visit.png'}")
        window.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    clinician_shots()
    for tool in OTHER_TOOLS:
        subprocess.run([sys.executable, *tool], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
