"""Every PySide6 and pyqtgraph widget of the app lives in this package."""

from companion.ui.pyside_imports import skip_source_scan

# First, before any widget module: PySide's check of each import reads the
# module's source otherwise (see pyside_imports).
skip_source_scan()
