"""File → Clinic server…: join this room to the clinic's server (checked first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from companion.ui.background_call import run_in_background

if TYPE_CHECKING:
    from companion.hub.join import Joined
    from companion.ui.app_context import AppContext
    from companion.ui.clinic_server_sync import ClinicServerSync


class ClinicServerDialog(QDialog):
    """Address and room password; Join checks the server on a worker thread."""

    def __init__(self, ctx: AppContext, sync: ClinicServerSync, url: str = "") -> None:
        from companion.hub.join import joined

        super().__init__(ctx.parent_widget)
        self.ctx, self.sync = ctx, sync
        t = ctx.t
        self.setWindowTitle(t("clinic_server.dialog_title"))
        intro = QLabel(t("clinic_server.dialog_intro"))
        intro.setWordWrap(True)
        self.address = QLineEdit(url)
        self.address.setPlaceholderText(t("clinic_server.address_hint"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(t("clinic_server.address"), self.address)
        form.addRow(t("clinic_server.password"), self.password)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setObjectName("clinic_server_result")
        tie = joined(ctx.ops.store.path)
        if tie is not None:
            self.result_label.setText(t("clinic_server.joined_already", url=tie.url))
        buttons = QDialogButtonBox()
        self.join_button = QPushButton(t("clinic_server.join"))
        buttons.addButton(self.join_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(t("clinic_server.close"))
        buttons.rejected.connect(self.reject)
        self.join_button.clicked.connect(self.join)
        layout = QVBoxLayout(self)
        for part in (intro, form, self.result_label, buttons):
            if isinstance(part, QFormLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part)
        # A whole address fits (postgresql://room1@server:5432/companion_hub),
        # and wrapped messages grow the dialog instead of being cut off.
        chars = self.address.fontMetrics().horizontalAdvance("x" * 48)
        self.address.setMinimumWidth(chars)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self.join_button.setDefault(True)
        # Given an address (--clinic-server), what is left to type is the password.
        (self.password if url else self.address).setFocus()

    def join(self) -> None:
        """Check the server and join; the window stays responsive meanwhile."""
        from companion.hub.errors import HubError
        from companion.hub.join import join
        from companion.store import replication

        store = self.ctx.ops.store
        url, password = self.address.text(), self.password.text()
        room = replication.room_id(store.conn)
        self.join_button.setEnabled(False)
        self.result_label.setText(self.ctx.t("clinic_server.joining"))
        run_in_background(
            lambda: join(store.path, url, password, room),
            self._joined,
            self._failed,
            expected=(HubError,),
            name="clinic-server-join",
        )

    def _joined(self, tie: Joined) -> None:
        self.join_button.setEnabled(True)
        self.result_label.setText(
            self.ctx.t("clinic_server.joined", fingerprint=tie.fingerprint)
        )
        # The first upload is the outbox draining: resumable, in the worker.
        self.sync.rejoined()
        self.sync.start()

    def _failed(self, error: BaseException) -> None:
        self.join_button.setEnabled(True)
        key = getattr(error, "key", "unreachable")
        self.result_label.setText(self.ctx.t(f"clinic_server_error.{key}"))
