"""Start-up order: the diagram paints before the records open, then they open."""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from companion.app import build, build_ready
from companion.core.content import clear_cache
from companion.store.cipher import connect
from tests.probe import run_python
from tests.ui.test_main_window import click_code

STORE_MODULES = ("companion.store", "sqlite_utils", "sqlcipher3", "keyring", "argon2")
LATER_MODULES = (
    "companion.ui.handout_actions",
    "companion.ui.patient_screen",
    "companion.ui.exercise_panel",  # its tab starts behind Progress
    "companion.ui.clinic_server",  # its status item, idle until a room joins
)


def test_first_paint_comes_before_the_database_and_its_libraries(
    tmp_path: Path,
) -> None:
    """At the first paint no store library is loaded; the records open right after."""
    probe = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QEvent, QObject, QTimer
        from companion.app import application, build

        app = application()
        seen = {{}}

        class Watch(QObject):
            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint and "paint" not in seen:
                    seen["paint"] = [m for m in {STORE_MODULES!r} if m in sys.modules]
                    seen["label"] = window.opening_label.text()
                    seen["enabled"] = window.new_patient_action.isEnabled()
                    seen["session"] = window.ops
                return False

        watch = Watch()
        app.installEventFilter(watch)
        window = build(["--data-dir", {str(tmp_path / "home")!r}])

        def opened():
            after = [m for m in {STORE_MODULES!r} if m in sys.modules]
            print("PAINT", seen["paint"], seen["session"], seen["enabled"])
            print("LABEL", seen["label"])
            print("OPEN", after, window.new_patient_action.isEnabled())
            print("CLINIC", window.clinic_dock.widget() is window.clinic)
            print("LATER", [m for m in {LATER_MODULES!r} if m in sys.modules])
            print("SERVER", window.clinic_server)
            QTimer.singleShot(500, warmed)

        def warmed():
            print("WARM", [m for m in {LATER_MODULES!r} if m in sys.modules])
            print("SERVED", window.clinic_server.label.parent() is not None)
            app.quit()

        window.records_opened.connect(opened)
        QTimer.singleShot(30000, app.quit)
        app.exec()
        """
    )
    result = run_python(probe)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["PAINT"] == "[] None False"
    assert lines["LABEL"] == "Opening the patient records…"
    # sqlite-utils, keyring (the in-memory keychain here) and argon2 (no PIN
    # set) are never needed to open the records: each cost 15–140 ms there.
    assert lines["OPEN"] == "['companion.store', 'sqlcipher3'] True"
    assert lines["CLINIC"] == "True"
    # The handout, the patient screen, the Exercises panel and the clinic
    # server's item are imported just after, not before.
    assert lines["LATER"] == "[]"
    assert lines["SERVER"] == "None"
    assert lines["WARM"] == repr(list(LATER_MODULES))
    assert lines["SERVED"] == "True"


def test_records_actions_wait_for_the_records(qtbot: QtBot, tmp_path: Path) -> None:
    """Before the records open, patient actions are off and do nothing harmful."""
    window = build(["--data-dir", str(tmp_path / "home")])
    qtbot.addWidget(window)
    assert window.ops is None
    assert not window.new_patient_action.isEnabled()
    window.new_patient()  # e.g. a shortcut typed very early: ignored, no error
    window.focus_patient_search()
    window.flush_notes()
    assert window.export_to(str(tmp_path)) is None
    with qtbot.waitSignal(window.records_opened, timeout=30000):
        pass
    assert window.ops is not None
    assert window.new_patient_action.isEnabled()
    window.close()


def test_records_that_cannot_open_are_explained_and_close_the_window(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A second copy on the same folder paints, then says why and closes (exit 2)."""
    home = tmp_path / "clinic"
    first = build_ready(["--data-dir", str(home)])
    qtbot.addWidget(first)
    second = build(["--data-dir", str(home)])
    qtbot.addWidget(second)
    qtbot.waitUntil(lambda: second.startup_error is not None, timeout=30000)
    assert "already open" in second.startup_error
    assert second.startup_error_box.isVisible()
    assert "already open" in second.startup_error_box.text()
    assert second.opening_label.text() == second.startup_error
    second.startup_error_box.accept()
    qtbot.waitUntil(lambda: not second.isVisible())
    assert first.ops is not None and not first.ops.store.closed
    first.close()
    again = build_ready(["--data-dir", str(home)])  # the folder is free again
    qtbot.addWidget(again)
    assert again.ops is not None
    again.close()


def test_first_start_leaves_a_cache_that_the_next_start_reads(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Parsed content and diagram outlines are cached under the data folder."""
    clear_cache()  # content loaded by earlier tests would not be read from disk
    home = tmp_path / "clinic"
    window = build_ready(["--data-dir", str(home)])
    qtbot.addWidget(window)
    window.close()
    cache = home / "cache"
    kinds = {p.suffix for p in cache.rglob("*") if p.is_file()}
    assert ".outlines" in kinds and len(kinds) >= 2, kinds
    stamps = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    again = build_ready(["--data-dir", str(home)])
    qtbot.addWidget(again)
    assert again.panel.header.text() == window.panel.header.text()
    again.close()
    # Read, not rewritten: the entries were still good.
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_the_diagram_answers_clicks_while_the_records_open(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records open on a worker; meanwhile a click on the diagram explains."""
    import companion.app as app_module

    release = threading.Event()
    opening_threads: list[int] = []
    real_open = app_module.open_encrypted_store

    def slow_open(*args: Any, **kwargs: Any) -> Any:
        opening_threads.append(threading.get_ident())
        assert release.wait(30), "the test never let the records open"
        return real_open(*args, **kwargs)

    monkeypatch.setattr(app_module, "open_encrypted_store", slow_open)
    window = build(["--data-dir", str(tmp_path / "home")])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(opening_threads))
    assert opening_threads[0] != threading.get_ident()
    click_code(qtbot, window.spine_view, "L4")
    assert window.panel.header.text().startswith("L4")
    assert window.ops is None and window.clinic is None
    with qtbot.waitSignal(window.records_opened, timeout=30000):
        release.set()
    assert window.ops is not None
    # The widgets that came with the records were made on the GUI thread.
    assert window.clinic.thread() is window.thread()
    window.close()


def test_closing_while_the_records_open_lets_go_of_the_database(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing early waits for the opening to finish, then releases the folder."""
    import companion.app as app_module

    release = threading.Event()
    started = threading.Event()
    real_open = app_module.open_encrypted_store

    def slow_open(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(app_module, "open_encrypted_store", slow_open)
    home = tmp_path / "home"
    window = build(["--data-dir", str(home)])
    qtbot.addWidget(window)
    qtbot.waitUntil(started.is_set, timeout=30000)
    threading.Timer(0.2, release.set).start()  # the GUI thread blocks in close()
    window.close()
    assert window.ops is None
    monkeypatch.setattr(app_module, "open_encrypted_store", real_open)
    qtbot.wait(50)  # the late "opened" event finds the window closed
    assert window.ops is None
    again = build_ready(["--data-dir", str(home)])  # not "already open"
    qtbot.addWidget(again)
    again.close()


def test_what_start_up_built_is_kept_out_of_later_garbage_collections(
    tmp_path: Path,
) -> None:
    """Once the records are open, start-up's objects are frozen out of GC passes."""
    probe = textwrap.dedent(
        f"""
        import gc
        from companion.app import build_ready

        before = gc.get_freeze_count()
        window = build_ready(["--data-dir", {str(tmp_path / "home")!r}])
        print("FROZEN", before, gc.get_freeze_count() > 10_000)
        window.close()
        """
    )
    result = run_python(probe)
    assert result.returncode == 0, result.stderr
    assert "FROZEN 0 True" in result.stdout


def test_closing_before_a_passphrase_prompt_asks_nothing_and_reports_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed while the worker is about to ask: no prompt, no error, no hang."""
    import companion.app as app_module
    from companion.ui import passphrase

    started = threading.Event()
    prompts: list[bool] = []
    answers: list[str | None] = []

    def open_then_ask(_paths: Any, _language: str, ask: Any, *_more: Any) -> Any:
        started.set()
        time.sleep(0.3)  # the window closes meanwhile
        answers.append(ask(True, ""))
        raise app_module.StartupError("No passphrase was given.")

    def record_prompt(new: bool, *_args: Any, **_kwargs: Any) -> str:
        prompts.append(new)
        return "a passphrase"

    monkeypatch.setattr(app_module, "open_encrypted_store", open_then_ask)
    monkeypatch.setattr(passphrase, "ask_passphrase", record_prompt)
    window = build(["--data-dir", str(tmp_path / "home")])
    qtbot.addWidget(window)
    qtbot.waitUntil(started.is_set, timeout=30000)
    window.close()  # waits for the worker, which must not wait for the GUI
    qtbot.wait(200)  # anything the worker posted would arrive now
    assert answers == [None]
    assert prompts == []
    assert window.startup_error is None


def _started(qtbot: QtBot, home: Path, language: str | None = None) -> Any:
    """The app on home, its records open (in language, if given)."""
    window = build_ready(["--data-dir", str(home)])
    qtbot.addWidget(window)
    if language is not None:
        window.state.set_language(language)
    return window


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "The database was damaged"), ("es", "La base de datos estaba dañada")],
)
def test_a_damaged_database_is_reported_in_the_chosen_language(
    qtbot: QtBot, tmp_path: Path, language: str, words: str
) -> None:
    """A page scribbled over: the file is set aside, and the window says so."""
    home = tmp_path / "clinic"
    first = _started(qtbot, home, language)
    # A backup to restore: with none, a damaged file is no longer replaced by an
    # empty one but asked about (issue 14, MissingDatabase).
    first.ops.store.backup("auto")
    first.close()  # saves the language, checkpoints and releases the folder
    database = home / "companion.db"
    with open(database, "r+b") as handle:  # past the header, so the key still fits
        handle.seek(4096 * 2)
        handle.write(b"\xff" * 4096)
    junk = database.read_bytes()

    window = _started(qtbot, home)
    box = window.recovery_box
    assert box.isVisible()
    assert box.text().startswith(words)
    assert "companion.db.damaged-" in box.text()
    aside = window.ops.store.recovery.moved_aside[0]
    assert aside.name in box.text()
    assert aside.read_bytes() == junk  # kept byte for byte
    window.close()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "The index used to search notes"), ("es", "El índice que se usa")],
)
def test_a_rebuilt_search_index_is_reported_calmly(
    qtbot: QtBot, tmp_path: Path, language: str, words: str
) -> None:
    """Only the search index was damaged: rebuilt, told as information, no loss."""
    home = tmp_path / "clinic"
    first = _started(qtbot, home, language)
    store = first.ops.store
    key = store.key
    patient = store.create_patient(chart_number="S-1")
    visit = store.start_visit(patient.id)
    store.save_note(visit.id, "P", "stretch twice daily")
    first.close()
    conn = connect(home / "companion.db", key)
    conn.execute("UPDATE notes_fts_data SET block = randomblob(length(block))")
    conn.commit()
    conn.close()

    window = _started(qtbot, home)
    box = window.recovery_box
    assert box.isVisible() and box.text().startswith(words)
    assert box.icon() == QMessageBox.Icon.Information
    assert window.ops.store.recovery.moved_aside[0].name in box.text()
    hits = window.ops.store.search_notes("stretch")
    assert [hit.visit_id for hit in hits] == [visit.id]
    window.close()
