"""The PIN lock in the running app, and what the app itself encrypts and audits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QWidget,
)
from pytestqt.qtbot import QtBot

from companion.store import audit
from companion.store.cipher import connect, is_plain_database
from companion.ui.app_lock import hash_pin, pin_matches, unlock_delay
from companion.ui.main_window import MainWindow
from tests.security.conftest import Sentinels, files_containing

Launch = Callable[..., MainWindow]
PIN = "4821"


def widget_texts(widget: QWidget) -> list[str]:
    """Every string a widget holds: text, plain text, title, tooltip, item texts."""
    texts = [widget.windowTitle(), widget.toolTip()]
    for getter in ("text", "toPlainText", "placeholderText", "currentText"):
        method = getattr(widget, getter, None)
        if callable(method):
            try:
                value = method()
            except TypeError:
                continue
            if isinstance(value, str):
                texts.append(value)
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        texts += model_texts(model, QModelIndex())
    return texts


def model_texts(model, parent: QModelIndex) -> list[str]:
    """Display and tooltip text of every cell under parent, recursively."""
    try:
        columns = model.columnCount(parent)
    except TypeError:  # list models keep columnCount private: one column
        columns = 1
    texts = []
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if value is not None:
                    texts.append(str(value))
            if column == 0 and columns > 1 and model.rowCount(index):
                texts += model_texts(model, index)  # tree rows
    return texts


def sentinels_in_widgets(sentinels: Sentinels) -> list[str]:
    """Which sentinels any widget of the application shows or holds."""
    found = []
    for widget in QApplication.allWidgets():
        joined = "\n".join(widget_texts(widget)).lower()
        for needle in sentinels.all():
            if needle.lower() in joined:
                found.append(f"{type(widget).__name__}#{widget.objectName()}: {needle}")
    return found


def open_chart(window: MainWindow, qtbot: QtBot, s: Sentinels) -> None:
    """A patient with a visit and a note open on screen, plus note search results."""
    window.ops.create_patient(chart_number=s.chart, display_name=s.name)
    window.clinic.new_visit()
    editor = window.clinic.editor
    editor.notes["S"].setFocus()
    qtbot.keyClicks(editor.notes["S"], s.note)
    editor.autosave.flush()
    window.clinic.picker.search.setText(s.chart[:6])
    window.search_notes()
    dialog = window.notes_search_dialog
    dialog.query.setText(s.note.split()[-1])
    dialog._timer.stop()  # searched below; no late search after the window closes
    dialog.run_search()
    qtbot.waitUntil(lambda: dialog.results.count() > 0, timeout=5000)
    assert sentinels_in_widgets(s)  # the walk does find what is on screen


def test_the_app_encrypts_its_database_by_default(
    launch: Launch, qtbot: QtBot, tmp_path: Path, sentinels: Sentinels
) -> None:
    """build() opens an encrypted database with the (fake) keychain key."""
    home = tmp_path / "home"
    window = launch(home)
    assert window.ops.store.encrypted
    open_chart(window, qtbot, sentinels)
    window.backups.request("auto")
    assert window.backups.wait()
    assert files_containing(home, sentinels.all()) == []
    window.close()
    assert not is_plain_database(home / "companion.db")
    assert files_containing(home, sentinels.all()) == []
    again = launch(home)  # the key comes back from the keychain
    assert again.ops.store.find_patients(sentinels.chart)


def test_idle_timeout_locks_and_the_locked_window_holds_no_patient_text(
    launch: Launch, qtbot: QtBot, sentinels: Sentinels
) -> None:
    """After the idle time the window locks; no widget text holds a sentinel."""
    window = launch()
    lock = window.app_lock
    lock.set_pin(PIN)
    open_chart(window, qtbot, sentinels)
    visit_id = window.ops.visit.id
    lock.set_idle_timeout_ms(200)
    qtbot.waitUntil(lambda: lock.locked, timeout=5000)
    assert lock.screen.isVisible()
    assert not window.centralWidget().isVisible()
    assert not window.clinic.isVisible()
    assert not window.search_notes_action.isEnabled()
    assert sentinels_in_widgets(sentinels) == []

    assert lock.try_unlock(PIN)
    assert window.ops.patient.chart_number == sentinels.chart
    assert window.ops.visit.id == visit_id
    assert window.centralWidget().isVisible()


def test_ctrl_l_locks_and_wrong_pins_wait_longer(launch: Launch, qtbot: QtBot) -> None:
    """Ctrl+L locks; after free mistypes each wrong PIN makes the next wait grow."""
    now = [1000.0]
    window = launch()
    lock = window.app_lock
    lock.clock = lambda: now[0]
    lock.set_pin(PIN)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.locked
    assert not lock.try_unlock("0000")
    assert not lock.try_unlock("1111")
    assert not lock.try_unlock("2222")  # third mistake: wait 2 s
    assert not lock.try_unlock(PIN)  # refused while waiting, even the right PIN
    assert "wait" in lock.screen.message.text().lower()
    now[0] += 2.5
    qtbot.keyClicks(lock.screen.pin, PIN)
    qtbot.keyClick(lock.screen.pin, Qt.Key.Key_Return)
    assert not lock.locked
    assert [unlock_delay(n) for n in (1, 2, 3, 4, 5, 20)] == [0, 0, 2, 4, 8, 300]
    events = [e.event for e in window.ops.store.audit_log()]
    assert events.count("unlock_failed") == 3
    assert events[-1] == "unlock" and "lock" in events


def test_require_unlock_is_a_no_op_without_a_pin(launch: Launch) -> None:
    """require_unlock() passes when no PIN is set and locks when one is."""
    window = launch()
    assert window.app_lock.require_unlock() is True
    assert not window.app_lock.locked
    window.app_lock.set_pin(PIN)
    assert window.app_lock.require_unlock() is False
    assert window.app_lock.locked
    assert window.app_lock.try_unlock(PIN)


def test_pin_is_stored_only_as_an_argon2id_hash(launch: Launch) -> None:
    """The PIN itself is nowhere in the database row, only its argon2id hash."""
    window = launch()
    window.app_lock.set_pin(PIN)
    stored = window.ops.store.security_setting("pin_hash")
    assert stored.startswith("$argon2id$") and PIN not in stored
    assert pin_matches(stored, PIN) and not pin_matches(stored, "4822")
    assert not pin_matches("not a hash", PIN)
    assert hash_pin(PIN) != stored  # salted
    with pytest.raises(ValueError):
        window.app_lock.set_pin("12")


def test_opening_a_patient_and_unlocking_are_audited(
    launch: Launch, sentinels: Sentinels
) -> None:
    """open patient, lock, failed unlock and unlock appear in the audit log."""
    window = launch()
    patient = window.ops.create_patient(chart_number=sentinels.chart).value
    window.ops.open_patient(None)
    window.ops.open_patient(patient.id)
    window.app_lock.set_pin(PIN)
    window.app_lock.lock()
    window.app_lock.try_unlock("9999")
    window.app_lock.try_unlock(PIN)
    rows = [(e.event, e.record_id) for e in window.ops.store.audit_log()]
    assert rows[:2] == [("open_patient", patient.id), ("open_patient", patient.id)]
    events = [event for event, _ in rows]
    assert events[2:] == ["set_pin", "lock", "unlock_failed", "unlock", "open_patient"]
    ok, _bad = window.ops.store.verify_audit_chain()
    assert ok


def test_audit_log_dialog_lists_rows_and_says_intact(
    launch: Launch, qtbot: QtBot
) -> None:
    """Help → Audit log… shows the rows, newest first, and the chain's state."""
    window = launch()
    window.ops.store.audit("backup", "b1")
    window.app_lock.show_audit_log()
    dialog = window.app_lock.audit_dialog
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == "backup"
    with qtbot.waitSignal(dialog.checked, timeout=30_000) as result:
        pass  # the chain is verified on a worker
    assert result.args == [True, None]
    assert "intact" in dialog.status.text()
    dialog.close()


def test_the_chain_is_verified_off_the_gui_thread(
    launch: Launch, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long chain (0.65 s per 200,000 rows) no longer freezes the window: the
    rows show at once and the verdict follows; an altered row is named."""
    window = launch()
    store = window.ops.store
    for n in range(3):
        store.audit("backup", f"b{n}")
    release = threading.Event()
    threads: list[int] = []
    real_verify = audit.verify

    def held_verify(conn: Any) -> tuple[bool, int | None]:
        threads.append(threading.get_ident())
        assert release.wait(30), "test never released"
        return real_verify(conn)

    monkeypatch.setattr(audit, "verify", held_verify)
    window.app_lock.show_audit_log()
    dialog = window.app_lock.audit_dialog
    assert dialog.table.rowCount() == 3  # shown while the check is held
    assert dialog.status.text() == window.state.strings.t("security.audit_checking")
    qtbot.wait(50)  # the event loop runs meanwhile
    with qtbot.waitSignal(dialog.checked, timeout=30_000) as result:
        release.set()
    assert result.args == [True, None]
    assert threads and threading.get_ident() not in threads
    dialog.close()

    # Alter a row behind the app's back: the dialog names it.
    writer = connect(store.path, store.key)
    writer.execute("DROP TRIGGER audit_log_refuse_update")
    writer.execute("UPDATE audit_log SET record_id = 'forged' WHERE record_id = 'b1'")
    writer.commit()
    (bad,) = writer.execute(
        "SELECT id FROM audit_log WHERE record_id = 'forged'"
    ).fetchone()
    writer.close()
    window.app_lock.show_audit_log()
    dialog = window.app_lock.audit_dialog
    with qtbot.waitSignal(dialog.checked, timeout=30_000) as result:
        pass
    assert result.args == [False, bad]
    assert dialog.status.text() == window.state.strings.t("security.audit_bad", row=bad)
    dialog.close()


def test_without_a_keychain_the_app_asks_for_a_passphrase(
    launch: Launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No keychain: first run chooses a passphrase; a wrong one is asked again."""
    from keyring.backends import fail

    import companion.app as app_module
    from companion.store.keys import set_keychain
    from companion.ui import passphrase

    monkeypatch.delenv("COMPANION_KEYRING")
    set_keychain(fail.Keyring())
    answers = ["clinic passphrase 1"]
    asked: list[tuple[bool, str]] = []

    def fake_ask(new: bool, _t, message: str = "", parent=None) -> str | None:
        asked.append((new, message))
        return answers.pop(0)

    monkeypatch.setattr(passphrase, "ask_passphrase", fake_ask)
    home = tmp_path / "home"
    window = launch(home)
    assert window.ops.store.encrypted
    window.ops.create_patient(initials="PW")
    window.close()
    assert asked == [(True, "")]

    answers[:] = ["not the passphrase", "clinic passphrase 1"]
    again = launch(home)
    assert again.ops.store.find_patients("PW")
    assert [new for new, _ in asked[1:]] == [False, False]
    assert "does not unlock" in asked[2][1]
    again.close()

    answers[:] = ["wrong"] * app_module.PASSPHRASE_TRIES
    with pytest.raises(app_module.StartupError):
        launch(home)


def test_idle_minutes_setting_is_clamped_applied_and_kept(
    launch: Launch, tmp_path: Path
) -> None:
    """The idle-lock time set from the File menu applies now and at the next start."""
    home = tmp_path / "clinic"
    window = launch(home)
    lock = window.app_lock
    lock.save_idle_minutes(12)
    assert lock.idle_timer.interval() == 12 * 60_000
    lock.save_idle_minutes(0)  # out of range: the shortest allowed
    assert lock.idle_timer.interval() == 60_000
    lock.save_idle_minutes(9)
    window.close()
    again = launch(home)
    assert again.app_lock.idle_timer.interval() == 9 * 60_000
