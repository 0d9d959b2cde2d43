"""`python -m companion.bench`: measure the app against baselines run alongside it.

Every number is a median of several runs, and each is set against a baseline
measured in the same run (a bare Qt window, a raw SQLite commit, a LIKE scan), so
a busy or slow machine moves both sides and the ratio stays meaningful. Start-up
and memory run in fresh subprocesses; clicks, saves and searches run in-process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FRAME_MS = 16.0


@dataclass(frozen=True)
class Size:
    """How much work one bench run does."""

    name: str
    patients: int
    visits: int
    start_runs: int
    save_runs: int
    search_runs: int
    click_rounds: int
    open_runs: int
    chart_runs: int


SIZES = {
    "full": Size("full", 10_000, 100_000, 7, 60, 7, 3, 7, 7),
    "small": Size("small", 1_000, 10_000, 5, 30, 5, 2, 5, 5),
    # For the smoke test: every row, a few seconds, numbers meaningless.
    "tiny": Size("tiny", 120, 1_200, 1, 3, 1, 1, 1, 1),
}
# Common words (each in 8–41% of the generated notes) and rare clinical terms
# (about 0.5% each, like most words a clinician looks up).
COMMON_QUERIES = ("trigger points", "spurling", "quadratus", "lifting boxes", "setback")
RARE_QUERIES = ("warfarin", "scheuermann", "microdiscectomy")
SEARCH_QUERIES = COMMON_QUERIES + RARE_QUERIES
HEAVY_MODULES = ("pyqtgraph", "numpy", "pandas", "click", "companion.ui.progress_chart")


@dataclass(frozen=True)
class Row:
    """One line of the table; value/baseline in their unit, ratio value/baseline."""

    name: str
    value: float | None
    baseline: float | None
    unit: str
    target: str
    met: bool | None
    note: str = ""
    # For rows whose yardstick is a fixed budget rather than a measured baseline.
    baseline_label: str = ""
    faster_is_ratio: bool = False  # show baseline/value ("× faster") instead

    def ratio_text(self) -> str:
        if self.ratio is None:
            return "n/a"
        if self.faster_is_ratio:
            return f"{1 / self.ratio:.1f}× faster"
        return f"{self.ratio:.2f}×"

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: it is a time someone waited)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# -- start-up and memory: fresh processes ------------------------------------

_PROBE_HEAD = """
import os, sys, time
T0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QEvent, QObject, QTimer

def _rss():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024

class FirstPaint(QObject):
    def __init__(self, is_window):
        super().__init__()
        self.is_window, self.seen = is_window, False
    def eventFilter(self, obj, event):
        if (not self.seen and event.type() == QEvent.Type.Paint
                and obj.isWidgetType() and self.is_window(obj.window())):
            self.seen = True
            # Report after the whole first paint pass (children included) is done.
            QTimer.singleShot(0, self.report)
        return False
    def report(self):
        elapsed = time.perf_counter() - T0
        heavy = [m for m in os.environ["BENCH_HEAVY"].split(",") if m in sys.modules]
        print("BENCH " + repr((elapsed, _rss(), heavy)), flush=True)
        os._exit(0)
"""

_PROBE_BARE = (
    _PROBE_HEAD
    + """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([sys.argv[0]])
probe = FirstPaint(lambda top: top.objectName() == "bare")
app.installEventFilter(probe)
window = QLabel("Spine Companion", objectName="bare")
window.show()
app.exec()
"""
)

_PROBE_APP = (
    _PROBE_HEAD
    + """
if os.environ.get("BENCH_KEY_FILE"):
    # The bench's fictional clinic keeps its key in an in-process keychain.
    import json, keyring
    from companion.store import keys
    keys.install_keyring_from_env()
    saved = json.load(open(os.environ["BENCH_KEY_FILE"]))
    keyring.set_password(keys.SERVICE, saved["key_id"], saved["key"])
import companion.app as companion_app
app = companion_app.application()
probe = FirstPaint(lambda top: top.objectName() == "mainWindow")
app.installEventFilter(probe)
window = companion_app.build(sys.argv[1:])
app.exec()
"""
)


def _probe(
    code: str, args: Sequence[str], extra_env: dict[str, str] | None = None
) -> tuple[float, int, list[str]]:
    env = {
        **os.environ,
        **(extra_env or {}),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "BENCH_HEAVY": ",".join(HEAVY_MODULES),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    env["BENCH_T0"] = repr(time.perf_counter())
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH "):
            elapsed, rss, heavy = eval(line[6:], {})  # our own repr() of a tuple
            return float(elapsed), int(rss), list(heavy)
    raise RuntimeError(f"probe printed no result:\n{result.stdout}\n{result.stderr}")


def bench_start(size: Size, data_dir: Path) -> list[Row]:
    """Process start to first painted window, and RSS then, app vs a bare window."""
    app_args = ["--data-dir", str(data_dir)]
    key_file = _key_file(data_dir / "companion.db")
    app_env = (
        {"BENCH_KEY_FILE": str(key_file), "COMPANION_KEYRING": "memory"}
        if key_file.exists()
        else {}
    )
    _probe(_PROBE_BARE, [])  # warm-up: bytecode caches, first-run files
    _probe(_PROBE_APP, app_args, app_env)
    bare_t, app_t, bare_m, app_m = [], [], [], []
    heavy: set[str] = set()
    for _ in range(size.start_runs):
        t, m, _h = _probe(_PROBE_BARE, [])
        bare_t.append(t * 1000)
        bare_m.append(m / 2**20)
        t, m, h = _probe(_PROBE_APP, app_args, app_env)
        app_t.append(t * 1000)
        app_m.append(m / 2**20)
        heavy.update(h)
    note = "loaded before first paint: " + (", ".join(sorted(heavy)) or "none heavy")
    start_ratio = median(app_t) / median(bare_t)
    mem_ratio = median(app_m) / median(bare_m)
    return [
        Row(
            "start to first painted window",
            median(app_t),
            median(bare_t),
            "ms",
            "≤ 1.3× bare window",
            start_ratio <= 1.3,
            note,
        ),
        Row(
            "resident memory at first paint",
            median(app_m),
            median(bare_m),
            "MB",
            "≤ 1.5× bare window",
            mem_ratio <= 1.5,
        ),
    ]


# -- keys: the app keeps its database encrypted ----------------------------------


def _key_file(db_path: Path) -> Path:
    return db_path.with_name("bench-key.json")


def bench_key(db_path: Path) -> bytes | None:
    """The key for a bench database, made on first use and kept beside it.

    The app keeps its key in the OS keychain; the bench uses the store's
    in-process keychain and a file beside its fictional clinic instead, so every
    fresh process can open it without asking. None when the store has no keys.
    """
    try:
        import keyring

        from companion.store import keys
    except ImportError:
        return None
    os.environ[keys.ENV_KEYRING] = "memory"  # also inherited by the probes
    keys.install_keyring_from_env()
    key_file = _key_file(db_path)
    if key_file.exists():
        saved = json.loads(key_file.read_text())
    else:
        key = keys.database_key(db_path)
        info = keys.read_keyinfo(db_path)
        assert info is not None
        saved = {"key_id": info.key_id, "key": key.hex()}
        key_file.write_text(json.dumps(saved))
    keyring.set_password(keys.SERVICE, saved["key_id"], saved["key"])
    return bytes.fromhex(saved["key"])


def _open(db_path: Path, key: bytes | None) -> Any:
    from companion.store import open_store

    return open_store(db_path, key=key) if key else open_store(db_path)


# -- durable save vs raw sqlite ------------------------------------------------


def _raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS visits (id TEXT PRIMARY KEY, patient_id TEXT,"
        " visit_date TEXT, pain INTEGER, regions TEXT, levels TEXT, red_flags TEXT,"
        " created TEXT, updated TEXT)"
    )
    return conn


def _raw_insert(raw: sqlite3.Connection, patient_id: str) -> None:
    raw.execute("BEGIN IMMEDIATE")
    raw.execute(
        "INSERT INTO visits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            os.urandom(16).hex(),
            patient_id,
            "2025-01-01",
            5,
            '["lumbar"]',
            '["L4"]',
            "{}",
            "2025-01-01T00:00:00+00:00",
            "2025-01-01T00:00:00+00:00",
        ),
    )
    raw.execute("COMMIT")


def bench_save(size: Size, work: Path) -> list[Row]:
    """store.start_visit (one durable transaction) vs a raw INSERT + COMMIT.

    The encrypted store (as the app opens it), a plain store and the raw baseline
    take turns in one loop, so disk hiccups fall on all three alike.
    """
    folder = work / "save"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    stores: dict[str, Any] = {}
    encrypted_db = folder / "encrypted" / "companion.db"
    encrypted_db.parent.mkdir()
    key = bench_key(encrypted_db)
    if key is not None:
        stores["encrypted, as the app saves"] = _open(encrypted_db, key)
    stores["plain file"] = _open(folder / "plain" / "companion.db", None)
    raw = _raw_connection(folder / "raw.db")
    times: dict[str, list[float]] = {name: [] for name in [*stores, "raw"]}
    try:
        patients = {
            name: store.create_patient(chart_number="BENCH-1").id
            for name, store in stores.items()
        }
        fields = {"pain": 5, "regions": ["lumbar"], "levels": ["L4"]}
        jobs: list[tuple[str, Callable[[], object]]] = [
            *(
                (name, lambda s=store, p=patients[name]: s.start_visit(p, **fields))
                for name, store in stores.items()
            ),
            ("raw", lambda: _raw_insert(raw, "0" * 32)),
        ]
        for i in range(size.save_runs + 2):
            turn = jobs[i % len(jobs) :] + jobs[: i % len(jobs)]
            for name, job in turn:
                began = time.perf_counter()
                job()
                if i >= 2:  # the first saves warm caches on every side
                    times[name].append((time.perf_counter() - began) * 1000)
    finally:
        for store in stores.values():
            store.close()
        raw.close()
    base = median(times["raw"])
    return [
        Row(
            f"durable visit save ({name})",
            median(times[name]),
            base,
            "ms",
            "≤ 1.5× raw INSERT+COMMIT",
            median(times[name]) / base <= 1.5,
            f"WAL, synchronous=FULL; raw = plain sqlite3; {len(times[name])} each",
        )
        for name in stores
    ]


# -- the generated clinics -------------------------------------------------------


def _schema_key(size: Size, seed: int, extra: str) -> str:
    from companion.store import MIGRATIONS

    # The last item is the generator's version: bump it when note_text changes.
    text = json.dumps([MIGRATIONS.names, size.patients, size.visits, seed, extra, 2])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def large_clinic(size: Size, cache: Path, seed: int = 7) -> tuple[Path, Any]:
    """The generated clinic for this size, reused from the cache when present."""
    from companion.demo import build_large_clinic

    folder = cache / f"large-{size.name}-{_schema_key(size, seed, 'large')}"
    info_file = folder / "clinic.json"
    if info_file.exists():
        bench_key(folder / "companion.db")
        return folder / "companion.db", json.loads(info_file.read_text())
    for stale in cache.glob(f"large-{size.name}-*"):  # older schema or generator
        shutil.rmtree(stale, ignore_errors=True)
    folder.mkdir(parents=True)
    key = bench_key(folder / "companion.db")
    made = build_large_clinic(
        folder / "companion.db", size.patients, size.visits, seed=seed, key=key
    )
    info = {
        "busy_patient_id": made.busy_patient_id,
        "busy_visits": made.busy_visits,
        "notes": made.notes,
        "seconds": made.seconds,
    }
    info_file.write_text(json.dumps(info))
    return folder / "companion.db", info


def _like_search(conn: sqlite3.Connection, query: str, limit: int = 50) -> list[Any]:
    """The scan a clinic without a search index would do: LIKE on every note."""
    words = query.split()
    where = " AND ".join("r.text LIKE ?" for _ in words)
    return conn.execute(
        f"""
        SELECT s.visit_id, v.patient_id, s.section, substr(r.text, 1, 80)
        FROM note_slots AS s
        JOIN note_revisions AS r ON r.visit_id = s.visit_id AND r.section = s.section
        JOIN visits AS v ON v.id = s.visit_id
        WHERE r.revision = (SELECT max(revision) FROM note_revisions
                            WHERE visit_id = s.visit_id AND section = s.section)
          AND {where}
        ORDER BY v.visit_date DESC
        LIMIT ?
        """,
        [*(f"%{w}%" for w in words), limit],
    ).fetchall()


def bench_search(size: Size, db_path: Path, info: dict[str, Any]) -> list[Row]:
    """store.search_notes (FTS5) vs a LIKE scan over the same current notes."""
    store = _open(db_path, bench_key(db_path))
    try:
        fts: list[float] = []
        like: list[float] = []
        # Each side runs as a block after one warm-up, as a clinician's searches
        # follow one another: a LIKE scan between two searches would push the
        # index out of SQLite's page cache and time the disk instead.
        for query in SEARCH_QUERIES:
            store.search_notes(query)
            per_fts = []
            for _ in range(size.search_runs):
                began = time.perf_counter()
                store.search_notes(query)
                per_fts.append((time.perf_counter() - began) * 1000)
            per_like = []
            for _ in range(max(1, min(3, size.search_runs))):  # seconds each
                began = time.perf_counter()
                _like_search(store.conn, query)
                per_like.append((time.perf_counter() - began) * 1000)
            fts.append(median(per_fts))
            like.append(median(per_like))
    finally:
        store.close()
    rows = []
    for kind, queries in (
        ("common words", COMMON_QUERIES),
        ("rare terms", RARE_QUERIES),
    ):
        picked = [i for i, q in enumerate(SEARCH_QUERIES) if q in queries]
        ours = median([fts[i] for i in picked])
        theirs = median([like[i] for i in picked])
        worst = max(fts[i] for i in picked)
        rows.append(
            Row(
                f"note search, {info['notes']:,} notes, {kind}",
                ours,
                theirs,
                "ms",
                "≥ 20× faster than LIKE, < 20 ms",
                theirs / ours >= 20 and worst < 20,
                "; ".join(f"{SEARCH_QUERIES[i]!r} {fts[i]:.0f} ms" for i in picked),
                faster_is_ratio=True,
            )
        )
    return rows


# -- in-process GUI rows -----------------------------------------------------------


def _gui_clinic(size: Size, cache: Path) -> tuple[Path, dict[str, Any]]:
    """A data folder whose database has a patient with 500 visits."""
    from companion.demo import build_demo_clinic, build_large_clinic

    gui = Size(
        "gui", min(size.patients, 500), min(size.visits, 5_000), 0, 0, 0, 0, 0, 0
    )
    folder = cache / f"gui-{_schema_key(gui, 11, 'gui')}"
    info_file = folder / "clinic.json"
    if info_file.exists():
        bench_key(folder / "companion.db")
        return folder, json.loads(info_file.read_text())
    for stale in cache.glob("gui-*"):  # older schema or generator
        shutil.rmtree(stale, ignore_errors=True)
    folder.mkdir(parents=True)
    db_path = folder / "companion.db"
    key = bench_key(db_path)
    made = build_large_clinic(db_path, gui.patients, gui.visits, 11, key=key)
    with _open(db_path, key) as store:
        build_demo_clinic(store)
    info = {"busy_patient_id": made.busy_patient_id, "busy_visits": made.busy_visits}
    info_file.write_text(json.dumps(info))
    return folder, info


def _chart_class() -> type | None:
    """The progress chart widget, if that part of the app has been built yet."""
    try:
        from companion.ui import progress_chart
    except ImportError:
        return None
    for value in vars(progress_chart).values():
        if (
            isinstance(value, type)
            and value.__module__ == progress_chart.__name__
            and callable(getattr(value, "set_visits", None))
        ):
            return value
    return None


def _synthetic_visits(count: int) -> list[Any]:
    from companion.core.records import Visit

    now = datetime.now(UTC)
    start = date.today() - timedelta(days=count)
    onset = start - timedelta(days=3)
    return [
        Visit(
            id=f"{i:032x}",
            patient_id="0" * 32,
            visit_date=start + timedelta(days=i),
            onset_date=onset,
            mechanism="lifting",
            pain=(i * 7) % 11,
            regions=("lumbar",),
            levels=("L4",),
            red_flags={},
            treatments_given=("heat",) if i % 3 == 0 else (),
            treatments_recommended=(),
            follow_up=None,
            created=now,
            updated=now,
            psfs=(("Walking", i % 11), ("Sitting", (i + 3) % 11), ("Lifting", 5)),
        )
        for i in range(count)
    ]


def bench_gui(size: Size, cache: Path) -> list[Row]:
    """Click → panel painted, opening a 500-visit patient, chart redraw."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDockWidget

    from companion.app import build
    from companion.core import spine
    from companion.ui.svg_scene import click_point

    data_dir, info = _gui_clinic(size, cache)
    window: Any = build(["--data-dir", str(data_dir)])
    app = QApplication.instance()
    assert app is not None
    rows: list[Row] = []
    try:
        window.set_diagram_view("posterior")
        # A person's first click comes at least half a second after the window
        # appears; the app uses such idle time (e.g. to place label anchors).
        QTest.qWait(500)
        view = window.spine_view
        clicks: list[float] = []
        for _round in range(size.click_rounds):
            for lv in spine.LEVELS:
                item = view.items_by_code().get(lv.code)
                if item is None:
                    continue
                pos = view.mapFromScene(click_point(item))
                began = time.perf_counter()
                QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
                window.panel.repaint()
                clicks.append((time.perf_counter() - began) * 1000)
                if window.state.selection != lv.code:
                    raise RuntimeError(f"click on {lv.code} selected something else")
        p50, p95 = median(clicks), percentile(clicks, 95)
        rows.append(
            Row(
                "click vertebra → panel painted, p50",
                p50,
                FRAME_MS,
                "ms",
                "(p95 is the target)",
                None,
                f"{len(clicks)} clicks over {size.click_rounds} rounds of every level",
                "budget: 1 frame",
            )
        )
        rows.append(
            Row(
                "click vertebra → panel painted, p95",
                p95,
                FRAME_MS,
                "ms",
                "< 16 ms (one frame)",
                p95 < FRAME_MS,
                f"slowest {max(clicks):.1f} ms",
                "budget: 1 frame",
            )
        )

        session = window.session
        docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]
        opens: list[float] = []
        for _ in range(size.open_runs + 1):
            session.open_patient(None)
            app.processEvents()
            began = time.perf_counter()
            session.open_patient(info["busy_patient_id"])
            app.processEvents()
            for dock in docks:
                dock.repaint()
            opens.append((time.perf_counter() - began) * 1000)
        cold, opens = opens[0], opens[1:]  # the first open also loads the chart
        rows.append(
            Row(
                f"open patient with {info['busy_visits']} visits",
                median(opens),
                50.0,
                "ms",
                "≤ 50 ms",
                median(opens) <= 50.0,
                f"open, list visits, repaint visible docks; first open {cold:.0f} ms",
                "budget: 50 ms",
            )
        )
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()

    chart_cls = _chart_class()
    if chart_cls is None:
        rows.append(
            Row(
                "chart redraw, 1,000 points",
                None,
                None,
                "ms",
                "≤ 16 ms",
                None,
                "n/a (chart not built yet)",
            )
        )
        return rows
    chart = chart_cls()
    try:
        chart.resize(900, 500)
        chart.show()
        visits = _synthetic_visits(1000)
        chart.set_visits(visits[:10])
        app.processEvents()
        draws: list[float] = []
        for n in range(size.chart_runs + 1):
            subset = visits if n % 2 == 0 else visits[1:]  # new data every time
            began = time.perf_counter()
            chart.set_visits(subset)
            chart.repaint()
            draws.append((time.perf_counter() - began) * 1000)
        draws = draws[1:]
    finally:
        chart.close()
        chart.deleteLater()
        app.processEvents()
    rows.append(
        Row(
            "chart redraw, 1,000 points",
            median(draws),
            FRAME_MS,
            "ms",
            "≤ 16 ms",
            median(draws) <= FRAME_MS,
            f"{chart_cls.__name__}.set_visits + repaint",
            "budget: 1 frame",
        )
    )
    return rows


# -- the whole run ---------------------------------------------------------------


def default_cache() -> Path:
    return Path(tempfile.gettempdir()) / "spine-companion-bench"


def run(
    size: Size,
    cache: Path,
    progress: Callable[[str], None] = lambda _msg: None,
) -> list[Row]:
    """Every measurement, in the order of the table."""
    from companion.demo import build_demo_clinic

    cache.mkdir(parents=True, exist_ok=True)
    start_dir = cache / f"start-{_schema_key(size, 0, 'demo')}"
    start_db = start_dir / "companion.db"
    start_dir.mkdir(parents=True, exist_ok=True)
    start_key = bench_key(start_db)
    if not start_db.exists():
        with _open(start_db, start_key) as store:
            build_demo_clinic(store)
    rows: list[Row] = []
    progress("start-up and memory (fresh processes) …")
    start, memory = bench_start(size, start_dir)
    rows.append(start)
    progress("clicks, opening a patient, chart …")
    gui = bench_gui(size, cache)
    rows += gui[:2]
    progress("durable saves …")
    rows += bench_save(size, cache)
    progress(f"generating / loading the {size.visits:,}-visit clinic …")
    db_path, info = large_clinic(size, cache)
    progress("note search …")
    rows += bench_search(size, db_path, info)
    rows += gui[2:]
    rows.append(memory)
    return rows


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def format_table(rows: Sequence[Row]) -> str:
    head = ("measure", "result", "baseline", "ratio", "target", "met", "notes")
    lines = [head]
    for row in rows:
        met = "n/a" if row.met is None else ("yes" if row.met else "NO")
        ratio = row.ratio_text()
        lines.append(
            (
                row.name,
                _fmt(row.value, row.unit),
                row.baseline_label or _fmt(row.baseline, row.unit),
                ratio,
                row.target,
                met,
                row.note,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head) - 1)]
    out = []
    for n, line in enumerate(lines):
        cells = [cell.ljust(w) for cell, w in zip(line, widths, strict=False)]
        out.append("| " + " | ".join([*cells, line[-1]]) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|---|")
    return "\n".join(out)


def machine_line() -> str:
    """CPU, cores, RAM, OS, Python and Qt, for the record beside the numbers."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.0f} GB RAM"
    except OSError:
        pass
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"PySide6 {PySide6.__version__}, Qt {qVersion()}"
    except ImportError:
        qt = "no Qt"
    parts = [
        f"{os.cpu_count()} cores",
        cpu,
        ram,
        platform.platform(),
        f"Python {platform.python_version()}",
        qt,
        f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}",
    ]
    return "; ".join(p for p in parts if p)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m companion.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        default="full",
        help="full: 10,000 patients / 100,000 notes (default)",
    )
    parser.add_argument(
        "--small",
        action="store_const",
        const="small",
        dest="size",
        help="= --size small",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=default_cache(),
        help="where generated clinics are kept between runs",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    size = SIZES[args.size]
    began = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr)

    rows = run(size, args.cache_dir, progress)
    print(f"Spine Companion benchmark ({size.name}): {machine_line()}")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
