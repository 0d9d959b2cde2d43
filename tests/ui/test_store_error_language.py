"""Database errors reach the user in the language chosen in the app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.app import StartupError, build_ready
from companion.core.i18n import Strings, strings
from companion.store import StoreError
from companion.ui.app_lock import SetPinDialog
from companion.ui.audit_log_view import AuditLogDialog
from companion.ui.error_text import error_text
from companion.ui.main_window import MainWindow
from companion.ui.patient_picker import NewPatientDialog
from tests.ui.test_visits import add_patient

Launch = Callable[..., MainWindow]
READ_ONLY_START = Path(__file__).with_name("read_only_start.py")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SIGNAL_LIMIT_MS = 60_000

LANGUAGES = pytest.mark.parametrize("language", ["en", "es"])


def expected(language: str, key: str, **values: object) -> str:
    """The sentence the user should read, checked against the English it replaces."""
    text = strings(language).t(f"store_error.{key}", **values)
    english = strings("en").t(f"store_error.{key}", **values)
    if language == "es":
        assert text != english  # Spanish really is shown, not English again
    return text


def in_language(window: MainWindow, language: str) -> Strings:
    """Switch the running window's language, as the Language menu does."""
    window.state.set_language(language)
    assert window.state.language == language
    return window.state.strings


def note_that_fails(window: MainWindow, qtbot: QtBot, text: str) -> str:
    """Type a note on a new visit and save it; the banner the editor shows."""
    editor = window.clinic.editor
    editor.notes["S"].setPlainText(text)
    assert not editor.autosave.flush()
    assert editor.notes["S"].toPlainText() == text  # the typing stays put
    return editor.error_banner.text()


@LANGUAGES
def test_closed_database(launch: Launch, qtbot: QtBot, language: str) -> None:
    """A new patient, the database check, a PIN and the audit log say so, translated."""
    window = launch()
    t = in_language(window, language).t
    window.ops.store.close()
    text = expected(language, "closed")
    if language == "en":
        assert text == "The database is closed."

    dialog = NewPatientDialog(window.ops, window.state.strings, window)
    qtbot.keyClicks(dialog.chart_number, "C-1")
    dialog.save()
    assert dialog.created is None
    assert dialog.error.text() == text

    with qtbot.waitSignal(window.database_checked, timeout=60_000) as done:
        window.check_database()
    assert done.args == [False, [text]]
    assert window.database_check.result_box.text() == text
    assert t("check.ok") not in window.database_check.result_box.text()

    pin = SetPinDialog(window.app_lock, window)
    pin.new_pin.setText("2468")
    pin.confirm.setText("2468")
    pin.save()
    assert not pin.saved
    assert pin.error.text() == text

    audit_log = AuditLogDialog(window.context)
    assert audit_log.status.text() == text


@LANGUAGES
def test_full_disk(launch: Launch, qtbot: QtBot, language: str) -> None:
    """A full database: the visit editor's banner in the chosen language."""
    window = launch()
    add_patient(window, qtbot, "N-1")
    window.clinic.new_visit()
    t = in_language(window, language).t
    store = window.ops.store
    (pages,) = store.conn.execute("PRAGMA page_count").fetchone()
    # The size cap acts exactly like a disk with no free space left.
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    banner = note_that_fails(window, qtbot, "Radiating pain into the leg. " * 4000)
    message = expected(language, "disk_full", path=store.path)
    assert banner == t("visit.save_failed", message=message)

    store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert window.clinic.editor.autosave.flush()


@LANGUAGES
def test_read_only_database(launch: Launch, qtbot: QtBot, language: str) -> None:
    """A database that refuses writes: the banner in the chosen language."""
    window = launch()
    add_patient(window, qtbot, "R-1")
    window.clinic.new_visit()
    t = in_language(window, language).t
    store = window.ops.store
    store.conn.execute("PRAGMA query_only = ON")  # SQLite answers SQLITE_READONLY
    banner = note_that_fails(window, qtbot, "typed while the disk refuses")
    message = expected(language, "read_only", path=store.path)
    assert banner == t("visit.save_failed", message=message)

    store.conn.execute("PRAGMA query_only = OFF")
    assert window.clinic.editor.autosave.flush()


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can write in (pytest's tmp_path is private)."""
    folder = Path(tempfile.mkdtemp(prefix="companion-ro-ui-")).resolve()
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@LANGUAGES
def test_read_only_folder_at_start(shared_folder: Path, language: str) -> None:
    """Restarted on files it cannot write, the app says why in the saved language."""
    home = shared_folder / "home"
    args = [sys.executable, "-I", str(READ_ONLY_START), str(home), language]
    if IS_ROOT:
        args.append("--as-nobody")  # root would write anyway
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if result.returncode == 0 and result.stdout.strip() == "OPENED":
        pytest.skip("this user can write despite chmod")
    assert result.returncode == 5, result.stdout + result.stderr
    message = expected(language, "folder_read_only", folder=home)
    assert result.stdout.strip() == f"REFUSED: {message}"


@LANGUAGES
def test_second_copy_is_refused(launch: Launch, tmp_path: Path, language: str) -> None:
    """A second copy on the folder is refused in the language the first one saved."""
    home = tmp_path / "clinic"
    first = launch(home)
    in_language(first, language)
    first.save_state()  # the language the clinician chose, as at quit
    with pytest.raises(StartupError) as refused:
        build_ready(["--data-dir", str(home)])
    path = first.ops.store.path
    assert str(refused.value) == expected(language, "already_open", path=path)


@LANGUAGES
def test_backup_folder_that_is_a_file(
    launch: Launch, qtbot: QtBot, tmp_path: Path, language: str
) -> None:
    """A file where the backup folder should be: the status bar, translated."""
    window = launch(tmp_path / "home")
    t = in_language(window, language).t
    runner = window.backups
    assert runner.wait()  # the start's own backups are done
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    kept, runner.store.backup_dir = runner.store.backup_dir, blocked
    try:
        with qtbot.waitSignal(runner.failed, timeout=SIGNAL_LIMIT_MS) as blocker:
            runner.request("auto")
    finally:
        runner.store.backup_dir = kept
    message = blocker.args[0]
    # The reason after the colon is the operating system's own words.
    sentence = strings(language).table["store_error.backup_write_failed"]
    opening = sentence.split("{reason}")[0].format(folder=blocked)
    assert message.startswith(opening)
    assert message.startswith("Could not write a backup") == (language == "en")
    assert window.statusBar().currentMessage() == t("backup.failed", message=message)


def test_error_text_falls_back_to_the_english_sentence() -> None:
    """Unknown keys, missing placeholders and other errors show as raised."""
    closed = StoreError(key="closed")
    assert error_text(closed, strings("es")) == strings("es").t("store_error.closed")
    # A language whose file lacks the key, or has a different placeholder.
    assert error_text(closed, Strings("xx", {})) == "The database is closed."
    odd = Strings("xx", {"store_error.disk_full": "lleno: {ruta}"})
    full = StoreError(key="disk_full", path="/data/companion.db")
    assert error_text(full, odd) == str(full)
    assert error_text(StoreError("No database at /x."), strings("es")) == (
        "No database at /x."
    )
    assert error_text(OSError("disk gone"), strings("es")) == "disk gone"
