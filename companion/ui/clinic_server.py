"""The clinic server in the window: the status item, File → Clinic server…, review."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from companion.ui.clinic_server_sync import (
    CATCHING_UP,
    IN_STEP,
    NOT_JOINED,
    ClinicServerSync,
    SyncStatus,
)

if TYPE_CHECKING:
    from companion.ui.app_context import AppContext


def status_text(status: SyncStatus, t: Callable[..., str], to_review: int = 0) -> str:
    """The status item's words; empty for a room that never joined a server."""
    if status.state == NOT_JOINED:
        return ""
    if status.state == IN_STEP:
        text = t("clinic_server.in_step")
    elif status.state == CATCHING_UP:
        text = t("clinic_server.catching_up")
    else:
        text = t("clinic_server.unreachable", n=status.waiting)
    if to_review:
        text += " · " + t("clinic_server.to_review", n=to_review)
    return text


class ClinicServer:
    """Owns the worker and the status item; opens the join and review dialogs."""

    def __init__(self, ctx: AppContext) -> None:
        from companion.hub.join import joined

        self.ctx = ctx
        store = ctx.ops.store
        self.sync = ClinicServerSync(store.path, store.key, ctx)
        self.label = QLabel()
        self.label.setObjectName("clinic_server_status")
        ctx.window.statusBar().addPermanentWidget(self.label)
        self.to_review = 0
        self.join_action = ctx.new_action(self.open_dialog)
        self.review_action = ctx.new_action(self.open_review)
        ctx.menus.add("file.clinic_server", self.join_action, self.review_action)
        self.sync.status_changed.connect(self._show)
        self.sync.records_arrived.connect(lambda _n: ctx.ops.records_arrived())
        ctx.ops.changed.connect(lambda _changes: self.sync.after_save())
        ctx.state.language_changed.connect(lambda _lang: self._retranslate())
        self._retranslate()
        if joined(store.path) is not None:
            self.sync.start()

    def _show(self, status: SyncStatus) -> None:
        # Counted by the worker (it reads the whole revision index).
        if status.conflicts is not None:
            self.to_review = status.conflicts
        text = status_text(status, self.ctx.t, self.to_review)
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self.review_action.setEnabled(self.to_review > 0)

    def _retranslate(self) -> None:
        self.join_action.setText(self.ctx.t("clinic_server.menu"))
        self.review_action.setText(self.ctx.t("clinic_server.review_menu"))
        self._show(self.sync.status)

    def open_dialog(self) -> None:
        from companion.ui.clinic_server_dialog import ClinicServerDialog

        dialog = ClinicServerDialog(self.ctx, self.sync)
        dialog.open()

    def open_review(self) -> None:
        from companion.ui.clinic_server_review import ReviewDialog

        dialog = ReviewDialog(self.ctx)
        dialog.finished.connect(lambda _result: self.sync.recount())
        dialog.open()

    def join_from_command_line(self, url: str, password: str) -> None:
        """--clinic-server URL: open the dialog with the address filled in."""
        from companion.ui.clinic_server_dialog import ClinicServerDialog

        dialog = ClinicServerDialog(self.ctx, self.sync, url)
        if password:
            dialog.password.setText(password)
        dialog.open()
        self.dialog = dialog


def install_clinic_server(ctx: AppContext) -> ClinicServer:
    """The status item, the menu entries and the worker (rounds only once joined)."""
    return ClinicServer(ctx)
