"""Bench rows for the clinic server: lag, throughput, catch-up, the save's cost.

Run only where PostgreSQL 15 is installed: a throwaway cluster is started on
loopback with TLS (companion.hub.scratch_server) and removed afterwards.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from companion.bench import Row, Size, median, percentile

# The worker's pace while saves keep coming (clinic_server_sync.AFTER_SAVE_MS).
AFTER_SAVE_S = 0.3


def _migrations_without_sync() -> Any:
    from companion.store import migrations

    before = migrations.Migrations()
    for name in migrations.MIGRATIONS.names:
        if name != "m0009_record_revisions_and_sync":
            before(getattr(migrations, name))
    return before


class _Clinic:
    """A hub database on the scratch cluster, and rooms joined to it."""

    def __init__(self, server: Any, folder: Path, name: str) -> None:
        from companion.hub import admin

        self.server, self.folder, self.database = server, folder, name
        admin.setup(server.admin_dsn, name)
        self.rooms: list[tuple[Any, Any]] = []

    def room(self, name: str) -> tuple[Any, Any]:
        from companion.hub import admin
        from companion.hub.client import HubAddress, HubClient, fetch_certificate
        from companion.store import replication
        from companion.store.database import open_store

        path = self.folder / self.database / name / "companion.db"
        store = open_store(path)
        role = f"{self.database}_{name}"
        login = admin.add_room(self.server.admin_dsn, self.database, role)
        address = HubAddress.parse(self.server.url(role, self.database))
        pem = path.with_name("hub.pem")
        pem.write_text(fetch_certificate(address), encoding="utf-8")
        # Not hub.join.join: the bench never writes to the real OS keychain.
        client = HubClient(address, login.password, pem)
        client.join(replication.room_id(store.conn))
        self.rooms.append((store, client))
        return store, client

    def close(self) -> None:
        for store, client in self.rooms:
            client.close()
            store.close()


def _push_all(store: Any, client: Any) -> None:
    from companion.store import replication

    while replication.push_batch(store.conn, store.path, client):
        pass


def _pull_all(store: Any, client: Any) -> int:
    from companion.store import replication

    total = 0
    while got := replication.pull_batch(store.conn, store.path, client):
        total += got
    return total


def _visits(store: Any, count: int, chart: str, day: date | None = None) -> None:
    for n in range(count):
        patient = store.create_patient(chart_number=f"{chart}-{n}", initials="BX")
        visit = store.start_visit(patient.id, day, pain=n % 11, regions=["lumbar"])
        store.save_note(visit.id, "S", f"Low back pain, visit {n}.")
        store.save_note(visit.id, "P", "Walk daily; review in two weeks.")


def _lag_rows(clinic: _Clinic, samples: int) -> list[Row]:
    a, a_hub = clinic.room("lag_a")
    b, b_hub = clinic.room("lag_b")
    patient = a.create_patient(chart_number="LAG-1", initials="LG")
    visit = a.start_visit(patient.id, pain=3)
    _push_all(a, a_hub)
    _pull_all(b, b_hub)
    lags: list[float] = []
    for i in range(samples):
        began = time.perf_counter()
        saved = a.save_note(visit.id, "S", f"lag sample {i}")
        _push_all(a, a_hub)
        seen = None
        while seen is None:
            _pull_all(b, b_hub)
            seen = b.conn.execute(
                "SELECT 1 FROM note_revisions WHERE id = ?", (saved.id,)
            ).fetchone()
        lags.append((time.perf_counter() - began) * 1000)
    note = (
        f"save in room A → visible in room B, one push + pull each (loopback, TLS);"
        f" the worker's round (every 5 s, 0.3 s after a save) adds to it; {samples}"
    )
    return [
        Row(
            f"replication lag {name}",
            value,
            1000.0,
            "ms",
            "≤ 1 s of round work",
            value <= 1000.0,
            note,
            baseline_label="budget 1 s",
        )
        for name, value in (
            ("p50", percentile(lags, 50)),
            ("p95", percentile(lags, 95)),
        )
    ]


def _throughput_row(clinic: _Clinic, rooms: int, per_room: int) -> Row:
    from companion.store import replication

    made = time.perf_counter()
    stores = [clinic.room(f"day_{n}") for n in range(rooms)]
    for n, (store, _) in enumerate(stores):
        _visits(store, per_room, f"R{n}")
    local = time.perf_counter() - made
    began = time.perf_counter()
    for store, client in stores:
        _push_all(store, client)
    reader, reader_hub = clinic.room("day_reader")
    rows = _pull_all(reader, reader_hub)
    replay = time.perf_counter() - began
    assert replication.waiting(reader.conn) == 0
    return Row(
        f"replication throughput ({rooms} rooms × {per_room} visits)",
        replay,
        local,
        "s",
        "≤ 1× typing them in",
        replay <= local,
        f"{rows:,} rows pushed by every room then pulled by one"
        f" ({rows / replay:,.0f} rows/s); baseline = the rooms' own saves",
    )


def _catch_up_row(clinic: _Clinic, per_day: int) -> Row:
    busy, busy_hub = clinic.room("month")
    start = date(2026, 1, 5)
    for day in range(30):
        _visits(busy, per_day, f"M{day}", start + timedelta(days=day))
        _push_all(busy, busy_hub)
    away, away_hub = clinic.room("away")
    began = time.perf_counter()
    rows = _pull_all(away, away_hub)
    took = time.perf_counter() - began
    return Row(
        f"catch-up after 30 days away ({30 * per_day:,} visits)",
        took,
        60.0,
        "s",
        "≤ 60 s",
        took <= 60.0,
        f"a new room pulls and applies all {rows:,} rows on the hub (this month"
        " and the rows above) in batches of 500",
        baseline_label="budget 60 s",
    )


def _save_cost_row(clinic: _Clinic, work: Path, runs: int) -> Row:
    from companion.store import replication
    from companion.store.database import open_store

    on, on_hub = clinic.room("save_on")
    off_path = work / "save_off" / "companion.db"
    shutil.rmtree(off_path.parent, ignore_errors=True)
    off = open_store(off_path, migrations=_migrations_without_sync())
    stop = threading.Event()

    def replicate() -> None:
        # The worker as the app runs it: its own connection, rounds meanwhile.
        conn = replication.open_worker_connection(on.path, None)
        try:
            while not stop.wait(AFTER_SAVE_S):
                replication.sync_some(conn, on.path, on_hub)
        finally:
            conn.close()

    patients = {
        "on": on.create_patient(chart_number="SAVE-1").id,
        "off": off.create_patient(chart_number="SAVE-1").id,
    }
    jobs: list[tuple[str, Callable[[], object]]] = [
        (name, lambda s=store, p=patients[name]: _one_save(s, p))
        for name, store in (("on", on), ("off", off))
    ]
    times: dict[str, list[float]] = {"on": [], "off": []}
    worker = threading.Thread(target=replicate, name="bench-replication")
    worker.start()
    try:
        for i in range(runs + 2):
            for name, job in jobs[i % 2 :] + jobs[: i % 2]:
                began = time.perf_counter()
                job()
                if i >= 2:
                    times[name].append((time.perf_counter() - began) * 1000)
    finally:
        stop.set()
        worker.join()
        off.close()
    value, base = median(times["on"]), median(times["off"])
    return Row(
        "save with replication on (vs off)",
        value,
        base,
        "ms",
        "≤ 1.1×",
        value / base <= 1.1,
        "start a visit + save a note; on = m0009's revisions and outbox, a"
        " worker syncing with the hub meanwhile; off = the schema before m0009;"
        f" plain files; {len(times['on'])} each",
    )


def _one_save(store: Any, patient_id: str) -> None:
    visit = store.start_visit(patient_id, pain=4, regions=["lumbar"])
    store.save_note(visit.id, "S", "Bench note: low back pain after lifting.")


def bench_clinic_server(size: Size, work: Path) -> list[Row]:
    """Every clinic-server row, or one saying why they were not measured."""
    from companion.hub import scratch_server

    if not scratch_server.available():
        return [
            Row(
                "clinic server",
                None,
                None,
                "",
                "PostgreSQL 15 installed",
                None,
                "not measured: no PostgreSQL 15 server binaries here",
            )
        ]
    small = size.name == "tiny"
    folder = work / "clinic-server"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    server = scratch_server.create_server()
    clinic = _Clinic(server, folder, "bench_hub")
    try:
        rows = _lag_rows(clinic, 20 if small else 100)
        rows.append(_throughput_row(clinic, 10, 10 if small else 100))
        rows.append(_catch_up_row(clinic, 3 if small else 100))
        rows.append(_save_cost_row(clinic, folder, max(100, size.save_runs)))
        return rows
    finally:
        clinic.close()
        scratch_server.destroy(server)
