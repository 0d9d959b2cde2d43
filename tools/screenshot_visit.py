"""Render the main window with a sample visit open, for a look at the visit editor."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from companion.app import build  # noqa: E402


def main() -> int:
    out = ROOT / "docs" / "screenshots" / "visit.png"
    with tempfile.TemporaryDirectory() as home:
        window = build(["--data-dir", home])
        window.resize(1440, 900)
        window.session.create_patient(chart_number="1042", initials="MG")
        window.state.select("L4")
        window.clinic.new_visit()
        editor = window.clinic.editor
        editor.pain.setValue(6)
        editor.mechanism.setCurrentIndex(editor.mechanism.findData("lifting"))
        editor.notes["S"].setPlainText("Lifted a box of files on Monday; sharp pain.")
        editor.autosave.flush()
        for _ in range(5):
            QApplication.processEvents()
        window.grab().save(str(out))
        print(f"wrote {out}")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
