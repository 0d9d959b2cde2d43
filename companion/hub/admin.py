"""Setting up a hub: its database, schema steps, the room group, one role a room."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from companion.hub.schema import ROOM_GROUP, migrate


def _connect(dsn: str, **overrides: Any) -> Any:
    import psycopg  # only the clinic-server tools and worker need it

    return psycopg.connect(dsn, autocommit=True, **overrides)


def _ident(name: str) -> Any:
    from psycopg import sql

    return sql.Identifier(name)


def setup(admin_dsn: str, database: str) -> list[str]:
    """Create the hub database (if new) and the room group; apply its steps."""
    from psycopg import sql

    with _connect(admin_dsn) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(_ident(database)))
        role = conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (ROOM_GROUP,)
        ).fetchone()
        if not role:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(_ident(ROOM_GROUP)))
    with _connect(admin_dsn, dbname=database) as conn:
        # No one but the owner and the rooms may even connect to the hub.
        conn.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(_ident(database))
        )
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                _ident(database), _ident(ROOM_GROUP)
            )
        )
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        conn.execute(
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(_ident(ROOM_GROUP))
        )
        return migrate(conn)


@dataclass(frozen=True)
class RoomLogin:
    """What a room needs to join: its role, and a password shown only once."""

    role: str
    password: str = field(repr=False)


def new_password(length: int = 32) -> str:
    """A room password of letters and digits: read aloud or typed without
    surprises (token_urlsafe's '-' first made it look like an option)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def add_room(admin_dsn: str, database: str, role: str, label: str = "") -> RoomLogin:
    """A login role for one room, in the room group only: it can push and pull."""
    from psycopg import sql

    password = new_password()
    with _connect(admin_dsn, dbname=database) as conn, conn.transaction():
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                _ident(role), sql.Literal(password), _ident(ROOM_GROUP)
            )
        )
        conn.execute(
            "INSERT INTO hub_rooms (role_name, label) VALUES (%s, %s)", (role, label)
        )
    return RoomLogin(role, password)


def verify_audit(admin_dsn: str, database: str) -> dict[str, tuple[bool, int | None]]:
    """Recompute every room's audit chain on the hub: room id → (ok, first bad id)."""
    from companion.store.replication import verify_chains

    with _connect(admin_dsn, dbname=database) as conn:
        rows = conn.execute(
            "SELECT room_id, (payload->>'id')::bigint, payload->>'at',"
            " payload->>'event', payload->>'record_id', payload->>'prev_hash',"
            " payload->>'hash' FROM hub_rows WHERE kind = 'audit'"
            " ORDER BY room_id, (payload->>'id')::bigint"
        )
        return verify_chains(rows)
