"""UI test setup: keep None alive under the PySide6 6.12 / Python 3.11 refcount bug."""

from __future__ import annotations

from companion.ui.svg_scene import guard_none_refcount

# Must run before pytest-qt builds the QApplication, which already calls void
# C++ methods that drop references to None on this binding build.
guard_none_refcount()
