"""File → Clinic server…: the fingerprint before joining, leaving, a new certificate."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from companion.hub.client import fingerprint
from companion.hub.join import (
    SERVICE,
    certificate_path,
    config_path,
    joined,
    pinned_fingerprint,
)
from companion.store import keys, replication
from companion.ui.clinic_server_dialog import ClinicServerDialog, two_lines
from tests.hub import pg
from tests.hub.conftest import Hub


def _server_fingerprint(hub: Hub) -> str:
    return fingerprint((hub.server.root / "server.crt").read_text())


def _dialog(window: Any, qtbot: Any, url: str = "") -> ClinicServerDialog:
    dialog = ClinicServerDialog(window.context, window.clinic_server.sync, url)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _assert_laid_out(dialog: ClinicServerDialog, qtbot: Any) -> None:
    """The words, then the whole fingerprint, each at its full height, apart.

    Under Xvfb the shown dialog kept its first size: the fingerprint's lines
    were cut and the words over it overlapped.
    """
    words, print_ = dialog.result_label, dialog.fingerprint_label

    def fits() -> bool:
        return (
            words.height() >= words.heightForWidth(words.width())
            and print_.height() >= print_.sizeHint().height()
            and words.geometry().bottom() < print_.geometry().top()
        )

    qtbot.waitUntil(fits, timeout=5000)


def _join(window: Any, qtbot: Any, hub: Hub) -> ClinicServerDialog:
    role, password = hub.add_login("ui")
    dialog = _dialog(window, qtbot, hub.url(role))
    dialog.password.setText(password)
    dialog.check_button.click()
    qtbot.waitUntil(dialog.join_button.isVisible, timeout=20000)
    dialog.join_button.click()
    label = window.clinic_server.label
    qtbot.waitUntil(lambda: label.text() == "Clinic server: in step", timeout=30000)
    return dialog


def test_the_fingerprint_is_shown_before_anything_is_pinned(
    launch: Any, qtbot: Any, hub: Hub, tmp_path: Path
) -> None:
    """Check shows the server's fingerprint; only Trust and join pins it."""
    window = launch(tmp_path / "room")
    store = window.ops.store
    role, password = hub.add_login("ui")
    dialog = _dialog(window, qtbot, hub.url(role))
    dialog.password.setText(password)
    assert dialog.join_button.isHidden()
    dialog.check_button.click()
    qtbot.waitUntil(dialog.join_button.isVisible, timeout=20000)
    expected = _server_fingerprint(hub)
    assert dialog.fingerprint_label.text() == f"Fingerprint: {two_lines(expected)}"
    assert two_lines(expected).replace("\n", ":").strip(":") == expected
    assert dialog.join_button.text() == "Trust and join"
    assert "openssl x509 -fingerprint -sha256" in dialog.result_label.text()
    _assert_laid_out(dialog, qtbot)
    # Shown, not pinned: no certificate, no tie, no login kept yet.
    assert not certificate_path(store.path).exists()
    assert joined(store.path) is None
    # Another address: what was shown no longer applies.
    dialog.address.setText(hub.url(role) + "x")
    assert dialog.join_button.isHidden() and dialog.fingerprint_label.isHidden()
    dialog.address.setText(hub.url(role))
    dialog.check_button.click()
    qtbot.waitUntil(dialog.join_button.isVisible, timeout=20000)
    dialog.join_button.click()
    qtbot.waitUntil(lambda: joined(store.path) is not None, timeout=20000)
    assert pinned_fingerprint(store.path) == expected
    # The tie is written on the worker; the dialog hears of it a moment later.
    qtbot.waitUntil(dialog.leave_button.isVisible, timeout=20000)
    assert dialog.result_label.text() == (
        "Joined. The certificate with the fingerprint below is pinned: "
        "this room talks only to that server."
    )
    assert dialog.fingerprint_label.text() == f"Fingerprint: {two_lines(expected)}"
    assert dialog.form.isHidden() and dialog.leave_button.isVisible()
    _assert_laid_out(dialog, qtbot)
    assert dialog.close_button.isDefault() and not dialog.leave_button.isDefault()
    label = window.clinic_server.label
    qtbot.waitUntil(lambda: label.text() == "Clinic server: in step", timeout=30000)


def test_leaving_keeps_every_record_and_works_single_room(
    launch: Any, qtbot: Any, hub: Hub, tmp_path: Path
) -> None:
    """Leave asks first, then stops the worker, drops the tie and the login."""
    window = launch(tmp_path / "room")
    store = window.ops.store
    other = hub.room("other")
    theirs = other.store.create_patient(chart_number="O-1", initials="OO")
    other.sync()
    dialog = _join(window, qtbot, hub)
    qtbot.waitUntil(lambda: store.get_patient(theirs.id) is not None, timeout=20000)
    url = joined(store.path).url
    assert keys.keychain().get_password(SERVICE, url)
    dialog.close()

    dialog = _dialog(window, qtbot)
    assert dialog.leave_button.isVisible()
    dialog.leave_button.click()
    box = dialog.leave_box
    assert url in box.text() and "keeps every record" in box.text()
    stay = next(b for b in box.buttons() if b is not dialog.leave_yes)
    stay.click()  # "Stay joined": nothing changes
    assert joined(store.path) is not None
    dialog.leave_button.click()
    dialog.leave_yes.click()
    sync = window.clinic_server.sync
    qtbot.waitUntil(lambda: not sync.running, timeout=20000)
    assert joined(store.path) is None
    assert not config_path(store.path).exists()
    assert not certificate_path(store.path).exists()
    assert keys.keychain().get_password(SERVICE, url) is None
    assert not sync.timer.isActive()
    label = window.clinic_server.label
    assert label.text() == "" and not label.isVisibleTo(window)
    assert dialog.result_label.text().startswith("This room left the clinic server.")
    assert dialog.leave_button.isHidden()
    # Every record stays; saving works as a single-room clinic.
    assert store.get_patient(theirs.id).chart_number == "O-1"
    mine = store.create_patient(chart_number="M-1", initials="MM")
    sync.after_save()
    qtbot.wait(800)  # a round would have run by now (0.3 s after a save)
    assert not sync.running and sync.status.state == "not_joined"
    other.sync()
    assert other.store.get_patient(mine.id) is None


def test_a_changed_certificate_is_trusted_only_after_both_are_shown(
    launch: Any, qtbot: Any, hub: Hub, tmp_path: Path
) -> None:
    """wrong_certificate: pinned and new fingerprints side by side, then re-pin."""
    window = launch(tmp_path / "room")
    store = window.ops.store
    dialog = _join(window, qtbot, hub)
    dialog.close()
    # The pinned certificate no longer matches what the server shows.
    stranger, _ = pg.make_certificate(tmp_path, "stranger")
    shutil.copy(stranger, certificate_path(store.path))
    sync = window.clinic_server.sync
    sync.rejoined()
    qtbot.waitUntil(lambda: sync.status.error_key == "wrong_certificate", timeout=30000)
    dialog = _dialog(window, qtbot)
    assert dialog.trust_new_button.isVisible()
    assert "certificate is not the one" in dialog.result_label.text()
    dialog.trust_new_button.click()
    qtbot.waitUntil(dialog.trust_button.isVisible, timeout=20000)
    old = fingerprint(stranger.read_text())
    new = _server_fingerprint(hub)
    assert dialog.fingerprint_label.text() == (
        f"Pinned: {two_lines(old)}\nNew: {two_lines(new)}"
    )
    assert "Trust it only if they match" in dialog.result_label.text()
    assert pinned_fingerprint(store.path) == old  # nothing pinned yet
    dialog.trust_button.click()
    assert pinned_fingerprint(store.path) == new
    assert joined(store.path).fingerprint == new
    label = window.clinic_server.label
    qtbot.waitUntil(lambda: label.text() == "Clinic server: in step", timeout=30000)
    assert replication.waiting(store.conn) == 0
