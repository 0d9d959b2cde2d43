"""The clinician's PIN lock: on demand (Ctrl+L), after idle minutes, and on request.

While locked, the open patient is closed (so every patient widget is empty),
dialogs are closed and wiped, the window's contents are hidden behind a lock
screen and its actions are disabled. Unlocking with the PIN reopens the
patient and visit. Failed attempts make the next try wait longer.

Hook for other screens: ``window.require_unlock()`` returns True when no PIN is
set; otherwise it locks the window and returns False, and ``app_lock.unlocked``
fires once the clinician has typed the PIN (the patient screen calls it when
the clinician leaves it, so whoever walks up to the PC cannot go further).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from companion.store import StoreError
from companion.store import audit as events
from companion.ui.app_context import AppContext
from companion.ui.error_text import error_text

PIN_SETTING = "pin_hash"
FAILURES_SETTING = "lock_failures"  # wrong PINs since the last good one
WAIT_UNTIL_SETTING = "lock_wait_until"  # wall-clock seconds: no try before
IDLE_SETTING = "security/idle_minutes"
DEFAULT_IDLE_MINUTES = 5
MIN_IDLE_MINUTES, MAX_IDLE_MINUTES = 1, 240
MIN_PIN = 4
FREE_ATTEMPTS = 2  # mistypes before any wait
MAX_DELAY_SECONDS = 300.0
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


@functools.cache
def _hasher() -> Any:
    """argon2id, 64 MiB, 3 passes; imported when a PIN is first set or checked,
    not at every records open (≈15 ms)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_pin(pin: str) -> str:
    """An argon2id hash of the PIN (salted; the PIN itself is never stored)."""
    return _hasher().hash(pin)


def pin_matches(stored_hash: str, pin: str) -> bool:
    """True when the PIN matches the stored argon2id hash."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def unlock_delay(failures: int) -> float:
    """Seconds to wait after `failures` wrong PINs: 0, 0, then 2, 4, 8 … 300."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(2.0 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS)


_CLEARABLE = (
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QLabel,
    QListWidget,
    QTreeWidget,
    QComboBox,
)


def scrub(root: QWidget) -> None:
    """Empty every text-bearing widget under root (used on dialogs being closed)."""
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLineEdit):
            # clear() is itself an undoable edit: Ctrl+Z after the unlock
            # brought the query back. setText drops the undo history.
            widget.setText("")
        elif isinstance(widget, _CLEARABLE):
            widget.clear()
        elif isinstance(widget, QTableWidget):
            widget.clearContents()
            widget.setRowCount(0)
    root.setWindowTitle("")


class LockScreen(QWidget):
    """Covers the whole window: a PIN field, an Unlock button and a message."""

    def __init__(self, t: Callable[..., str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.title = QLabel(t("security.locked_title"), objectName="lockTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin = QLineEdit(objectName="lockPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(t("security.pin_hint"))
        self.pin.setMaximumWidth(260)
        self.unlock_button = QPushButton(t("security.unlock"), objectName="unlock")
        self.message = QLabel(objectName="lockMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.pin, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.message)
        layout.addStretch(2)


class AppLock(QObject):
    """Locks the main window on demand, when idle, or at start when a PIN is set."""

    locked_changed = Signal(bool)
    unlocked = Signal()

    def __init__(
        self,
        context: AppContext,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(context)
        self.context = context
        self.window = context.window
        self.clock = clock
        self.wall_clock = wall_clock
        self._locked = False
        self._reopen: tuple[str | None, str | None] = (None, None)
        self._disabled_actions: list[QAction] = []
        self._hidden_windows: list[QWidget] = []
        self._hidden_panels: list[QWidget] = []
        self.failures, self.next_try_at = self._saved_back_off()
        self.screen = LockScreen(context.t, self.window)
        self.screen.hide()
        self.screen.unlock_button.clicked.connect(self._unlock_from_screen)
        self.screen.pin.returnPressed.connect(self._unlock_from_screen)
        self.idle_timer = QTimer(self, singleShot=True)
        self.idle_timer.timeout.connect(self._on_idle)
        self.set_idle_minutes(self._saved_idle_minutes())
        self.window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._build_actions()

    # -- settings -------------------------------------------------------------

    def _saved_idle_minutes(self) -> float:
        settings = self.context.settings
        text = settings.get_str(IDLE_SETTING, str(DEFAULT_IDLE_MINUTES))
        try:
            minutes = float(text)
        except ValueError:
            return DEFAULT_IDLE_MINUTES
        if not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:  # also NaN and inf
            return DEFAULT_IDLE_MINUTES
        return minutes

    def set_idle_minutes(self, minutes: float) -> None:
        """Lock after this many minutes without a key press or mouse event."""
        self.set_idle_timeout_ms(int(minutes * 60_000))

    def save_idle_minutes(self, minutes: int) -> None:
        """Change the idle time now and for the next start (1–240 minutes)."""
        minutes = min(max(int(minutes), MIN_IDLE_MINUTES), MAX_IDLE_MINUTES)
        self.context.settings.set(IDLE_SETTING, str(minutes))
        self.context.settings.sync()
        self.set_idle_minutes(minutes)

    def ask_idle_minutes(self) -> None:
        t = self.context.t
        minutes, ok = QInputDialog.getInt(
            self.window,
            t("security.idle_title"),
            t("security.idle_prompt"),
            int(self._saved_idle_minutes()),
            MIN_IDLE_MINUTES,
            MAX_IDLE_MINUTES,
        )
        if ok:
            self.save_idle_minutes(minutes)

    def set_idle_timeout_ms(self, ms: int) -> None:
        """The idle timeout in milliseconds (tests use a fraction of a second)."""
        self.idle_timer.setInterval(min(max(ms, 1), MAX_IDLE_MINUTES * 60_000))
        self.idle_timer.start()

    @property
    def locked(self) -> bool:
        return self._locked

    @property
    def has_pin(self) -> bool:
        return bool(self._pin_hash())

    @property
    def reopen_ids(self) -> tuple[str | None, str | None]:
        """The patient and visit that unlocking will open again."""
        return self._reopen

    def _setting(self, name: str) -> str | None:
        try:
            return self.context.ops.store.security_setting(name)
        except StoreError:
            return None

    def _pin_hash(self) -> str | None:
        return self._setting(PIN_SETTING)

    def set_pin(self, pin: str) -> None:
        """Store the argon2id hash of a new PIN (at least 4 characters)."""
        if len(pin) < MIN_PIN:
            raise ValueError(self.context.t("security.pin_too_short"))
        result = self.context.ops.set_security_setting(PIN_SETTING, hash_pin(pin))
        if not result.ok:
            raise ValueError(result.error)
        self._audit(events.SET_PIN)

    # -- back-off across restarts ---------------------------------------------

    def _saved_back_off(self) -> tuple[int, float]:
        """(failures, monotonic time of the next allowed try) as last saved."""
        try:
            failures = max(int(self._setting(FAILURES_SETTING) or 0), 0)
            wait_until = float(self._setting(WAIT_UNTIL_SETTING) or 0)
        except ValueError:
            return 0, 0.0
        remaining = wait_until - self.wall_clock()
        # A clock set far back must not lock the clinician out for days.
        remaining = min(max(remaining, 0.0), MAX_DELAY_SECONDS)
        return failures, self.clock() + remaining if remaining else 0.0

    def _save_back_off(self) -> None:
        remaining = max(self.next_try_at - self.clock(), 0.0)
        wait_until = self.wall_clock() + remaining if remaining else 0.0
        ops = self.context.ops
        ops.set_security_setting(FAILURES_SETTING, str(self.failures))
        ops.set_security_setting(WAIT_UNTIL_SETTING, f"{wait_until:.3f}")

    # -- locking --------------------------------------------------------------

    def require_unlock(self) -> bool:
        """True if no PIN is set; otherwise lock now and return False."""
        if not self.has_pin:
            return True
        self.lock()
        return False

    def lock(self, reopen: tuple[str | None, str | None] | None = None) -> bool:
        """Hide everything behind the lock screen; False when no PIN is set.

        reopen names the patient and visit unlocking opens (at start: the ones
        open at the last quit); by default, the ones open now.
        """
        if self._locked:
            return True
        if not self.has_pin:
            return False
        ops = self.context.ops
        ops.flush_pending()
        if reopen is None:
            reopen = (
                ops.patient.id if ops.patient else None,
                ops.visit.id if ops.visit else None,
            )
        self._reopen = reopen
        self._locked = True
        self._close_other_windows()
        # Closing the patient empties the visit list, editor and banners; the
        # picker forgets its query on locked_changed.
        ops.open_patient(None)
        self.context.locked_changed.emit(True)
        window = self.window
        window.statusBar().clearMessage()
        central = window.centralWidget()
        if central is not None:
            central.hide()
        self._hidden_panels = [
            dock.widget()
            for dock in window.findChildren(QDockWidget)
            if dock.widget() is not None and not dock.widget().isHidden()
        ]
        for panel in self._hidden_panels:
            panel.hide()
        self._disabled_actions = [
            a for a in window.findChildren(QAction) if a.isEnabled()
        ]
        for action in self._disabled_actions:
            action.setEnabled(False)
        self.screen.pin.clear()
        self.screen.message.clear()
        self.screen.setGeometry(window.rect())
        self.screen.show()
        self.screen.raise_()
        self.screen.pin.setFocus()
        self.idle_timer.stop()
        self._audit(events.LOCK)
        self.locked_changed.emit(True)
        return True

    def try_unlock(self, pin: str) -> bool:
        """Unlock with the PIN; a wrong one is logged and delays the next try."""
        t = self.context.t
        if not self._locked:
            return True
        wait = self.next_try_at - self.clock()
        if wait > 0:
            self.screen.message.setText(t("security.wait", seconds=int(wait) + 1))
            return False
        stored = self._pin_hash()
        if stored is None or not pin_matches(stored, pin):
            self.failures += 1
            self.next_try_at = self.clock() + unlock_delay(self.failures)
            self._save_back_off()
            self._audit(events.UNLOCK_FAILED)
            self.screen.pin.clear()
            self.screen.message.setText(t("security.wrong_pin"))
            return False
        if self.failures:
            self.failures = 0
            self.next_try_at = 0.0
            self._save_back_off()
        self._audit(events.UNLOCK)
        self._restore()
        return True

    def _unlock_from_screen(self) -> None:
        self.try_unlock(self.screen.pin.text())

    def _restore(self) -> None:
        window = self.window
        self._locked = False
        self.screen.pin.clear()
        self.screen.hide()
        for action in self._disabled_actions:
            action.setEnabled(True)
        self._disabled_actions = []
        central = window.centralWidget()
        if central is not None:
            central.show()
        for panel in self._hidden_panels:
            panel.show()
        self._hidden_panels = []
        for other in self._hidden_windows:
            other.show()
        self._hidden_windows = []
        patient_id, visit_id = self._reopen
        self._reopen = (None, None)
        self.context.locked_changed.emit(False)
        ops = self.context.ops
        if patient_id is not None and ops.store.get_patient(patient_id) is not None:
            ops.open_patient(patient_id)
            visit = ops.store.get_visit(visit_id) if visit_id else None
            if visit is not None and visit.patient_id == patient_id:
                ops.open_visit(visit.id)
        self.idle_timer.start()
        self.locked_changed.emit(False)
        self.unlocked.emit()

    def _close_other_windows(self) -> None:
        window = self.window
        dialogs = set(window.findChildren(QDialog))
        for widget in QApplication.topLevelWidgets():
            if widget is window or not widget.isVisible():
                continue
            if isinstance(widget, QDialog):
                dialogs.add(widget)
            else:
                widget.hide()  # e.g. the patient-facing screen: back after unlock
                self._hidden_windows.append(widget)
        for dialog in dialogs:
            dialog.reject()
            scrub(dialog)

    # -- idle -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY and not self._locked:
            self.idle_timer.start()
        elif watched is self.window and kind == QEvent.Type.Resize:
            self.screen.setGeometry(self.window.rect())
        return False

    def _on_idle(self) -> None:
        if not self.lock():
            self.idle_timer.start()  # no PIN yet: check again later

    # -- actions and dialogs --------------------------------------------------

    def _build_actions(self) -> None:
        ctx = self.context
        self.lock_action = ctx.new_action(self.lock_now, "Ctrl+L")
        self.set_pin_action = ctx.new_action(self.ask_new_pin)
        self.idle_action = ctx.new_action(self.ask_idle_minutes)
        self.audit_action = ctx.new_action(self.show_audit_log)
        ctx.menus.add(
            "file.security",
            self.lock_action,
            self.set_pin_action,
            self.idle_action,
            separator=True,
        )
        ctx.menus.add("help.records", self.audit_action)
        ctx.state.language_changed.connect(lambda _lang: self._retranslate())
        self._retranslate()

    def _retranslate(self) -> None:
        t = self.context.t
        self.lock_action.setText(t("security.lock"))
        self.set_pin_action.setText(t("security.set_pin"))
        self.audit_action.setText(t("security.audit_log"))
        self.idle_action.setText(t("security.idle_menu"))
        self.screen.title.setText(t("security.locked_title"))
        self.screen.pin.setPlaceholderText(t("security.pin_hint"))
        self.screen.unlock_button.setText(t("security.unlock"))

    def lock_now(self) -> None:
        """Ctrl+L: lock; the first time, set a PIN and then lock."""
        if not self.lock():
            self.ask_new_pin(lock_after=True)

    def ask_new_pin(self, lock_after: bool = False) -> None:
        dialog = SetPinDialog(self, self.window)
        if lock_after:
            dialog.accepted.connect(self.lock)
        self.pin_dialog = dialog
        dialog.open()

    def show_audit_log(self) -> None:
        from companion.ui.audit_log_view import AuditLogDialog

        dialog = AuditLogDialog(self.context)
        self.audit_dialog = dialog
        dialog.open()

    def _audit(self, event: str) -> None:
        # A busy disk must never keep the clinician locked out (or in).
        self.context.ops.audit(event)


class SetPinDialog(QDialog):
    """Choose the clinician PIN (asks for the current one when there is one)."""

    def __init__(self, lock: AppLock, parent: QWidget) -> None:
        super().__init__(parent, objectName="setPinDialog")
        self.lock = lock
        t = lock.context.t
        self.setWindowTitle(t("security.set_pin").replace("&", "").rstrip("…"))
        self.current = QLineEdit(objectName="currentPin")
        self.new_pin = QLineEdit(objectName="newPin")
        self.confirm = QLineEdit(objectName="confirmPin")
        for field in (self.current, self.new_pin, self.confirm):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(objectName="pinError")
        form = QFormLayout(self)
        if lock.has_pin:
            form.addRow(t("security.current_pin"), self.current)
        form.addRow(t("security.new_pin"), self.new_pin)
        form.addRow(t("security.confirm_pin"), self.confirm)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.saved = False

    def save(self) -> None:
        t = self.lock.context.t
        stored = self.lock._pin_hash()
        if stored is not None and not pin_matches(stored, self.current.text()):
            self.error.setText(t("security.wrong_pin"))
            return
        if self.new_pin.text() != self.confirm.text():
            self.error.setText(t("security.pins_differ"))
            return
        try:
            self.lock.set_pin(self.new_pin.text())
        except (ValueError, StoreError) as error:
            self.error.setText(error_text(error, self.lock.context.state.strings))
            return
        self.saved = True
        self.accept()


def install_app_lock(context: AppContext) -> AppLock:
    """Give the window its PIN lock, Ctrl+L, Set PIN… and Audit log…."""
    return AppLock(context)
