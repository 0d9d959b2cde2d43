"""Tests for the region panel's own helpers."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from companion.ui.region_panel import escape


@given(st.text())
def test_escape_matches_the_standard_library(text: str) -> None:
    """The panel's escape (kept to spare importing html at start) is html.escape."""
    assert escape(text) == html.escape(text)
