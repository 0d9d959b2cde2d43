"""Render the real main window offscreen and save the README's screenshots."""

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

OUT = ROOT / "docs" / "screenshots"


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        window = build(["--data-dir", home])
        window.resize(1440, 900)
        shots = [
            ("main-window.png", "posterior", "L4"),
            ("side-view.png", "lateral", "C4"),
        ]
        for name, view, code in shots:
            window.set_diagram_view(view)
            window.state.select(code)
            settle()
            window.grab().save(str(OUT / name))
            print(f"wrote {OUT / name}")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
