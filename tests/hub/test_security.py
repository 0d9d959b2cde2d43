"""Wrong certificate, wrong password, a login without rights: a clear message,
and the room keeps saving locally. The hub itself never lets a row change."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from companion.hub.client import HubAddress, HubClient
from companion.hub.errors import MESSAGES, HubError
from companion.hub.join import certificate_path, join
from companion.store import replication
from tests.hub import pg
from tests.hub.conftest import Hub, Room


def _still_saves_locally(room: Room) -> None:
    patient = room.store.create_patient(chart_number="L-1", initials="LL")
    visit = room.store.start_visit(patient.id, pain=4)
    room.store.save_note(visit.id, "S", "saved while the hub says no")
    assert room.store.current_notes(visit.id)["S"].text.startswith("saved")
    assert replication.waiting(room.conn) > 0


def _sync_error(room: Room, client: HubClient) -> HubError:
    with pytest.raises(HubError) as failed:
        replication.sync(room.conn, room.path, client)
    return failed.value


def test_a_server_with_another_certificate_is_refused(hub: Hub) -> None:
    """The pinned certificate no longer matches: nothing is sent."""
    a = hub.room("a")
    stranger, _ = pg.make_certificate(a.path.parent, "stranger")
    shutil.copy(stranger, certificate_path(a.path))
    error = _sync_error(a, a.client)
    assert error.key == "wrong_certificate"
    assert str(error) == MESSAGES["wrong_certificate"]
    _still_saves_locally(a)


def test_a_wrong_password_is_refused_with_a_clear_message(hub: Hub) -> None:
    """The login's password is wrong: the message says so, work stays here."""
    a = hub.room("a")
    wrong = HubClient(a.client.address, "not-the-password", a.client.certificate)
    error = _sync_error(a, wrong)
    assert error.key == "wrong_password"
    _still_saves_locally(a)


def test_a_login_without_room_rights_cannot_push_or_pull(hub: Hub) -> None:
    """A login that is not a room of this hub: refused, and told why."""
    a = hub.room("a")
    role = f"{hub.database}_nobody"
    with psycopg.connect(hub.server.admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-without-rights'")
        conn.execute(f"GRANT CONNECT ON DATABASE {hub.database} TO {role}")
    address = HubAddress.parse(hub.url(role))
    nobody = HubClient(address, "pw-without-rights", a.client.certificate)
    error = _sync_error(a, nobody)
    assert error.key == "no_rights", error.detail
    _still_saves_locally(a)


def test_a_room_cannot_join_as_another_or_write_rows_directly(hub: Hub) -> None:
    """A login is bound to its room; its only way in is the hub's functions."""
    a = hub.room("a")
    with pytest.raises(HubError) as taken:
        a.client.join("someone-else")
    assert taken.value.key == "other_room"
    conn = a.client._connection()
    for statement in (
        "SELECT * FROM hub_rows",
        "UPDATE hub_rows SET payload = '{}'",
        "DELETE FROM hub_rows",
        "INSERT INTO hub_rows (row_id, room_id, kind, payload)"
        " VALUES ('x', 'y', 'note', '{}')",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_the_hub_refuses_a_broken_audit_chain_and_any_change(hub: Hub) -> None:
    """A tampered audit row is refused on entry; even the owner cannot edit rows."""
    a = hub.room("a")
    a.store.audit("open_patient", "p1")
    a.sync()
    a.store.audit("open_patient", "p2")
    (row_id,) = a.conn.execute("SELECT row_id FROM sync_outbox").fetchone()
    tampered = {
        "kind": "audit",
        "row_id": replication.hub_key(a.room_id, "audit", row_id, "tampered"),
    }
    cursor = a.conn.execute("SELECT * FROM audit_log WHERE id = 2")
    payload = dict(
        zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True)
    )
    payload["record_id"] = "someone-else"
    with pytest.raises(HubError) as refused:
        a.client.push([{**tampered, "payload": payload}])
    assert refused.value.key == "refused"
    a.sync()  # the true row still goes
    with (
        psycopg.connect(hub.server.admin_dsn, dbname=hub.database) as conn,
        pytest.raises(psycopg.errors.RaiseException),
    ):
        conn.execute("UPDATE hub_rows SET payload = '{}'")


def test_a_plain_connection_is_not_accepted(hub: Hub) -> None:
    """Only TLS: a room that tried without it is turned away by the server."""
    hub.room("a")
    role, password = hub.add_login("plain")
    with pytest.raises(psycopg.OperationalError, match=r"pg_hba\.conf"):
        psycopg.connect(
            host="127.0.0.1", port=hub.server.port, dbname=hub.database,
            user=role, password=password, sslmode="disable",
        )  # fmt: skip


def test_joining_with_a_wrong_password_leaves_the_room_unjoined(hub: Hub) -> None:
    """Join checks the server first: a wrong password says so and records nothing."""
    b = hub.room("b", joined=False)
    role, _ = hub.add_login("b")
    with pytest.raises(HubError) as failed:
        join(b.path, hub.url(role), "wrong", b.room_id)
    assert failed.value.key == "wrong_password"
    from companion.hub.join import joined

    assert joined(b.path) is None
    _still_saves_locally(b)


def test_a_computer_without_a_keychain_does_not_half_join(hub: Hub) -> None:
    """No keychain for the login: a clear message, no pinned file, nothing bound."""
    from keyring.backends import fail

    from companion.hub.join import config_path, joined
    from companion.store import keys

    c = hub.room("c", joined=False)
    role, password = hub.add_login("c")
    keys.set_keychain(fail.Keyring())
    try:
        with pytest.raises(HubError) as failed:
            join(c.path, hub.url(role), password, c.room_id)
    finally:
        keys.set_keychain(None)
    assert failed.value.key == "no_keychain"
    assert "keychain" in str(failed.value)
    assert joined(c.path) is None
    assert not config_path(c.path).exists()
    assert not certificate_path(c.path).exists()
    _still_saves_locally(c)
    # Once a keychain is there, the same login joins: nothing was bound before.
    keys.install_keyring_from_env()
    assert join(c.path, hub.url(role), password, c.room_id).url
