"""The index's vocabulary: complete after every write of a note; searches use it."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from companion.store import Patient, Store, Visit, migrations, note_terms, open_store
from companion.store.migrations import MIGRATIONS, Migrations
from companion.store.search import match_expression, matching_rows
from companion.store.search_index_repair import rebuild_search_index

KEY = b"\x0a" * 32


def index_terms(conn: sqlite3.Connection) -> set[str]:
    """Every term notes_fts holds, as FTS5 itself lists them."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.check_terms"
        " USING fts5vocab(main, notes_fts, row)"
    )
    try:
        return {term for (term,) in conn.execute("SELECT term FROM check_terms")}
    finally:
        conn.execute("DROP TABLE temp.check_terms")


def kept_terms(conn: sqlite3.Connection) -> set[str]:
    return {term for (term,) in conn.execute("SELECT term FROM note_terms")}


# Accents, case, digits, other scripts, "_" and punctuation: the trigger's
# terms are FTS5's own, whatever the tokenizer does with them.
TEXTS = (
    "Paraspinal SPASM at L4–L5, worse lifting; Straße, ß, İstanbul",
    "Dolor lumbar, músculo piriforme tenso; Ñandú niño_pequeño 120/80",
    "Trapezius trigger points; 日本語のノート; ﬁbrosis (ligature)",
)


def test_saved_notes_put_exactly_the_index_terms_in_the_vocabulary(
    store: Store, visit: Visit
) -> None:
    for section, text in zip("SOA", TEXTS, strict=True):
        store.save_note(visit.id, section, text)
    assert kept_terms(store.conn) == index_terms(store.conn)
    assert {"straße", "nandu", "120", "pequeno"} <= kept_terms(store.conn)


def test_an_edit_adds_the_new_terms_and_keeps_the_old_ones(
    store: Store, visit: Visit
) -> None:
    store.save_note(visit.id, "S", "sciatica")
    store.save_note(visit.id, "S", "piriformis")
    assert {"sciatica", "piriformis"} <= kept_terms(store.conn)
    # A term no note holds any more costs an OR term, never a wrong hit.
    assert store.search_notes("scia") == []
    assert [h.visit_id for h in store.search_notes("piri")] == [visit.id]


def test_a_row_written_by_sql_alone_adds_its_terms(store: Store, visit: Visit) -> None:
    """Replication writes revisions with plain INSERTs: the trigger sees those too."""
    store.conn.execute(
        "INSERT INTO note_revisions (id, visit_id, section, text, revision, created)"
        " VALUES ('r1', ?, 'P', 'Thoracolumbar fascia', 1, '2026-12-02T10:00:00Z')",
        (visit.id,),
    )
    store.conn.commit()
    assert {"thoracolumbar", "fascia"} <= kept_terms(store.conn)
    assert [h.visit_id for h in store.search_notes("thoraco")] == [visit.id]


def test_the_tokenizer_is_the_index_s_own(store: Store) -> None:
    sql = dict(store.conn.execute("SELECT name, sql FROM sqlite_master"))
    tokenize = re.compile(r"tokenize\s*=\s*'([^']*)'")
    assert tokenize.search(sql["notes_fts"]).group(1) == note_terms.TOKENIZE
    assert tokenize.search(sql["note_tokenizer"]).group(1) == note_terms.TOKENIZE


def test_m0010_fills_the_vocabulary_of_an_old_clinic(tmp_path: Path) -> None:
    before = Migrations()
    for step in MIGRATIONS.names:
        if step != "m0010_note_terms":
            before(getattr(migrations, step))
    path = tmp_path / "companion.db"
    with open_store(path, key=KEY, migrations=before) as old:
        patient = old.create_patient(chart_number="OLD-1")
        visit = old.start_visit(patient.id)
        for section, text in zip("SOA", TEXTS, strict=True):
            old.save_note(visit.id, section, text)
        assert "note_terms" not in old.db.table_names()
    with open_store(path, key=KEY) as new:
        assert "m0010_note_terms" in migrations.applied(new.db)
        assert kept_terms(new.conn) == index_terms(new.conn)
        assert [h.visit_id for h in new.search_notes("paraspin")] == [visit.id]


def test_searches_ask_for_the_listed_terms(store: Store, visit: Visit) -> None:
    """Proof the vocabulary is what a plain word is searched by."""
    store.save_note(visit.id, "S", "quadratus lumborum")
    assert [h.visit_id for h in store.search_notes("quadra")] == [visit.id]
    store.conn.execute("DELETE FROM note_terms")
    store.conn.commit()
    assert store.search_notes("quadra") == []
    # A word the lookup leaves to FTS5's prefix query is still found.
    store.save_note(visit.id, "O", "músculo")
    assert [h.visit_id for h in store.search_notes("múscu")] == [visit.id]


def test_a_rebuilt_index_refills_lost_terms(db_path: Path) -> None:
    with open_store(db_path.with_name("enc.db"), key=KEY) as store:
        visit = store.start_visit(store.create_patient(chart_number="R-1").id)
        store.save_note(visit.id, "S", "spondylolisthesis grade one")
        store.conn.execute("DELETE FROM note_terms WHERE term LIKE 'spond%'")
        store.conn.commit()
    rebuild_search_index(db_path.with_name("enc.db"), KEY)
    with open_store(db_path.with_name("enc.db"), key=KEY) as store:
        assert "spondylolisthesis" in kept_terms(store.conn)
        assert [h.visit_id for h in store.search_notes("spondy")] == [visit.id]


@pytest.mark.parametrize("typed", ["p", "P", "pa", "l4", "zz", "trigger po", "9"])
def test_the_listed_terms_find_what_the_prefix_query_finds(
    store: Store, patient: Patient, typed: str
) -> None:
    words = "pain painful paraspinal piriformis psoas points posture l4 l45 9 90"
    for n, word in enumerate(words.split()):
        visit = store.start_visit(patient.id)
        store.save_note(visit.id, "S", f"trigger {word} note{n}")
    plain = match_expression(typed)
    listed = match_expression(
        typed, lambda word: note_terms.completions(store.conn, word)
    )
    assert listed is None or "*" not in listed
    prefix_hits = matching_rows(store.conn, plain, 50)
    listed_hits = [] if listed is None else matching_rows(store.conn, listed, 50)
    assert listed_hits == prefix_hits


def test_too_many_completions_keep_the_prefix_query(
    store: Store, visit: Visit, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_note(visit.id, "S", "pain painful paraspinal")
    monkeypatch.setattr(note_terms, "MAX_COMPLETIONS", 2)
    assert note_terms.completions(store.conn, "pa") is None
    assert note_terms.completions(store.conn, "pain") == ["pain", "painful"]
    assert [h.visit_id for h in store.search_notes("pa")] == [visit.id]


def test_only_plain_words_are_looked_up(store: Store) -> None:
    for word in ("músc", "foo_ba", "日本", ""):
        assert note_terms.completions(store.conn, word) is None
