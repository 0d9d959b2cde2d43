"""Help ▸ Check database: the check runs on a worker while the window stays usable."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from companion.store import StoreError
from companion.ui.app_context import AppContext
from companion.ui.background_call import run_in_background
from companion.ui.error_text import error_text


class DatabaseCheck(QObject):
    """Runs the store's integrity check off the GUI thread and shows the result.

    The check takes about 10 s on a 100,000-visit clinic; it reads through a
    connection of its own, so the clinician goes on saving notes meanwhile.
    finished(ok, messages) comes after the result dialog is open.
    """

    finished = Signal(bool, list)

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.context = context
        self.running = False
        self.result_box: QMessageBox | None = None

    def start(self) -> None:
        """Begin the check; asking again while one runs just says it is running."""
        ctx = self.context
        if self.running:
            ctx.status(ctx.t("check.running"), 0)
            return
        try:
            job = ctx.ops.store.integrity_job()
        except StoreError as error:
            self._failed(error)
            return
        self.running = True
        ctx.status(ctx.t("check.running"), 0)
        run_in_background(
            job.run,
            self._done,
            self._failed,
            expected=(StoreError, OSError),
            name="database-check",
        )

    def _done(self, result: tuple[bool, list[str]]) -> None:
        ok, messages = result
        t = self.context.t
        text = t("check.ok") if ok else t("check.failed", details="\n".join(messages))
        self._report(ok, messages, text)

    def _failed(self, error: BaseException) -> None:
        # Busy or closed is no finding about the file: say just that.
        text = error_text(error, self.context.state.strings)
        self._report(False, [text], text)

    def _report(self, ok: bool, messages: list[str], text: str) -> None:
        self.running = False
        ctx = self.context
        if ctx.closing:
            return  # the window closed while the check ran: nobody to tell
        t = ctx.t
        status = ctx.window.statusBar()
        if status.currentMessage() == t("check.running"):
            status.clearMessage()
        box = QMessageBox(ctx.parent_widget, objectName="checkDatabaseResult")
        box.setWindowTitle(t("menu.check_db").replace("&", ""))
        box.setText(text)
        box.setIcon(QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning)
        box.open()
        self.result_box = box
        self.finished.emit(ok, messages)
