"""PySide's after-import check answered without reading each module's source."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import QObject, QTimer

from companion.ui.pyside_imports import uses_pyside
from tests.probe import run_python

PACKAGE = Path(__file__).resolve().parents[2] / "companion"


def test_modules_loaded_after_the_ui_package_are_not_read_from_disk(
    tmp_path: Path,
) -> None:
    (tmp_path / "widget_mod.py").write_text(
        "from PySide6.QtCore import QObject\n", encoding="utf-8"
    )
    # Names PySide6 only in a comment: PySide's own check would say it uses it.
    (tmp_path / "plain_mod.py").write_text(
        "VALUE = 1  # no PySide6 here\n", encoding="utf-8"
    )
    probe = textwrap.dedent(
        f"""
        import linecache, sys
        sys.path.insert(0, {str(tmp_path)!r})
        import companion.ui
        import widget_mod, plain_mod
        from PySide6.support import feature
        table = feature.pyside_feature_dict
        print(table.get("widget_mod"), table.get("plain_mod"))
        print(any(name.endswith(("widget_mod.py", "plain_mod.py"))
                  for name in linecache.cache))
        """
    )
    result = run_python(probe)
    assert result.returncode == 0, result.stderr
    switched, read = result.stdout.split("\n")[:2]
    assert switched == "0 -1"  # uses PySide: switched with others; else ignored
    assert read == "False"  # PySide's check reads the source into linecache


def test_a_module_uses_pyside_when_it_holds_a_class_or_module_of_it() -> None:
    import PySide6.QtCore

    holder = ModuleType("holder")
    holder.QObject = QObject  # type: ignore[attr-defined]
    module_holder = ModuleType("module_holder")
    module_holder.QtCore = PySide6.QtCore  # type: ignore[attr-defined]
    instance_holder = ModuleType("instance_holder")
    instance_holder.timer = QTimer()  # type: ignore[attr-defined]
    plain = ModuleType("plain")
    plain.path = Path  # type: ignore[attr-defined]
    plain.number = 3  # type: ignore[attr-defined]
    assert uses_pyside(holder)
    assert uses_pyside(module_holder)
    assert uses_pyside(instance_holder)
    assert not uses_pyside(plain)


def test_the_app_selects_no_pyside_feature() -> None:
    """The premise of the cheap answer: no module switches snake_case and the like."""
    users = [
        path.relative_to(PACKAGE)
        for path in PACKAGE.rglob("*.py")
        if "__feature__" in path.read_text(encoding="utf-8")
        and path.name != "pyside_imports.py"
    ]
    assert users == []
