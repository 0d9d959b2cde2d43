"""Joining a room to the clinic server: pin its certificate, keep the login safe."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from companion.hub.client import HubAddress, HubClient, fetch_certificate, fingerprint
from companion.hub.errors import HubError
from companion.store import keys
from companion.store.cipher import ensure_private_file, make_private

SERVICE = "SpineCompanion clinic server"


def config_path(db_path: Path) -> Path:
    """<db>.clinic-server.json: the hub's address and certificate fingerprint."""
    return db_path.with_name(db_path.name + ".clinic-server.json")


def certificate_path(db_path: Path) -> Path:
    """<db>.clinic-server.pem: the certificate pinned when the room joined."""
    return db_path.with_name(db_path.name + ".clinic-server.pem")


@dataclass(frozen=True)
class Joined:
    """A room's tie to its hub (never holds the password)."""

    url: str
    fingerprint: str


def _write_private(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.partial")
    temp.unlink(missing_ok=True)
    ensure_private_file(temp)
    with open(temp, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
    make_private(path)


def _keep_password(url: str, password: str) -> None:
    """The login goes to the OS keychain, like the database key, or not at all."""
    try:
        keys.keychain().set_password(SERVICE, url, password)
    except Exception as exc:  # keyring's backends raise their own kinds
        raise HubError("no_keychain", str(exc)) from exc


@dataclass(frozen=True)
class Offered:
    """The certificate a server shows, fetched before anything is pinned."""

    url: str
    pem: str

    @property
    def fingerprint(self) -> str:
        """What the user compares with the administrator's `openssl x509` one."""
        return fingerprint(self.pem)


def check(url: str) -> Offered:
    """The server's certificate, to show before joining; raises HubError."""
    address = HubAddress.parse(url)
    # Checked first: a room that cannot keep its login must not half-join.
    if not keys.keychain_available():
        raise HubError("no_keychain")
    return Offered(address.url, fetch_certificate(address))


def join(
    db_path: Path,
    url: str,
    password: str,
    room_id: str,
    offered: Offered | None = None,
) -> Joined:
    """Pin the certificate (offered: the one the user compared), bind the login.

    Raises HubError. The first upload is the outbox draining (m0009 queued
    every existing row), so it is resumable and can follow in the worker.
    """
    if offered is None:
        offered = check(url)
    address = HubAddress.parse(offered.url)
    if not keys.keychain_available():
        raise HubError("no_keychain")
    pem = offered.pem
    cert = certificate_path(db_path)
    _write_private(cert, pem)
    client = HubClient(address, password, cert)
    try:
        client.join(room_id)
    finally:
        client.close()
    _keep_password(address.url, password)
    joined = Joined(address.url, fingerprint(pem))
    _write_private(config_path(db_path), json.dumps(joined.__dict__, indent=2))
    return joined


def pinned_fingerprint(db_path: Path) -> str:
    """The fingerprint of the certificate pinned now ('' if none is)."""
    try:
        return fingerprint(certificate_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""


def repin(db_path: Path, offered: Offered) -> Joined:
    """Trust the server's new certificate (the user compared its fingerprint)."""
    tie = joined(db_path)
    if tie is None or HubAddress.parse(offered.url).url != tie.url:
        raise HubError("bad_address")  # only the joined server is re-pinned
    _write_private(certificate_path(db_path), offered.pem)
    again = Joined(tie.url, offered.fingerprint)
    _write_private(config_path(db_path), json.dumps(again.__dict__, indent=2))
    return again


def leave(db_path: Path) -> None:
    """Untie the room: no address, no pinned certificate, no login kept.

    The tie goes first, so a room stopped half-way is already single-room;
    its records (and rows never sent) stay in its own database.
    """
    tie = joined(db_path)
    config_path(db_path).unlink(missing_ok=True)
    certificate_path(db_path).unlink(missing_ok=True)
    if tie is not None:
        # The login may already be gone (a keychain reset): nothing to remove.
        with contextlib.suppress(Exception):
            keys.keychain().delete_password(SERVICE, tie.url)


def joined(db_path: Path) -> Joined | None:
    """The hub this room joined, or None (a single-room clinic)."""
    try:
        data = json.loads(config_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Joined(data["url"], data["fingerprint"])


def client_for(db_path: Path) -> HubClient | None:
    """A client for the joined hub with the login from the keychain, or None."""
    tie = joined(db_path)
    if tie is None:
        return None
    password = keys.keychain().get_password(SERVICE, tie.url) or ""
    return HubClient(HubAddress.parse(tie.url), password, certificate_path(db_path))
