"""The layer rule: core and store import and run without Qt or pyqtgraph."""

from __future__ import annotations

import textwrap

from tests.probe import run_python

# Runs in a fresh interpreter so modules already imported by pytest cannot hide
# a forbidden import.
_PROBE = textwrap.dedent(
    """
    import importlib
    import pkgutil
    import sys
    from importlib.abc import MetaPathFinder

    BLOCKED = ("PySide6", "shiboken6", "pyqtgraph")

    class BlockQt(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"layer rule: {name} imported outside companion.ui")
            return None

    sys.meta_path.insert(0, BlockQt())

    import companion.core as core
    import companion.core.content

    for info in pkgutil.walk_packages(core.__path__, "companion.core."):
        importlib.import_module(info.name)
    content = companion.core.content.load_content()
    assert content.regions, "no content loaded"

    try:
        import companion.store as store
    except ModuleNotFoundError as exc:
        if exc.name != "companion.store":
            raise
    else:
        for info in pkgutil.walk_packages(store.__path__, "companion.store."):
            importlib.import_module(info.name)

    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not loaded, loaded
    """
)


def test_core_and_store_import_without_qt() -> None:
    """companion.core and companion.store import with PySide6/pyqtgraph blocked."""
    result = run_python(_PROBE, timeout=120)
    assert result.returncode == 0, result.stderr
