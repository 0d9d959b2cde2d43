"""The database passphrase prompt, for machines without an OS keychain."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)


def ask_passphrase(
    new: bool,
    t: Callable[..., str],
    message: str = "",
    parent: QWidget | None = None,
) -> str | None:
    """Ask for the database passphrase (twice when choosing one); None if cancelled."""
    dialog = QDialog(parent, objectName="passphraseDialog")
    dialog.setWindowTitle("Spine Companion")
    intro = QLabel(
        t("security.choose_passphrase" if new else "security.enter_passphrase")
    )
    intro.setWordWrap(True)
    first = QLineEdit(objectName="passphrase")
    second = QLineEdit(objectName="passphraseConfirm")
    for field in (first, second):
        field.setEchoMode(QLineEdit.EchoMode.Password)
    error = QLabel(message, objectName="passphraseError")
    form = QFormLayout(dialog)
    form.addRow(intro)
    form.addRow(t("security.passphrase"), first)
    if new:
        form.addRow(t("security.confirm_passphrase"), second)
    form.addRow(error)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    form.addRow(buttons)

    def accept() -> None:
        if new and first.text() != second.text():
            error.setText(t("security.passphrases_differ"))
            return
        dialog.accept()

    buttons.accepted.connect(accept)
    buttons.rejected.connect(dialog.reject)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return first.text()
