"""Tests for the region panel's own helpers and its idle-time preparation."""

from __future__ import annotations

import html
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from companion.app import build_ready
from companion.core import spine
from companion.ui.region_panel import escape
from tests.ui.test_main_window import click_code


@given(st.text())
def test_escape_matches_the_standard_library(text: str) -> None:
    """The panel's escape (kept to spare importing html at start) is html.escape."""
    assert escape(text) == html.escape(text)


def test_every_region_is_ready_before_its_first_click(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """After the records open the window prepares each region's explanation and
    the dermatome view in idle time, so no first click lays out a document."""
    window = build_ready(["--data-dir", str(tmp_path / "home")])
    qtbot.addWidget(window)
    panel = window.panel
    qtbot.waitUntil(lambda: panel.dermatomes is not None, timeout=10000)
    prepared = {id(doc) for doc in panel.findChildren(QTextDocument)}
    first_levels = {}
    for level in spine.LEVELS:
        first_levels.setdefault(level.region, level.code)
    for code in first_levels.values():
        click_code(qtbot, window.spine_view, code)
        assert panel.header.text().startswith(code)
        assert id(panel.details.document()) in prepared, code
    window.close()
