"""Entry point: parse arguments, resolve folders, load content, build and run."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from companion import __version__
from companion.core.content import DEFAULT_CONTENT_DIR, ContentError, load_all
from companion.core.i18n import strings
from companion.paths import ASSETS_DIR, AppPaths, resolve_paths
from companion.store import StoreError, open_store
from companion.ui.app_state import AppState
from companion.ui.main_window import MainWindow
from companion.ui.settings import Settings
from companion.ui.visit_session import VisitSession

STYLE_SHEET = ASSETS_DIR / "styles" / "app.qss"
ENV_CONTENT_DIR = "COMPANION_CONTENT_DIR"


def content_dir() -> Path:
    """The clinical content folder: bundled, or a clinic's own copy if set."""
    override = os.environ.get(ENV_CONTENT_DIR)
    return Path(override) if override else DEFAULT_CONTENT_DIR


class StartupError(Exception):
    """The app cannot start; the message is for the user."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="companion", description="Spine Companion")
    parser.add_argument(
        "--data-dir", help="keep the database, backups and settings here"
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


def build(argv: list[str]) -> QMainWindow:
    """Create or reuse the QApplication and show the main window; no event loop."""
    args = parse_args(argv)
    paths: AppPaths = resolve_paths(args.data_dir).ensure()
    application()
    try:
        contents = load_all(content_dir())
    except ContentError as error:
        raise StartupError(strings("en").t("app.content_error", error=error)) from error
    try:
        store = open_store(paths.database, backup_dir=paths.backup_dir)
    except StoreError as error:
        raise StartupError(str(error)) from error
    settings = Settings(paths.settings_file)
    state = AppState(contents, settings.get_str("ui/language", "en"))
    session = VisitSession(store)
    window = MainWindow(state, settings, session)
    window.show()
    _report_recovery(window, session)
    return window


def _report_recovery(window: MainWindow, session: VisitSession) -> None:
    """Tell the user what start-up recovery did: a restored file, recovered typing."""
    t = window.state.strings.t
    report = session.store.recovery
    if report is not None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            t("startup.recovered_title"),
            report.message,
            parent=window,
        )
        box.setObjectName("recoveryMessage")
        box.open()
        window.recovery_box = box
    recovered = session.recover_drafts()
    if recovered:
        window.statusBar().showMessage(t("visit.recovered", count=recovered), 15000)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until its window closes; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    app = application()
    try:
        window = build(argv)
    except StartupError as error:
        print(error, file=sys.stderr)
        QMessageBox.critical(None, "Spine Companion", str(error))
        return 2
    code = app.exec()
    del window
    return code
