"""At close: let the backups finish while the window keeps painting, with a way out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QProgressDialog

if TYPE_CHECKING:
    from companion.ui.app_context import AppContext
    from companion.ui.backup_runner import BackupRunner

# A quick quit backup (a small clinic: well under a second) closes the window
# without a dialog flashing up; a large clinic's (about 10 s) says what it does.
SHOW_AFTER_MS = 400


def finish_backups(context: AppContext, runner: BackupRunner) -> bool:
    """Run the running backup and the quit backup to the end before the store closes.

    The copies run on worker threads, as always; this waits in a local event
    loop, so the window keeps painting instead of freezing. The window is
    disabled meanwhile: the clinician asked to close, and anything typed now
    would come after the last save. After SHOW_AFTER_MS a dialog says what is
    happening and offers "Close now" (or Esc).

    True when the backups finished (and were recorded); False when the clinician
    chose to close at once or the application is quitting. A copy still running
    then completes its file on its own thread; the database itself is already
    saved, so nothing is lost either way.
    """
    loop = QEventLoop()
    finished = False

    def on_wound_down() -> None:
        nonlocal finished
        finished = True
        loop.quit()

    runner.wound_down.connect(on_wound_down)
    try:
        runner.wind_down()
        if finished:  # nothing was running and nothing changed
            return True
        dialog = _closing_dialog(context)
        dialog.canceled.connect(loop.quit)
        context.window.setEnabled(False)
        loop.exec()
        dialog.canceled.disconnect(loop.quit)
        dialog.close()
        dialog.deleteLater()
        return finished
    finally:
        runner.wound_down.disconnect(on_wound_down)


def _closing_dialog(context: AppContext) -> QProgressDialog:
    t = context.t
    window = context.window
    # Without a parent: a child of the window would be disabled along with it.
    dialog = QProgressDialog(t("closing.backing_up"), t("closing.close_now"), 0, 0)
    dialog.setObjectName("closingBackup")
    dialog.setWindowTitle(t("closing.title"))
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.adjustSize()
    dialog.move(window.frameGeometry().center() - dialog.rect().center())
    # Shown by QProgressDialog itself once this much time has passed. Its clock
    # (started in its constructor with a 4 s default) restarts only when the
    # value is set to the minimum, so setValue(0) must come after.
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setValue(0)
    return dialog
