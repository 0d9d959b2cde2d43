"""The first paint shows the diagram's cached picture; the scene after it matches."""

from __future__ import annotations

import shutil
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from companion.app import build, build_ready
from companion.ui import spine_view as spine_view_module
from companion.ui.spine_view import SpineView
from tests.probe import run_python
from tests.ui.test_main_window import click_code

SIZE = (420, 640)


def _view(qtbot: QtBot, cache: Path, level: str = "L4") -> SpineView:
    """A shown view in a given look; it has painted nothing yet."""
    view = SpineView(cache_dir=cache)
    qtbot.addWidget(view)
    view.resize(*SIZE)
    view.select(level)
    view.set_involved_muscles(["erector_spinae", "multifidus"])
    view.show()  # delivers the resize: the viewport has its final size
    return view


def _picture(view: SpineView) -> QImage:
    return view.viewport().grab().toImage()


def _first_run(qtbot: QtBot, cache: Path, level: str = "L4") -> QImage:
    """A start with no picture: the scene paints, its picture is kept."""
    view = _view(qtbot, cache, level)
    first = _picture(view)
    assert view.is_built()  # no picture of this look yet: built for that paint
    qtbot.waitUntil(lambda: any(cache.glob("*.firstpaint")))
    view.close()
    return first


def test_the_first_paint_shows_the_cached_picture_then_the_same_scene(
    qtbot: QtBot, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    scene_drawn = _first_run(qtbot, cache)
    again = _view(qtbot, cache)
    first_paint = _picture(again)
    assert not again.is_built()  # that paint came from the picture
    assert first_paint == scene_drawn
    qtbot.waitUntil(again.is_built)  # right after the first paint
    assert _picture(again) == first_paint  # no jump when the scene takes over
    assert again.selected_code() == "L4"
    assert set(again.items_by_code()) >= {"L4", "L5", "erector_spinae"}


def test_a_changed_diagram_is_drawn_afresh_and_its_picture_replaced(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    art = tmp_path / "diagrams"
    shutil.copytree(spine_view_module.DIAGRAM_DIR, art)
    monkeypatch.setattr(spine_view_module, "DIAGRAM_DIR", art)
    cache = tmp_path / "cache"
    old = _first_run(qtbot, cache)
    svg = art / "posterior.svg"
    text = svg.read_text(encoding="utf-8")
    # The first bar of the ruler beside the spine turns dark.
    changed = text.replace('fill="#e4eaee"', 'fill="#203040"', 1)
    assert changed != text
    svg.write_text(changed, encoding="utf-8")
    (entry,) = cache.glob("*.firstpaint")
    kept = entry.read_bytes()
    view = _view(qtbot, cache)
    first_paint = _picture(view)
    assert view.is_built()  # the old picture was not used
    assert first_paint != old
    qtbot.waitUntil(lambda: entry.read_bytes() != kept)
    view.close()
    # The new art's picture is kept, and the next start paints from it.
    again = _view(qtbot, cache)
    assert _picture(again) == first_paint
    assert not again.is_built()


def test_a_picture_of_another_selection_is_not_used(
    qtbot: QtBot, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    _first_run(qtbot, cache, level="L4")
    other = _view(qtbot, cache, level="C5")
    drawn = _picture(other)
    assert other.is_built()
    plain = SpineView()  # no cache: the scene, as ever
    qtbot.addWidget(plain)
    plain.resize(*SIZE)
    plain.select("C5")
    plain.set_involved_muscles(["erector_spinae", "multifidus"])
    plain.show()
    # Its scroll bars go once the first layout pass has fitted the diagram.
    qtbot.waitUntil(lambda: plain.viewport().size() == other.viewport().size())
    assert _picture(plain) == drawn


def test_the_window_paints_the_picture_first_and_the_diagram_answers_clicks(
    qtbot: QtBot, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    first = build_ready(["--data-dir", str(home)])
    qtbot.addWidget(first)
    first.state.select("L3")
    first.close()  # keeps the picture of the diagram as the window left it
    assert any((home / "cache").glob("posterior-*.firstpaint"))
    window = build(["--data-dir", str(home)])
    qtbot.addWidget(window)
    view = window.spine_view
    first_paint = _picture(view)
    assert not view.is_built()
    assert view.selected_code() == "L3"
    built_when_open: list[bool] = []
    window.records_opened.connect(lambda: built_when_open.append(view.is_built()))
    with qtbot.waitSignal(window.records_opened, timeout=30000):
        pass
    # Held back while the records opened (the picture was on screen), so it
    # did not slow them; built the turn after.
    assert built_when_open == [False]
    qtbot.waitUntil(view.is_built, timeout=1000)
    assert _picture(view) == first_paint
    click_code(qtbot, view, "L4")
    assert window.panel.header.text().startswith("L4")
    window.close()


def test_an_open_visits_levels_never_go_into_the_picture_cache(
    qtbot: QtBot, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    view = _view(qtbot, cache)
    view.set_marked(["L4", "L5"])  # the open visit's levels
    _picture(view)
    qtbot.wait(50)  # the save that follows a first paint without a picture
    view.save_snapshot()  # as at closing
    assert not list(cache.glob("*.firstpaint"))
    view.set_marked([])
    view.save_snapshot()
    assert len(list(cache.glob("*.firstpaint"))) == 1


DEFERRED = (
    "companion.ui.svg_scene",
    "companion.ui.dermatome_view",
    "platformdirs",
)


def test_a_first_paint_from_the_picture_loads_no_scene_code(tmp_path: Path) -> None:
    """What only the scene, the dermatome map or unusual starts need loads later."""
    home = str(tmp_path / "home")
    first = run_python(
        textwrap.dedent(
            f"""
            from companion.app import build_ready
            window = build_ready(["--data-dir", {home!r}])
            window.close()
            """
        )
    )
    assert first.returncode == 0, first.stderr
    probe = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QEvent, QObject, QTimer
        from companion.app import application, build

        app = application()

        class Watch(QObject):
            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint:
                    obj.removeEventFilter(self)
                    loaded = [m for m in {DEFERRED!r} if m in sys.modules]
                    print("PAINT", loaded, window.spine_view.is_built())
                    QTimer.singleShot(0, app.quit)
                return False

        watch = Watch()
        window = build(["--data-dir", {home!r}])
        window.installEventFilter(watch)
        QTimer.singleShot(30000, app.quit)
        app.exec()
        """
    )
    result = run_python(probe)
    assert result.returncode == 0, result.stderr
    assert "PAINT [] False" in result.stdout.splitlines(), result.stdout


def test_a_held_back_diagram_is_built_even_if_the_records_never_open(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A passphrase prompt or a long upgrade must not leave the diagram a picture."""
    import companion.app as app_module

    home = tmp_path / "home"
    first = build_ready(["--data-dir", str(home)])
    qtbot.addWidget(first)
    first.close()
    release = threading.Event()
    real_open = app_module.open_encrypted_store

    def stuck_open(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(30), "the test never let the records open"
        return real_open(*args, **kwargs)

    monkeypatch.setattr(app_module, "open_encrypted_store", stuck_open)
    monkeypatch.setattr(spine_view_module, "HOLD_LIMIT_MS", 300)
    window = build(["--data-dir", str(home)])
    qtbot.addWidget(window)
    view = window.spine_view
    _picture(view)  # the first paint, from the picture
    assert not view.is_built()
    qtbot.waitUntil(view.is_built, timeout=5000)
    assert window.ops is None  # still opening
    with qtbot.waitSignal(window.records_opened, timeout=30000):
        release.set()
    window.close()
