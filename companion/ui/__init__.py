"""Every PySide6 and pyqtgraph widget of the app lives in this package."""
