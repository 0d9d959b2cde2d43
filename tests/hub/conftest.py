"""Fixtures for the clinic-server tests: a real PostgreSQL hub, rooms joined to it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from companion.hub import admin
from companion.hub.client import HubClient
from companion.hub.join import client_for, join
from companion.store import replication
from companion.store.database import Store, open_store
from tests.hub import pg


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.Server]:
    """One PostgreSQL 15 cluster for the whole run (each test gets its own hub)."""
    if not pg.available():
        reason = "PostgreSQL 15 server binaries are not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (required under CI)")
        pytest.skip(reason)
    server = pg.create_server()
    try:
        yield server
    finally:
        pg.destroy(server)


@dataclass
class Room:
    """One exam room: its own store, joined to the hub."""

    name: str
    path: Path
    store: Store
    client: HubClient

    @property
    def conn(self):
        return self.store.conn

    @property
    def room_id(self) -> str:
        return replication.room_id(self.conn)

    def sync(self) -> replication.SyncReport:
        return replication.sync(self.conn, self.path, self.client)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.store.close()


@dataclass
class Hub:
    """A fresh hub database on the shared cluster, and a maker of rooms."""

    server: pg.Server
    database: str
    folder: Path
    rooms: list[Room] = field(default_factory=list)
    logins: dict[str, str] = field(default_factory=dict)

    def add_login(self, name: str) -> tuple[str, str]:
        role = f"{self.database}_{name}"
        login = admin.add_room(self.server.admin_dsn, self.database, role, name)
        self.logins[name] = login.password
        return role, login.password

    def url(self, role: str) -> str:
        return self.server.url(role, self.database)

    def room(self, name: str, *, joined: bool = True) -> Room:
        path = self.folder / name / "companion.db"
        store = open_store(path)
        if joined:
            role, password = self.add_login(name)
            join(path, self.url(role), password, replication.room_id(store.conn))
        client = client_for(path)
        room = Room(name, path, store, client)  # type: ignore[arg-type]
        self.rooms.append(room)
        return room

    def reopen(self, room: Room) -> Room:
        room.close()
        self.rooms.remove(room)
        store = open_store(room.path)
        again = Room(room.name, room.path, store, client_for(room.path))  # type: ignore[arg-type]
        self.rooms.append(again)
        return again


@pytest.fixture
def hub(pg_server: pg.Server, tmp_path: Path) -> Iterator[Hub]:
    """A new hub database (set up by the admin tool) for one test."""
    if not pg_server.running():
        pg_server.start()  # a test that stopped it failed before restarting
    database = f"hub_{uuid.uuid4().hex[:10]}"
    admin.setup(pg_server.admin_dsn, database)
    made = Hub(pg_server, database, tmp_path)
    try:
        yield made
    finally:
        for room in made.rooms:
            room.close()


RoomMaker = Callable[[str], Room]
