"""The choice offered when the records file is missing beside earlier data."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from companion.core.i18n import Strings
from companion.store.missing_database import StartFindings
from companion.store.start_choices import (
    EMPTY_CONFIRMATIONS,
    restore_from_backup,
    salvage,
    start_empty_confirmed,
)

RESTORE, SALVAGE, EMPTY = "restore", "salvage", "empty"


class MissingDatabaseDialog(QDialog):
    """Restore the newest verified backup (default), salvage, or start empty.

    Starting empty needs the confirmation word typed; the dialog only calls
    the store's functions (apply), so the choice is the same from any caller.
    """

    def __init__(
        self, findings: StartFindings, strings: Strings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("missingDatabase")
        self.findings = findings
        t = strings.t
        self.setWindowTitle(t("missing_database.title"))
        layout = QVBoxLayout(self)
        intro = QLabel(t("missing_database.intro", path=str(findings.database)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self._found_label(strings))
        self.choices = QButtonGroup(self)
        self.restore = QRadioButton(t("missing_database.restore"), objectName=RESTORE)
        damaged = findings.damaged[0].name if findings.damaged else ""
        self.salvage = QRadioButton(
            t("missing_database.salvage", name=damaged), objectName=SALVAGE
        )
        self.empty = QRadioButton(t("missing_database.empty"), objectName=EMPTY)
        for button in (self.restore, self.salvage, self.empty):
            self.choices.addButton(button)
            layout.addWidget(button)
        self.restore.setEnabled(findings.newest_backup is not None)
        self.salvage.setEnabled(bool(findings.damaged))
        self.confirm = QLineEdit(objectName="confirmEmpty")
        word = t("missing_database.word")
        self.confirm.setPlaceholderText(t("missing_database.empty_hint", word=word))
        layout.addWidget(self.confirm)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # The safest choice there is comes first and is already chosen.
        first = next(
            b for b in (self.restore, self.salvage, self.empty) if b.isEnabled()
        )
        first.setChecked(True)
        self.choices.buttonToggled.connect(lambda *_: self._update())
        self.confirm.textChanged.connect(lambda _text: self._update())
        self._update()

    def _found_label(self, strings: Strings) -> QLabel:
        t = strings.t
        newest = self.findings.newest_backup
        lines = []
        if newest is None:
            lines.append(t("missing_database.no_backup"))
        else:
            lines.append(
                t(
                    "missing_database.backup_found",
                    name=newest.path.name,
                    when=newest.taken.astimezone().strftime("%Y-%m-%d %H:%M"),
                    patients=newest.records.get("patients", 0),
                    visits=newest.records.get("visits", 0),
                )
            )
        if self.findings.damaged:
            lines.append(
                t("missing_database.damaged_found", count=len(self.findings.damaged))
            )
        label = QLabel("\n".join(lines), objectName="missingFound")
        label.setWordWrap(True)
        return label

    @property
    def choice(self) -> str:
        """RESTORE, SALVAGE or EMPTY: the option selected."""
        checked = self.choices.checkedButton()
        return checked.objectName() if checked is not None else RESTORE

    def _update(self) -> None:
        wants_empty = self.choice == EMPTY
        self.confirm.setVisible(wants_empty)
        typed = self.confirm.text().strip().upper() in EMPTY_CONFIRMATIONS
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not wants_empty or typed)

    def decision(self) -> Decision:
        """What was chosen, as plain values a worker thread may act on."""
        return Decision(self.choice, self.confirm.text())

    def apply(self, key: bytes | None) -> None:
        """Carry out the chosen option now (see carry_out)."""
        carry_out(self.decision(), self.findings, key)


@dataclass(frozen=True)
class Decision:
    """The option chosen in the dialog, and the confirmation typed for EMPTY."""

    choice: str
    typed: str = ""


def carry_out(decision: Decision, findings: StartFindings, key: bytes | None) -> None:
    """Do what was chosen with the store's functions; StoreError if it fails.

    No Qt here: the app may call it on its records-opening worker (a restore
    of a large clinic takes seconds), then open the store again as at any
    start.
    """
    path = findings.database
    if decision.choice == RESTORE and findings.newest_backup is not None:
        restore_from_backup(path, findings.newest_backup.path, key)
    elif decision.choice == SALVAGE and findings.damaged:
        salvage(findings.damaged[0], path, key)
    else:
        start_empty_confirmed(path, decision.typed, key)


def ask_missing_database(
    findings: StartFindings, strings: Strings, parent: QWidget | None = None
) -> Decision | None:
    """Show the dialog (on the GUI thread); the decision, or None if cancelled."""
    dialog = MissingDatabaseDialog(findings, strings, parent)
    try:
        return (
            dialog.decision() if dialog.exec() == QDialog.DialogCode.Accepted else None
        )
    finally:
        dialog.deleteLater()
