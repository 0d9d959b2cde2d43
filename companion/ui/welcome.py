"""A new clinic's first start: clinic name, language, PIN and, without a keychain,
the passphrase, all optional and skippable in one click."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from companion.core.i18n import languages
from companion.store.keys import MIN_PASSPHRASE
from companion.ui.app_lock import MIN_PIN


@dataclass(frozen=True)
class WelcomeAnswers:
    """What the clinician chose; empty text means "not now"."""

    clinic_name: str
    language: str
    pin: str = field(default="", repr=False)
    passphrase: str = field(default="", repr=False)


class WelcomeDialog(QDialog):
    """Asks the few things a new clinic needs; Skip keeps every default.

    answers is set when the clinician presses Start with valid input. The
    passphrase rows appear only when there is no OS keychain (needs_passphrase).
    """

    def __init__(
        self,
        t: Callable[..., str],
        language: str,
        needs_passphrase: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, objectName="welcomeDialog")
        self._t = t
        self.answers: WelcomeAnswers | None = None
        self.setWindowTitle(t("welcome.title"))
        intro = QLabel(t("welcome.intro"), objectName="welcomeIntro")
        intro.setWordWrap(True)
        self.clinic_name = QLineEdit(objectName="welcomeClinicName")
        self.language = QComboBox(objectName="welcomeLanguage")
        for code in languages():
            self.language.addItem(t(f"language.{code}"), code)
        self.language.setCurrentIndex(max(0, self.language.findData(language)))
        self.pin = self._secret("welcomePin")
        self.pin_again = self._secret("welcomePinAgain")
        self.passphrase = self._secret("welcomePassphrase")
        self.passphrase_again = self._secret("welcomePassphraseAgain")
        self.error = QLabel("", objectName="welcomeError")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow(t("settings.clinic_name"), self.clinic_name)
        form.addRow(t("welcome.language"), self.language)
        form.addRow(t("welcome.pin"), self.pin)
        form.addRow(t("welcome.pin_again"), self.pin_again)
        self.needs_passphrase = needs_passphrase
        if needs_passphrase:
            note = QLabel(t("security.choose_passphrase"))
            note.setWordWrap(True)
            form.addRow(note)
            form.addRow(t("security.passphrase"), self.passphrase)
            form.addRow(t("security.confirm_passphrase"), self.passphrase_again)
        form.addRow(self.error)
        buttons = QDialogButtonBox(objectName="welcomeButtons")
        self.start_button = buttons.addButton(
            t("welcome.start"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.skip_button = buttons.addButton(
            t("welcome.skip"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.start_button.setDefault(True)
        buttons.accepted.connect(self._start)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _secret(name: str) -> QLineEdit:
        field_ = QLineEdit(objectName=name)
        field_.setEchoMode(QLineEdit.EchoMode.Password)
        return field_

    def problem(self) -> str:
        """Why Start cannot accept the form as it is; empty when it can."""
        t = self._t
        pin = self.pin.text()
        if pin and len(pin) < MIN_PIN:
            return t("security.pin_too_short")
        if pin != self.pin_again.text():
            return t("security.pins_differ")
        if self.needs_passphrase:
            phrase = self.passphrase.text()
            if phrase and len(phrase) < MIN_PASSPHRASE:
                return t("store_error.passphrase_too_short", count=MIN_PASSPHRASE)
            if phrase != self.passphrase_again.text():
                return t("security.passphrases_differ")
        return ""

    def _start(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)  # nothing typed is cleared
            return
        self.answers = WelcomeAnswers(
            clinic_name=self.clinic_name.text().strip(),
            language=str(self.language.currentData()),
            pin=self.pin.text(),
            passphrase=self.passphrase.text() if self.needs_passphrase else "",
        )
        self.accept()
