"""The first-start welcome: optional answers, one-click skip, clear refusals."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from companion.core.i18n import strings
from companion.ui.welcome import WelcomeDialog


def _dialog(
    qtbot: QtBot, needs_passphrase: bool, language: str = "en"
) -> WelcomeDialog:
    dialog = WelcomeDialog(strings(language).t, language, needs_passphrase)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_skip_keeps_every_default(qtbot: QtBot) -> None:
    """Skip closes the dialog with no answers: nothing is asked of a newcomer."""
    dialog = _dialog(qtbot, needs_passphrase=False)
    dialog.clinic_name.setText("Typed then skipped")
    dialog.skip_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.answers is None


def test_start_returns_the_answers_after_a_pin_mismatch_is_fixed(
    qtbot: QtBot,
) -> None:
    """Two different PINs are refused with the reason, nothing cleared; then the
    name, language and PIN come back."""
    dialog = _dialog(qtbot, needs_passphrase=False)
    assert not dialog.passphrase.isVisible()  # a keychain holds the key
    dialog.clinic_name.setText("  Clínica Norte  ")
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    dialog.pin.setText("4821")
    dialog.pin_again.setText("4812")
    dialog.start_button.click()
    assert dialog.isVisible() and dialog.answers is None
    assert dialog.error.text() == strings("en").t("security.pins_differ")
    assert dialog.pin.text() == "4821"
    dialog.pin_again.setText("4821")
    dialog.start_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.answers is not None
    assert dialog.answers.clinic_name == "Clínica Norte"
    assert dialog.answers.language == "es"
    assert dialog.answers.pin == "4821"
    assert dialog.answers.passphrase == ""


def test_without_a_keychain_a_short_passphrase_is_refused_in_spanish(
    qtbot: QtBot,
) -> None:
    """The passphrase rows appear without a keychain; too short is explained."""
    dialog = _dialog(qtbot, needs_passphrase=True, language="es")
    assert dialog.passphrase.isVisible()
    dialog.passphrase.setText("corta")
    dialog.passphrase_again.setText("corta")
    dialog.start_button.click()
    assert dialog.answers is None
    assert "al menos 8 caracteres" in dialog.error.text()
    dialog.passphrase.setText("una frase larga")
    dialog.passphrase_again.setText("una frase larga")
    dialog.start_button.click()
    assert dialog.answers is not None
    assert dialog.answers.passphrase == "una frase larga"
