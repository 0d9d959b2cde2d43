"""Finding patients by search keys: the same answers as the old scan, from an index."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from companion.demo import LARGE_PREFIX, build_large_clinic
from companion.store import InvalidInput, Store, open_store
from companion.store.patients import (
    build_patient,
    find_patients,
    insert_patient,
    search_keys,
)
from companion.store.transaction import write_transaction


def old_find_patients(db: Database, query: str, limit: int = 50) -> list[str]:
    """find_patients before the search keys (ids): a LIKE scan of every patient.

    Kept word for word as the reference; casefold() is the function the store
    registers on its connection.
    """
    text = query.casefold().strip()
    if not text:
        rows = db.query(
            "SELECT * FROM patients ORDER BY created DESC LIMIT ?", [max(limit, 0)]
        )
        return [row["id"] for row in rows]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = db.query(
        r"""
        SELECT * FROM patients
        WHERE casefold(chart_number) LIKE :prefix ESCAPE '\'
           OR casefold(initials) LIKE :prefix ESCAPE '\'
           OR casefold(display_name) LIKE :prefix ESCAPE '\'
           OR casefold(display_name) LIKE '% ' || :prefix ESCAPE '\'
        ORDER BY casefold(chart_number) = :exact DESC,
                 casefold(initials) = :exact DESC,
                 chart_number, initials, display_name
        LIMIT :limit
        """,
        {"prefix": escaped + "%", "exact": text, "limit": max(limit, 0)},
    )
    return [row["id"] for row in rows]


# Characters that fold in awkward ways: accents composed and combining, ß and ẞ
# to "ss", the Kelvin sign and long s to ASCII, the three sigmas, dotted and
# dotless i, a ligature; LIKE's wildcards and escape; spaces of several kinds;
# NUL (where SQLite's LIKE stops reading); either side of the surrogates; the
# last code point (a prefix of it has no next prefix).
TRICKY = (
    "aAbBsSkKmM eéÉ\u0301ñÑüßẞ\u212aſσςΣİıﬁ%_\\-019 \t\u00a0\u3000\0"
    "\ud7ff\ue000\U0010ffff"
)
CHAR = st.one_of(st.sampled_from(TRICKY), st.characters(blacklist_categories=("Cs",)))
# Few letters that fold together ("ss", "ß", "ẞ"; "k", "K", Kelvin) so that
# several patients tie, or match one query exactly, as often as not.
FEW = st.text(st.sampled_from("aAsSßẞkK\u212a "), max_size=3)
TEXT = st.one_of(FEW, st.text(CHAR, max_size=8))
# Names of a few words, sometimes with double spaces or other spacing.
NAME = st.lists(TEXT, max_size=4).flatmap(
    lambda words: st.sampled_from([" ", "  ", "\t", " \u00a0"]).map(
        lambda gap: gap.join(words)
    )
)
FIELDS = st.tuples(TEXT, TEXT, NAME)


@st.composite
def clinics(draw: st.DrawFn, max_size: int = 12) -> list[tuple[str, str, str]]:
    """Patients, some repeated without a chart number (same initials and name)."""
    clinic = draw(st.lists(FIELDS, max_size=max_size))
    repeats = draw(st.lists(st.sampled_from(clinic), max_size=3)) if clinic else []
    return clinic + [("", initials, name) for _, initials, name in repeats]


CASES = (str, str.upper, str.lower, str.casefold, str.swapcase, str.title)
LIMITS = st.sampled_from([-1, 0, 1, 2, 3, 50])
# A fresh database per example (hypothesis replays them; state must not leak).
FRESH = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@contextmanager
def fresh_store(folder: Path) -> Iterator[Store]:
    path = folder / uuid.uuid4().hex / "companion.db"
    store = open_store(path)
    try:
        yield store
    finally:
        store.close()


def add_patients(store: Store, clinic: list[tuple[str, str, str]]) -> list[str]:
    """Save whichever of the patients the store accepts; their ids.

    One transaction through the store's own insert (which writes the keys), so
    an example costs one disk sync rather than one per patient.
    """
    ids = []
    with write_transaction(store.conn, store.path):
        for chart, initials, name in clinic:
            try:
                made = build_patient(chart, initials, name)
                insert_patient(store.db, made)
            except InvalidInput:  # blank, or a chart number already taken
                continue  # both refused before anything was written
            ids.append(made.id)
    return ids


def queries_for(data: st.DataObject, clinic: list[tuple[str, str, str]]) -> list[str]:
    """Random queries, and pieces of the saved fields in any case and spacing."""
    pieces = [text for fields in clinic for text in fields if text]
    drawn = data.draw(st.lists(TEXT, max_size=4))
    for _ in range(data.draw(st.integers(0, 6)) if pieces else 0):
        text = data.draw(st.sampled_from(pieces))
        whole = data.draw(st.booleans())  # often a whole field: exact matches
        start = 0 if whole else data.draw(st.integers(0, len(text)))
        end = len(text) if whole else data.draw(st.integers(start, len(text)))
        case = data.draw(st.sampled_from(CASES))
        pad = data.draw(st.sampled_from(["", " ", "  ", "\t", "\u3000"]))
        drawn.append(pad + case(text[start:end]) + pad[:1])
    return drawn


def assert_same_as_old(store: Store, query: str, limit: int) -> None:
    expected = old_find_patients(store.db, query, limit)
    assert [p.id for p in store.find_patients(query, limit)] == expected
    # Both ways of listing many matches, whatever this query would pick.
    for walk_above in (0, 10**9):
        found = find_patients(store.db, query, limit, walk_above=walk_above)
        assert [p.id for p in found] == expected, walk_above


def stored_keys(store: Store) -> set[tuple[str, str, str]]:
    return set(store.conn.execute("SELECT key, field, patient_id FROM patient_search"))


def keys_from_patients(store: Store) -> set[tuple[str, str, str]]:
    rows = store.conn.execute(
        "SELECT id, chart_number, initials, display_name FROM patients"
    )
    return {
        (key, field, patient_id)
        for patient_id, chart, initials, name in rows
        for field, key in search_keys(chart, initials, name)
    }


@FRESH
@given(
    clinic=clinics(),
    limit=LIMITS,
    data=st.data(),
)
def test_finds_what_the_old_scan_found(
    tmp_path: Path, clinic: list[tuple[str, str, str]], limit: int, data: st.DataObject
) -> None:
    """Any query finds the same patients in the same order as the LIKE scan did."""
    with fresh_store(tmp_path) as store:
        add_patients(store, clinic)
        for query in queries_for(data, clinic):
            assert_same_as_old(store, query, limit)


@FRESH
@given(
    clinic=clinics(max_size=8),
    changes=st.lists(st.tuples(st.integers(0, 7), FIELDS), max_size=6),
    data=st.data(),
)
def test_changed_patients_are_found_by_their_new_fields(
    tmp_path: Path,
    clinic: list[tuple[str, str, str]],
    changes: list[tuple[int, tuple[str, str, str]]],
    data: st.DataObject,
) -> None:
    """After edits the keys match the patients, and queries still agree."""
    with fresh_store(tmp_path) as store:
        ids = add_patients(store, clinic)
        for n, (chart, initials, name) in changes:
            if not ids:
                break
            try:
                store.update_patient(
                    ids[n % len(ids)],
                    chart_number=chart,
                    initials=initials,
                    display_name=name,
                )
            except InvalidInput:
                continue
        assert stored_keys(store) == keys_from_patients(store)
        for query in queries_for(data, clinic + [fields for _, fields in changes]):
            assert_same_as_old(store, query, 50)


def test_words_of_the_name_and_several_words(store: Store) -> None:
    """A query matches from the start of any word of the name on, as before."""
    ana = store.create_patient(initials="AJ", display_name="Ana  Jo Ruiz-Peña")
    for query in ("ruiz", "jo r", "JO RUIZ-P", "ana  jo", "ruiz-peña"):
        assert store.find_patients(query) == [ana], query
    for query in ("uiz", "peña", "ana jo"):  # "-" starts no word; two spaces
        assert store.find_patients(query) == [], query


def test_case_folds_beyond_ascii_but_accents_count(store: Store) -> None:
    """ß finds "ss" and Σ finds σ, but "nun" does not find Núñez (nor did it)."""
    strasse = store.create_patient(initials="S1", display_name="Jo Straße")
    sofia = store.create_patient(initials="S2", display_name="σοφία")
    nunez = store.create_patient(initials="S3", display_name="José Núñez")
    assert store.find_patients("STRASSE") == [strasse]
    assert store.find_patients("ΣΟΦ") == [sofia]
    assert store.find_patients("NÚÑ") == [nunez]
    assert store.find_patients("nun") == []


def test_exact_chart_then_exact_initials_come_first(store: Store) -> None:
    """Exact chart numbers, then exact initials, lead whatever else matches."""
    store.create_patient(chart_number="ab1", initials="ZZ")
    by_initials = store.create_patient(chart_number="zz9", initials="Ab")
    by_chart = store.create_patient(chart_number="AB", initials="QQ")
    store.create_patient(chart_number="ab0", display_name="Ab Other")
    found = store.find_patients("ab")
    assert found[:2] == [by_chart, by_initials]
    assert [p.chart_number for p in found[2:]] == ["ab0", "ab1"]
    assert store.find_patients("ab", limit=1) == [by_chart]
    # Two chart numbers can fold alike; exact initials then decide between them.
    sharp = store.create_patient(chart_number="ß", initials="SS")
    plain = store.create_patient(chart_number="ss", initials="X")
    assert store.find_patients("SS") == [sharp, plain]


@pytest.mark.parametrize(
    "query",
    [
        "x\U0010ffff",  # no next prefix at all: no upper bound
        "x\U0010ffff\U0010ffff",
        "x\ud7ff",  # the next code point is a surrogate, which UTF-8 cannot hold
        "x\ud7fe",
        "x\ue000",
        "x",
    ],
)
def test_prefixes_at_the_edges_of_unicode(store: Store, query: str) -> None:
    """Prefixes ending next to the surrogates or at U+10FFFF find what they did."""
    edges = ["", "\ud7fe", "\ud7ff", "\ue000", "\U0010ffff", "\U0010ffff" * 2]
    charts = sorted({f"x{a}{b}" for a in edges for b in edges})
    for n, chart in enumerate(charts):
        store.create_patient(chart_number=chart, initials=f"I{n}")
    assert store.find_patients(query, limit=100)  # each query finds someone
    assert_same_as_old(store, query, 100)


def test_a_nul_in_the_query_matches_as_like_did(store: Store) -> None:
    """LIKE stopped at a NUL: "ab\\0…" found fields equal to "ab" up to their NUL."""
    cut = store.create_patient(chart_number="ab\0cd")
    whole = store.create_patient(chart_number="AB")
    named = store.create_patient(initials="N1", display_name="Jo ab")
    cut_name = store.create_patient(chart_number="abc", display_name="ab\0 ab")
    store.create_patient(chart_number="abd")
    found = store.find_patients("ab\0zz")
    assert found == [named, whole, cut, cut_name]  # no chart number sorts first
    for query in ("ab\0zz", "\0", "a\0", "jo ab\0"):
        assert_same_as_old(store, query, 50)


def test_keys_follow_edits(store: Store) -> None:
    """After a rename the old name finds nothing and the new one finds the patient."""
    patient = store.create_patient(chart_number="C-1", display_name="Ana Ruiz")
    renamed = store.update_patient(patient.id, display_name="Bea Soto")
    assert store.find_patients("ruiz") == []
    assert store.find_patients("soto") == [renamed]
    assert stored_keys(store) == keys_from_patients(store)


def _plans(store: Store, queries: list[tuple[str, int | None]]) -> list[str]:
    """Query plans of every SELECT find_patients ran for these queries."""
    statements: list[str] = []
    # The trace gives each statement with its values filled in.
    store.conn.set_trace_callback(statements.append)
    try:
        for query, walk_above in queries:
            find_patients(store.db, query, walk_above=walk_above)
    finally:
        store.conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if "patient_search" in sql and sql.lstrip().upper().startswith("SELECT"):
            rows = store.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            plans.append("\n".join(row[-1] for row in rows))
    return plans


def test_find_reads_index_ranges_and_never_scans(store: Store) -> None:
    """Every statement seeks the key index; many matches walk the list-order index."""
    for n in range(30):
        store.create_patient(chart_number=f"A-{n:03d}", initials="AB")
    few = _plans(store, [("a-01", 10**9), ("ab", 10**9)])
    many = _plans(store, [("a", 0), ("ab", 0)])
    assert len(few) >= 4 and len(many) >= 4  # exact charts; count, list …
    for plan in few + many:
        lines = plan.splitlines()
        assert any(
            line.startswith("SEARCH")
            and ("patient_search" in line or line.startswith("SEARCH s "))
            for line in lines
        ), plan
        scans = [line for line in lines if line.startswith("SCAN ")]
        for line in scans:  # subquery results, or the list-order index
            assert line == "SCAN hit" or "(subquery" in line or line == _WALK, plan
    assert not any(_WALK in plan for plan in few)
    walks = [plan for plan in many if _WALK in plan]
    # "a": every key (no initials are "a"); "ab": exact initials, every key.
    assert len(walks) == 3
    for walk in walks:
        # Each patient passed is one seek: by its id and the keys wanted.
        assert re.search(r"SEARCH patient_search USING .*patient_id=\?", walk), walk
        assert "TEMP B-TREE" not in walk  # already in order: stops at the limit


_WALK = "SCAN p USING INDEX patients_find_order"


def test_spread_matches_are_walked_and_a_run_of_charts_is_read_in_place(
    store: Store,
) -> None:
    """Name matches spread over the list are walked well below a third of the
    clinic ('M' on 100,000 patients: 5,866 matches, 90 ms collected, 4 ms
    walked); a run of chart numbers, which a walk must first reach, is read
    from where it starts in the list ('LOAD-05': 35–48 ms → 7 ms)."""
    with write_transaction(store.conn, store.path):
        for n in range(900):
            name = "Mara Ruiz" if n % 6 == 0 else "Zoe Ruiz"  # 150 'm', spread
            insert_patient(store.db, build_patient(f"C-{n:04d}", "ZZ", name))
    (names,) = _plans(store, [("m", None)])[-1:]
    assert _WALK in names, names
    charts = _plans(store, [("c-01", None)])  # C-0100 … C-0199, mid-list
    assert not any(_WALK in plan for plan in charts), charts
    run = "SEARCH p USING INDEX patients_find_order (chart_number>? AND chart_number<?)"
    assert any(run in plan for plan in charts), charts
    assert_same_as_old(store, "c-01", 50)
    assert_same_as_old(store, "c-01", 3)
    assert [p.chart_number for p in store.find_patients("m")][:2] == [
        "C-0000",
        "C-0006",
    ]


def test_large_clinic_patients_can_be_found(tmp_path: Path) -> None:
    """The benchmark's generated clinic, inserted with plain SQL, is searchable."""
    path = tmp_path / "large" / "companion.db"
    build_large_clinic(path, patients=40, visits=40, seed=3)
    with open_store(path) as store:
        assert stored_keys(store) == keys_from_patients(store)
        chart = f"{LARGE_PREFIX}000017"
        assert [p.chart_number for p in store.find_patients(chart.lower())] == [chart]
        assert len(store.find_patients(LARGE_PREFIX, limit=100)) == 40


@pytest.mark.parametrize(
    "name, words",
    [
        ("", []),
        ("Ana", ["ana"]),
        ("Ana Jo  Ruiz", ["ana jo  ruiz", "jo  ruiz", "ruiz"]),
        ("Ana\0 Jo", ["ana\0 jo"]),  # LIKE never read past the NUL
        ("ẞig Ünal", ["ssig ünal", "ünal"]),
    ],
)
def test_search_keys(name: str, words: list[str]) -> None:
    """Chart and initials folded whole; the name whole and from each word on."""
    keys = search_keys("C-1", "AB", name)
    assert ("chart_number", "c-1") in keys and ("initials", "ab") in keys
    assert sorted(key for field, key in keys if field == "display_name") == sorted(
        words
    )


def test_a_run_of_charts_that_casefolding_reorders_is_still_right(
    store: Store,
) -> None:
    """'É1' casefolds to 'é1' but NOCASE leaves it 'É1', which the list puts
    before every 'é…' chart number; a run read from the list's NOCASE range
    would miss it, so the count check sends such a query back to collecting."""
    charts = ["É1", "é2", "é3", "é4", "S2", "ſ1", "S3", "s4", "ẞ5"]
    with write_transaction(store.conn, store.path):
        for chart in charts + [f"T-{n:02d}" for n in range(40)]:
            insert_patient(store.db, build_patient(chart, "ZZ", "Zoe"))
    for query in ("é", "É", "s", "S", "ss", "t-0", "t-"):
        for limit in (1, 2, 3, 50):
            assert_same_as_old(store, query, limit)
    assert [p.chart_number for p in store.find_patients("é", 1)] == ["É1"]
