"""Entry point: parse arguments, resolve folders, load content, build and run."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from companion import __version__
from companion.core.content import DEFAULT_CONTENT_DIR, ContentError, load_all
from companion.core.i18n import strings
from companion.paths import ASSETS_DIR, AppPaths, paths_under, resolve_paths
from companion.ui.app_state import AppState
from companion.ui.first_paint import after_first_paint
from companion.ui.main_window import MainWindow
from companion.ui.settings import Settings, make_settings_private

if TYPE_CHECKING:
    # The store (SQLCipher, sqlite-utils, keyring) loads after the first paint.
    from companion.store import Store
    from companion.ui.ops import ClinicOps
    from companion.ui.records_opener import AskPassphrase

STYLE_SHEET = ASSETS_DIR / "styles" / "app.qss"
ENV_CONTENT_DIR = "COMPANION_CONTENT_DIR"


def content_dir() -> Path:
    """The clinical content folder: bundled, or a clinic's own copy if set."""
    override = os.environ.get(ENV_CONTENT_DIR)
    return Path(override) if override else DEFAULT_CONTENT_DIR


def demo_paths(data_dir: str | None) -> AppPaths:
    """--demo's own folder (<data>/demo), so samples never mix with real patients."""
    if data_dir:
        return resolve_paths(data_dir)
    return paths_under(resolve_paths(None).data_dir / "demo")


class StartupError(Exception):
    """The app cannot start; the message is for the user."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="companion", description="Spine Companion")
    parser.add_argument(
        "--data-dir", help="keep the database, backups and settings here"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a sample clinic of fictional patients, kept apart from real ones",
    )
    parser.add_argument("--version", action="version", version=__version__)
    # Qt's own options (e.g. -platform) pass through untouched.
    args, _qt_args = parser.parse_known_args(list(argv))
    return args


def application() -> QApplication:
    """The running QApplication, created on first use."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "companion"])
        app.setApplicationName("Spine Companion")
        app.setApplicationVersion(__version__)
        app.setOrganizationName("SpineCompanion")
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    assert isinstance(app, QApplication)
    return app


def build(argv: list[str]) -> MainWindow:
    """Show the main window; its records open right after the first paint.

    The diagram and the explanation need only the content, so they paint first;
    the encrypted database (keychain, SQLCipher, integrity check) opens next, and
    the visit panel fills in. No event loop is run here.
    """
    args = parse_args(argv)
    where = demo_paths if args.demo else resolve_paths
    try:
        paths: AppPaths = where(args.data_dir).ensure()
    except OSError as error:
        # e.g. a read-only drive, or a file where the folder should be.
        raise StartupError(
            strings("en").t(
                "app.data_folder_error",
                folder=error.filename or args.data_dir or "",
                reason=error.strerror or str(error),
            )
        ) from error
    application()
    try:
        contents = load_all(content_dir(), cache_dir=paths.cache_dir)
    except ContentError as error:
        raise StartupError(strings("en").t("app.content_error", error=error)) from error
    settings = Settings(paths.settings_file)
    make_settings_private(settings)
    state = AppState(
        contents, settings.get_str("ui/language", "en"), cache_dir=paths.cache_dir
    )
    window = MainWindow(state, settings)
    window.show()
    after_first_paint(window, lambda: open_records(window, paths, demo=args.demo))
    return window


def build_ready(argv: list[str], timeout_s: float = 60.0) -> MainWindow:
    """build(), then run events until the records are open (tools, tests, bench).

    Raises StartupError with the user's message if they cannot open.
    """
    from PySide6.QtCore import QEventLoop

    window = build(argv)
    app = application()
    deadline = time.monotonic() + timeout_s
    while not window.records_ready and window.startup_error is None:
        if time.monotonic() > deadline:
            raise StartupError("The patient records did not open in time.")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    if window.startup_error is not None:
        window.startup_error_box.done(0)  # the message goes to the caller instead
        raise StartupError(window.startup_error)
    return window


def open_records(window: MainWindow, paths: AppPaths, demo: bool = False) -> None:
    """Open the database on a worker thread, then hand it to the window.

    The window stays live meanwhile; a failure is shown over it (exit code 2).
    """
    from companion.ui.records_opener import RecordsOpener

    language = window.state.language
    t = window.state.strings.t

    def work(ask: AskPassphrase) -> Store:
        store = open_encrypted_store(paths, language, ask)
        try:
            if demo:
                from companion.demo import build_demo_clinic

                build_demo_clinic(store)  # first run only: skips patients already there
            _preload_record_modules()
        except BaseException:
            store.close()
            raise
        return store

    def ask_on_gui_thread(new: bool, message: str) -> str | None:
        from companion.ui.passphrase import ask_passphrase

        return ask_passphrase(new, t, message, window)

    opener = RecordsOpener(work, ask_on_gui_thread, StartupError, window)
    opener.opened.connect(lambda store: _attach(window, store))
    opener.failed.connect(window.show_startup_error)
    window.open_records_with(opener)


def _preload_record_modules() -> None:
    """Import, on the worker, the pure-Python modules the records need next.

    Widget modules are left to the GUI thread (PySide builds its types there).
    """
    import argon2  # noqa: F401  (the PIN lock)

    import companion.core.handout
    import companion.core.progress
    import companion.store.backup_schedule  # noqa: F401


def _attach(window: MainWindow, store: Store) -> None:
    """On the GUI thread: give the opened store to the window (if still open)."""
    from companion.ui.ops import ClinicOps

    if window.closing:
        store.close()  # the window was closed while the records were opening
        return
    ops = ClinicOps(store)
    # At once: a restored database must be reported even if the window closes
    # before it has finished filling in.
    _report_recovery(window, ops)
    # What start-up built lives as long as the app: keep the cyclic garbage
    # collector from walking it again on every full collection, a pause of
    # several ms that could land in a click or a chart redraw.
    window.records_opened.connect(gc.freeze)
    window.attach_records(ops, stepwise=True)


PASSPHRASE_TRIES = 5


def open_encrypted_store(paths: AppPaths, language: str, ask: AskPassphrase) -> Store:
    """Open the database encrypted, with the keychain key or a passphrase.

    ask(new, message) asks for the passphrase when there is no keychain.
    COMPANION_KEYRING=memory swaps in an in-process keychain (tests only).
    """
    from companion.store import StoreError, open_store
    from companion.store.cipher import WrongKey
    from companion.store.keys import database_key, install_keyring_from_env
    from companion.ui.error_text import error_text

    install_keyring_from_env()
    chosen = strings(language if language in ("en", "es") else "en")
    t = chosen.t
    message = ""

    def ask_passphrase_now(new: bool) -> str | None:
        return ask(new, message)

    for _attempt in range(PASSPHRASE_TRIES):
        try:
            key = database_key(paths.database, ask_passphrase_now)
            return open_store(paths.database, backup_dir=paths.backup_dir, key=key)
        except WrongKey:
            message = t("security.wrong_passphrase")
        except StoreError as error:
            # In the language chosen in settings, like the rest of the window.
            raise StartupError(error_text(error, chosen)) from error
    raise StartupError(t("security.wrong_passphrase"))


def _report_recovery(window: MainWindow, ops: ClinicOps) -> None:
    """Tell the user what start-up recovery did: a restored file, recovered typing."""
    t = window.state.strings.t
    report = ops.store.recovery
    if report is not None:
        window.report_recovery(report)
    recovered = ops.recover_drafts()
    if recovered:
        window.statusBar().showMessage(t("visit.recovered", count=recovered), 15000)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until its window closes; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if os.name != "nt":
        # Everything the app writes (database, backups, exports, settings) is
        # for this user only.
        os.umask(0o077)
    app = application()
    try:
        window = build(argv)
    except StartupError as error:
        from PySide6.QtWidgets import QMessageBox

        print(error, file=sys.stderr)
        QMessageBox.critical(None, "Spine Companion", str(error))
        return 2
    code = app.exec()
    # The records could not open (another copy running, no key): say so by code.
    failed = window.startup_error is not None
    del window
    return 2 if failed else code
