"""File → Clinic server…: check a server's fingerprint and join; leave; re-pin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.ui.background_call import run_in_background

if TYPE_CHECKING:
    from companion.hub.join import Joined, Offered
    from companion.ui.app_context import AppContext
    from companion.ui.clinic_server_sync import ClinicServerSync


def two_lines(fingerprint: str) -> str:
    """A SHA-256 fingerprint as two lines of 16 bytes: read out, never cut off."""
    groups = fingerprint.split(":")
    half = (len(groups) + 1) // 2
    return "\n" + ":".join(groups[:half]) + "\n" + ":".join(groups[half:])


class ClinicServerDialog(QDialog):
    """Address and room password; Check shows the fingerprint, then Trust and join.

    Nothing is pinned before the user has seen the certificate's fingerprint
    and compared it with the administrator's. A joined room can leave, and
    one whose server shows another certificate can trust it, fingerprints
    side by side first.
    """

    def __init__(self, ctx: AppContext, sync: ClinicServerSync, url: str = "") -> None:
        super().__init__(ctx.parent_widget)
        self.ctx, self.sync = ctx, sync
        self.offered: Offered | None = None  # the certificate shown, not pinned
        t = ctx.t
        self.setWindowTitle(t("clinic_server.dialog_title"))
        intro = QLabel(t("clinic_server.dialog_intro"))
        intro.setWordWrap(True)
        self.address = QLineEdit(url)
        self.address.setPlaceholderText(t("clinic_server.address_hint"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(t("clinic_server.address"), self.address)
        form.addRow(t("clinic_server.password"), self.password)
        # Two explicit lines of a fixed width: never wrapped (a wrapping label
        # in a fixed font was laid out one line short and overlapped the text
        # below it under Xvfb).
        self.fingerprint_label = QLabel(objectName="clinic_server_fingerprint")
        self.fingerprint_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.fingerprint_label.setFont(
            QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        )
        self.fingerprint_label.setVisible(False)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setObjectName("clinic_server_result")
        buttons = QDialogButtonBox()
        action = QDialogButtonBox.ButtonRole.ActionRole
        self.check_button = QPushButton(t("clinic_server.check"))
        self.join_button = QPushButton(t("clinic_server.trust_and_join"))
        self.leave_button = QPushButton(t("clinic_server.leave"))
        self.trust_new_button = QPushButton(t("clinic_server.trust_new"))
        self.trust_button = QPushButton(t("clinic_server.trust"))
        for button in (
            self.leave_button,
            self.trust_new_button,
            self.trust_button,
            self.check_button,
            self.join_button,
        ):
            buttons.addButton(button, action)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(t("clinic_server.close"))
        self.close_button = close
        buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(self.check)
        self.join_button.clicked.connect(self.join)
        self.leave_button.clicked.connect(self.leave)
        self.trust_new_button.clicked.connect(self.check_new_certificate)
        self.trust_button.clicked.connect(self.trust_new_certificate)
        # A certificate shown for one address is never pinned for another.
        self.address.textChanged.connect(lambda _text: self._forget_offer())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        # The words (what to compare) come before the fingerprint they explain.
        for part in (self.result_label, self.fingerprint_label, buttons):
            layout.addWidget(part)
        # A whole address fits (postgresql://room1@server:5432/companion_hub),
        # and wrapped messages grow the dialog instead of being cut off.
        chars = self.address.fontMetrics().horizontalAdvance("x" * 48)
        self.address.setMinimumWidth(chars)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self._show_tie()
        # Given an address (--clinic-server), what is left to type is the password.
        (self.password if url else self.address).setFocus()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            # Messages and fingerprints appear after the dialog is shown; a
            # shown top-level keeps its size, so without this they were
            # squeezed over each other (seen under Xvfb).
            self.adjustSize()
        return handled

    def _show_tie(self) -> None:
        """The buttons and words for a room joined or not, its certificate refused."""
        from companion.hub.join import joined

        tie = joined(self.ctx.ops.store.path)
        refused = self.sync.status.error_key == "wrong_certificate"
        # A joined room leaves before joining another server (or again).
        self.form.setVisible(tie is None)
        self.check_button.setVisible(tie is None)
        self.leave_button.setVisible(tie is not None)
        self.trust_new_button.setVisible(tie is not None and refused)
        self.trust_button.setVisible(False)
        self.join_button.setVisible(False)
        (self.check_button if tie is None else self.close_button).setDefault(True)
        if tie is not None:
            text = self.ctx.t("clinic_server.joined_already", url=tie.url)
            if refused:
                text += "\n" + self.ctx.t("clinic_server_error.wrong_certificate")
            self.result_label.setText(text)

    def _forget_offer(self) -> None:
        if self.offered is not None and self.trust_button.isHidden():
            self.offered = None
            self.join_button.setVisible(False)
            self.fingerprint_label.setVisible(False)
            self.check_button.setDefault(True)

    def _busy(self, busy: bool, text: str = "") -> None:
        for button in (self.check_button, self.join_button, self.trust_button):
            button.setEnabled(not busy)
        if text:
            self.result_label.setText(text)

    def check(self) -> None:
        """Fetch the server's certificate and show its fingerprint; pin nothing."""
        from companion.hub.errors import HubError
        from companion.hub.join import check

        url = self.address.text()
        self._busy(True, self.ctx.t("clinic_server.checking"))
        run_in_background(
            lambda: check(url),
            self._offered,
            self._failed,
            expected=(HubError,),
            name="clinic-server-check",
        )

    def _offered(self, offered: Offered) -> None:
        self._busy(False, self.ctx.t("clinic_server.fingerprint_intro"))
        self.offered = offered
        self.fingerprint_label.setText(
            self.ctx.t(
                "clinic_server.fingerprint", fingerprint=two_lines(offered.fingerprint)
            )
        )
        self.fingerprint_label.setVisible(True)
        self.join_button.setVisible(True)
        self.join_button.setDefault(True)

    def join(self) -> None:
        """Pin the certificate shown and join; the window stays responsive."""
        from companion.hub.errors import HubError
        from companion.hub.join import join

        offered = self.offered
        if offered is None:
            return
        store = self.ctx.ops.store
        password = self.password.text()
        room = store.room_id()
        self._busy(True, self.ctx.t("clinic_server.joining"))
        run_in_background(
            lambda: join(store.path, offered.url, password, room, offered),
            self._joined,
            self._failed,
            expected=(HubError,),
            name="clinic-server-join",
        )

    def _joined(self, tie: Joined) -> None:
        self._busy(False)
        self.join_button.setVisible(False)
        self.check_button.setVisible(False)
        self.form.setVisible(False)
        self.leave_button.setVisible(True)
        # Enter after joining closes; leaving is never the default.
        self.close_button.setDefault(True)
        self.fingerprint_label.setText(
            self.ctx.t(
                "clinic_server.fingerprint", fingerprint=two_lines(tie.fingerprint)
            )
        )
        self.result_label.setText(self.ctx.t("clinic_server.joined_pinned"))
        # The first upload is the outbox draining: resumable, in the worker.
        self.sync.rejoined()
        self.sync.start()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        key = getattr(error, "key", "unreachable")
        self.result_label.setText(self.ctx.t(f"clinic_server_error.{key}"))

    # -- leaving ---------------------------------------------------------------

    def leave(self) -> None:
        """Ask first; Leave stops the worker and unties the room."""
        from companion.hub.join import joined

        tie = joined(self.ctx.ops.store.path)
        if tie is None:
            return
        t = self.ctx.t
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(t("clinic_server.leave_title"))
        box.setText(t("clinic_server.leave_confirm", url=tie.url))
        self.leave_yes = box.addButton(
            t("clinic_server.leave_yes"), QMessageBox.ButtonRole.DestructiveRole
        )
        stay = box.addButton(
            t("clinic_server.leave_no"), QMessageBox.ButtonRole.RejectRole
        )
        box.setDefaultButton(stay)
        box.buttonClicked.connect(
            lambda button: self._really_leave() if button is self.leave_yes else None
        )
        self.leave_box = box
        box.open()

    def _really_leave(self) -> None:
        from companion.hub.join import leave

        self.sync.leave()
        leave(self.ctx.ops.store.path)
        self.offered = None
        self.fingerprint_label.setVisible(False)
        self._show_tie()
        self.result_label.setText(self.ctx.t("clinic_server.left"))

    # -- a new certificate -----------------------------------------------------

    def check_new_certificate(self) -> None:
        """Fetch the certificate the joined server shows now, to compare."""
        from companion.hub.errors import HubError
        from companion.hub.join import check, joined

        tie = joined(self.ctx.ops.store.path)
        if tie is None:
            return
        self._busy(True, self.ctx.t("clinic_server.checking"))
        run_in_background(
            lambda: check(tie.url),
            self._new_offered,
            self._failed,
            expected=(HubError,),
            name="clinic-server-check",
        )

    def _new_offered(self, offered: Offered) -> None:
        from companion.hub.join import pinned_fingerprint

        t = self.ctx.t
        self._busy(False, t("clinic_server.new_certificate_intro"))
        self.offered = offered
        pinned = pinned_fingerprint(self.ctx.ops.store.path)
        self.fingerprint_label.setText(
            t("clinic_server.pinned_fingerprint", fingerprint=two_lines(pinned))
            + "\n"
            + t(
                "clinic_server.new_fingerprint",
                fingerprint=two_lines(offered.fingerprint),
            )
        )
        self.fingerprint_label.setVisible(True)
        self.trust_new_button.setVisible(False)
        self.trust_button.setVisible(True)

    def trust_new_certificate(self) -> None:
        """Pin the new certificate (the user compared it) and reconnect."""
        from companion.hub.errors import HubError
        from companion.hub.join import repin

        offered = self.offered
        if offered is None:
            return
        try:
            repin(self.ctx.ops.store.path, offered)
        except (HubError, OSError) as error:
            self._failed(error)
            return
        self.trust_button.setVisible(False)
        self.result_label.setText(self.ctx.t("clinic_server.trusted"))
        self.sync.rejoined()
        self.sync.start()
