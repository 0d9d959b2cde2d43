"""A room's connection to the hub: TLS with the pinned certificate, four functions."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import ssl
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from companion.hub.errors import HubError, classify

DEFAULT_PORT = 5432
TIMEOUT_SECONDS = 5.0
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL's "let's talk TLS"


@dataclass(frozen=True)
class HubAddress:
    """Where the hub is and who this room logs in as."""

    host: str
    port: int
    database: str
    user: str

    @classmethod
    def parse(cls, url: str) -> HubAddress:
        """postgresql://room1@server:5432/companion_hub → its parts."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise HubError("bad_address") from None
        database = parts.path.lstrip("/")
        if parts.scheme not in ("postgresql", "postgres") or not (
            parts.hostname and parts.username and database
        ):
            raise HubError("bad_address")
        return cls(parts.hostname, port, unquote(database), unquote(parts.username))

    @property
    def url(self) -> str:
        """The canonical address, the keychain entry's name."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def fetch_certificate(address: HubAddress, timeout: float = TIMEOUT_SECONDS) -> str:
    """The server's certificate as PEM (asked for once, when the room joins)."""
    try:
        with socket.create_connection((address.host, address.port), timeout) as raw:
            raw.sendall(_SSL_REQUEST)
            if raw.recv(1) != b"S":
                raise HubError("not_allowed")  # the server offers no TLS at all
            context = ssl.create_default_context()
            # Trust on first use: the certificate is shown (its fingerprint)
            # and pinned; every later connection must present this very one.
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            with context.wrap_socket(raw) as tls:
                der = tls.getpeercert(binary_form=True)
    except OSError:
        raise HubError("unreachable") from None
    if der is None:
        raise HubError("not_allowed")
    return ssl.DER_cert_to_PEM_cert(der)


def fingerprint(pem: str) -> str:
    """SHA-256 of the certificate, as grouped hex to read out and compare."""
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


@dataclass(frozen=True)
class PulledRow:
    """One row from the hub, with its sequence number and the room that made it."""

    seq: int
    room_id: str
    kind: str
    row_id: str
    payload: dict[str, Any]


@dataclass
class HubClient:
    """One connection, opened on first use; every failure comes out as HubError."""

    address: HubAddress
    password: str = field(repr=False)
    certificate: Path  # the pinned PEM file
    timeout: float = TIMEOUT_SECONDS
    _conn: Any = field(default=None, repr=False)

    def _connection(self) -> Any:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        import psycopg  # lazily: a single-room clinic never loads it

        try:
            self._conn = psycopg.connect(
                host=self.address.host,
                port=self.address.port,
                dbname=self.address.database,
                user=self.address.user,
                password=self.password,
                sslmode="verify-ca",
                sslrootcert=str(self.certificate),
                connect_timeout=max(1, int(self.timeout)),
                application_name="spine-companion",
                autocommit=True,
            )
        except psycopg.Error as exc:
            raise classify(exc) from None
        return self._conn

    def _call(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        import psycopg

        reused = self._conn is not None and not self._conn.closed
        try:
            return self._connection().execute(sql, params).fetchall()
        except psycopg.OperationalError as exc:
            self.close()
            if not reused:
                raise classify(exc) from None
            # A connection kept from before the hub restarted: try once afresh
            # (every call is idempotent, so a repeat is harmless).
        except psycopg.Error as exc:
            self.close()
            raise classify(exc) from None
        try:
            return self._connection().execute(sql, params).fetchall()
        except psycopg.Error as exc:
            self.close()
            raise classify(exc) from None

    def join(self, room_id: str) -> None:
        """Bind this login to the room (once; a login of another room is refused)."""
        self._call("SELECT hub_join(%s)", (room_id,))

    def push(self, rows: list[dict[str, Any]]) -> int:
        """Send rows ({kind, row_id, payload}) in order; the number the hub lacked."""
        from psycopg.types.json import Jsonb

        ((added,),) = self._call("SELECT hub_push(%s)", (Jsonb(rows),))
        return int(added)

    def pull(self, after: int, limit: int) -> list[PulledRow]:
        """Rows after hub sequence `after`, oldest first, at most limit."""
        found = self._call(
            "SELECT * FROM hub_pull(%s::bigint, %s::integer)", (after, limit)
        )
        return [
            PulledRow(seq, room, kind, row_id, _payload(payload))
            for seq, room, kind, row_id, payload in found
        ]

    def tip(self) -> int:
        """The hub's newest sequence number."""
        ((tip,),) = self._call("SELECT hub_tip()", ())
        return int(tip)

    def close(self) -> None:
        """Close the connection (a later call opens a new one)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            # Closing a dead link cannot fail usefully.
            with contextlib.suppress(Exception):
                conn.close()


def _payload(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value
