"""Import sqlite-utils without numpy, which it loads only to accept numpy values.

sqlite-utils imports numpy (and tries pandas) when available, just so that inserts
may contain numpy scalars. The store never passes any, and numpy costs 0.1–0.3 s
before the first window paints (pyqtgraph brings it in later, when a chart is
first shown). Imported first by companion.store, before anything else loads
sqlite-utils; if it is already loaded, this does nothing.
"""

from __future__ import annotations

import sys


def _import_without_numpy() -> None:
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    blocked = ("numpy", "pandas")
    # A None entry makes `import numpy` raise ImportError, which sqlite-utils
    # handles as "not installed"; the entries are removed right after.
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


_import_without_numpy()
