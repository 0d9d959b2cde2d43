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


def _imported_modules(path) -> set[str]:
    """Every module a source file imports (at any depth, TYPE_CHECKING included)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_ui_module_but_the_window_imports_the_main_window() -> None:
    """Features get the AppContext: no companion/ui module reaches for MainWindow."""
    from pathlib import Path

    ui = Path(__file__).resolve().parents[1] / "companion" / "ui"
    offenders = [
        path.name
        for path in sorted(ui.glob("*.py"))
        if path.name != "main_window.py"
        and "companion.ui.main_window" in _imported_modules(path)
    ]
    assert offenders == []


def test_no_module_adds_attributes_to_the_window() -> None:
    """Nothing outside the window sets window.<name> = … (they own their state)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "companion"
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "main_window.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "window"
                ) or (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Call)
                    and getattr(target.value.func, "id", "") == "type"
                ):
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []
