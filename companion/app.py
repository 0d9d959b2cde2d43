"""Entry point: parse arguments, resolve folders, load content, build and run."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from companion import __version__
from companion.core.content import DEFAULT_CONTENT_DIR, ContentError, load_all
from companion.core.i18n import strings
from companion.paths import ASSETS_DIR, AppPaths, paths_under, resolve_paths
from companion.ui.app_state import AppState
from companion.ui.first_paint import after_first_paint
from companion.ui.main_window import MainWindow
from companion.ui.settings import Settings, make_settings_private

if TYPE_CHECKING:
    import argparse

    from PySide6.QtWidgets import QApplication

    # The store (SQLCipher, sqlite-utils, keyring) loads after the first paint.
    from companion.store import Store
    from companion.ui.ops import ClinicOps
    from companion.ui.records_opener import AskPassphrase
    from companion.ui.welcome import WelcomeAnswers

STYLE_SHEET = ASSETS_DIR / "styles" / "app.qss"
ENV_CONTENT_DIR = "COMPANION_CONTENT_DIR"
# Set by the test suite: its thousands of fresh clinics are not new users.
ENV_NO_WELCOME = "COMPANION_NO_WELCOME"


def content_dir() -> Path:
    """The clinical content folder: bundled, or a clinic's own copy if set."""
    override = os.environ.get(ENV_CONTENT_DIR)
    return Path(override) if override else DEFAULT_CONTENT_DIR


def demo_paths(data_dir: str | None) -> AppPaths:
    """--demo's own folder (<data>/demo), so samples never mix with real patients."""
    if data_dir:
        return resolve_paths(data_dir)
    return paths_under(resolve_paths(None).data_dir / "demo")


def _parse_plain(argv: Sequence[str]) -> argparse.Namespace | None:
    """The usual starts (none, --demo, --data-dir DIR) without building an
    ArgumentParser (its gettext look-ups cost 1–2 ms before the first paint);
    None for anything else (help, version, abbreviations, Qt's options)."""
    data_dir: str | None = None
    demo = False
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo":
            demo = True
        elif arg == "--data-dir" and rest and not rest[0].startswith("-"):
            data_dir = rest.pop(0)
        elif arg.startswith("--data-dir=") and len(arg) > len("--data-dir="):
            data_dir = arg.removeprefix("--data-dir=")
        else:
            return None
    return SimpleNamespace(  # type: ignore[return-value]
        data_dir=data_dir, demo=demo, clinic_server=None
    )


class StartupError(Exception):
    """The app cannot start; the message is for the user."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    plain = _parse_plain(argv)
    if plain is not None:
        return plain
    import argparse

    parser = argparse.ArgumentParser(prog="companion", description="Spine Companion")
    parser.add_argument(
        "--data-dir", help="keep the database, backups and settings here"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a sample clinic of fictional patients, kept apart from real ones",
    )
    parser.add_argument(
        "--clinic-server",
        metavar="URL",
        help="join this room to the clinic server at URL (asks for the password)",
    )
    parser.add_argument("--version", action="version", version=__version__)
    # Qt's own options (e.g. -platform) pass through untouched.
    args, _qt_args = parser.parse_known_args(list(argv))
    return args


def application() -> QApplication:
    """The running QApplication, created on first use."""
    # Imported here, after companion.ui: that package makes PySide's check of
    # every later import cheap (ui/pyside_imports.py).
    from PySide6.QtWidgets import QApplication

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
    if args.clinic_server:
        url = args.clinic_server
        window.when_clinic_server(lambda server: server.join_from_command_line(url, ""))
    return window


def build_ready(argv: list[str], timeout_s: float = 60.0) -> MainWindow:
    """build(), then run events until the records are open (tools, tests, bench).

    Raises StartupError with the user's message if they cannot open.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    window = build(argv)
    app = application()
    deadline = time.monotonic() + timeout_s
    # Sleep until there is something to do (a worker's signal, a paint); the
    # timer only wakes the wait to look at the clock. A busy loop here spun
    # tens of thousands of times a second and slowed the worker it waits for.
    wake = QTimer()
    wake.start(100)
    try:
        # The clinic server's item comes a turn after records_opened (never,
        # if the window closes first).
        while (
            (not window.records_ready or window.clinic_server is None)
            and window.startup_error is None
            and not window.closing
        ):
            if time.monotonic() > deadline:
                raise StartupError("The patient records did not open in time.")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        wake.stop()
    if window.startup_error is not None:
        window.startup_error_box.done(0)  # the message goes to the caller instead
        raise StartupError(window.startup_error)
    return window


def open_records(window: MainWindow, paths: AppPaths, demo: bool = False) -> None:
    """Open the database on a worker thread, then hand it to the window.

    The window stays live meanwhile; a failure is shown over it (exit code 2).
    """
    from companion.ui.records_opener import RecordsOpener

    welcome = None if demo else _welcome_first_clinic(window, paths)
    language = window.state.language
    t = window.state.strings.t
    opener: RecordsOpener | None = None

    def ask_missing(findings: object) -> object:
        # On the GUI thread: what to do about a missing or emptied database.
        from companion.ui.missing_database import ask_missing_database

        return ask_missing_database(findings, window.state.strings, window)  # type: ignore[arg-type]

    def work(ask: AskPassphrase) -> Store:
        assert opener is not None
        if demo:
            # Fictional data under a documented fixed key: no keychain, no
            # passphrase for a look around (companion.demo.DEMO_KEY).
            from companion.demo import open_demo_store

            store = open_demo_store(paths.database, paths.backup_dir)
        else:
            store = open_encrypted_store(
                paths,
                language,
                ask,
                lambda findings: opener.call_on_gui_thread(
                    lambda: ask_missing(findings)
                ),
            )
        try:
            _preload_record_modules()
        except BaseException:
            store.close()
            raise
        return store

    def ask_on_gui_thread(new: bool, message: str) -> str | None:
        from companion.ui.passphrase import ask_passphrase

        if new and welcome is not None and welcome.passphrase and not message:
            return welcome.passphrase  # chosen in the welcome a moment ago
        return ask_passphrase(new, t, message, window)

    opener = RecordsOpener(work, ask_on_gui_thread, StartupError, window)
    if welcome is not None and welcome.pin:
        pin = welcome.pin
        window.records_opened.connect(lambda: window.set_first_pin(pin))
    opener.opened.connect(lambda store: _attach(window, store))
    opener.failed.connect(window.show_startup_error)
    window.open_records_with(opener)


def _welcome_first_clinic(window: MainWindow, paths: AppPaths) -> WelcomeAnswers | None:
    """A new clinic's first start: clinic name, language, PIN (and a passphrase
    without a keychain), all skippable. None when skipped or not a first start."""
    if os.environ.get(ENV_NO_WELCOME) or paths.database.exists():
        return None
    if paths.backup_dir.is_dir() and any(paths.backup_dir.iterdir()):
        return None  # records were here: start-up asks about them instead
    from companion.store.keys import install_keyring_from_env, keychain_available
    from companion.ui.welcome import WelcomeDialog

    install_keyring_from_env()
    dialog = WelcomeDialog(
        window.state.strings.t,
        window.state.language,
        needs_passphrase=not keychain_available(),
        parent=window,
    )
    if not dialog.exec() or dialog.answers is None:
        return None
    answers = dialog.answers
    window.state.set_language(answers.language)
    if answers.clinic_name:
        window.set_clinic_name(answers.clinic_name)
    return answers


def _preload_record_modules() -> None:
    """Import, on the worker, the pure-Python modules the records need next.

    Widget modules are left to the GUI thread (PySide builds its types there).
    argon2 loads when a PIN is first set or checked (ui/app_lock.py), the
    handout a turn after the records open (MainWindow._warm_up_handout).
    """
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
# The window's connection saves on the GUI thread: when another program holds
# the write lock, a save attempt (ops.one_attempt) gives up within one such
# timeout, under a frame, instead of freezing the
# window for SQLite's usual 5 s; the typing is kept and retried (NoteAutosave),
# and the message says who holds the file. Backups and checks use their own
# connections and are not affected.
GUI_BUSY_TIMEOUT_S = 0.01


def open_encrypted_store(
    paths: AppPaths,
    language: str,
    ask: AskPassphrase,
    ask_missing: Callable[[object], object] | None = None,
) -> Store:
    """Open the database encrypted, with the keychain key or a passphrase.

    ask(new, message) asks for the passphrase when there is no keychain.
    ask_missing(findings) asks what to do when the database is missing or
    emptied beside earlier records (restore, salvage, or a confirmed empty
    start); its decision is carried out here, then the store opens again.
    COMPANION_KEYRING=memory swaps in an in-process keychain (tests only).
    """
    from companion.store import StoreError, open_store
    from companion.store.cipher import WrongKey
    from companion.store.keys import database_key, install_keyring_from_env
    from companion.store.missing_database import MissingDatabase
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
            return open_store(
                paths.database,
                backup_dir=paths.backup_dir,
                key=key,
                busy_timeout=GUI_BUSY_TIMEOUT_S,
            )
        except MissingDatabase as missing:
            decision = ask_missing(missing.findings) if ask_missing else None
            if decision is None:
                raise StartupError(error_text(missing, chosen)) from missing
            from companion.ui.missing_database import carry_out

            try:
                carry_out(decision, missing.findings, key)  # type: ignore[arg-type]
            except StoreError as error:
                raise StartupError(error_text(error, chosen)) from error
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
    from companion.ui.termination import install_termination_watch

    # A logout's SIGTERM (or Ctrl+C, a closed terminal) closes the window the
    # way its close button does, so nothing on screen is lost.
    watch = install_termination_watch(window)
    code = app.exec()
    watch.uninstall()
    # The records could not open (another copy running, no key): say so by code.
    failed = window.startup_error is not None
    del window
    return 2 if failed else code
