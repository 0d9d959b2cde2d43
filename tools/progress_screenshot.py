"""Render the Progress dock for a demo patient to a PNG (a look at the chart by eye).

Usage: xvfb-run .venv/bin/python tools/progress_screenshot.py [out.png] [--window]
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from companion.app import build_ready


def main(argv: list[str]) -> int:
    out = (
        Path(argv[0])
        if argv and not argv[0].startswith("--")
        else Path("/tmp/progress.png")
    )
    whole_window = "--window" in argv
    with tempfile.TemporaryDirectory() as home:
        window = build_ready(["--data-dir", home])
        session = window.ops
        session.create_patient(chart_number="DEMO-1", initials="JD")
        start = date.today() - timedelta(weeks=7)
        plan = [
            (
                0,
                7,
                ("heat",),
                (("Sitting 30 min", 3), ("Lifting child", 2), ("Sleeping", 4)),
            ),
            (1, 7, ("heat",), ()),
            (
                2,
                6,
                ("heat", "manipulation"),
                (("Sitting 30 min", 4), ("Lifting child", 3), ("Sleeping", 5)),
            ),
            (4, 6, ("heat", "manipulation"), ()),
            (5, None, ("exercise_therapy", "stay_active"), ()),
            (
                6,
                6,
                ("exercise_therapy", "stay_active"),
                (("Sitting 30 min", 4), ("Lifting child", 4), ("Sleeping", 5)),
            ),
        ]
        for weeks, pain, given, psfs in plan:
            session.start_visit(
                visit_date=start + timedelta(weeks=weeks, days=3),
                onset_date=start,
                pain=pain,
                regions=("lumbar",),
                treatments_given=given,
            )
            if psfs:
                session.update_visit(psfs=psfs)
        window.resize(1440, 900)
        app = QApplication.instance()
        app.processEvents()  # let start-up finish (it puts the visit panel in front)
        window.progress_dock.raise_()
        window.progress_dock.show()
        app = QApplication.instance()
        for _ in range(20):
            app.processEvents()
        target = window if whole_window else window.progress_dock
        ok = target.grab().save(str(out), "PNG")
        print(out, ok, window.progress_panel.banner.text())
        window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
