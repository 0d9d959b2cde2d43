"""Notes are append-only revisions: history keeps all, current is the newest."""

from __future__ import annotations

import sqlite3

import pytest

from companion.store import InvalidInput, Store, Visit


def test_edits_append_revisions(store: Store, visit: Visit) -> None:
    """Each changed text adds a revision; history lists them all in order."""
    texts = ["first", "second", "third"]
    for text in texts:
        store.save_note(visit.id, "S", text)
    history = store.note_history(visit.id, "S")
    assert [r.text for r in history] == texts
    assert [r.revision for r in history] == [1, 2, 3]
    assert store.current_notes(visit.id)["S"].text == "third"


def test_unchanged_text_adds_no_revision(store: Store, visit: Visit) -> None:
    """Saving the same text again returns the current revision, adding none."""
    first = store.save_note(visit.id, "O", "tender L4")
    again = store.save_note(visit.id, "O", "tender L4")
    assert again == first
    assert len(store.note_history(visit.id, "O")) == 1


def test_current_notes_covers_each_section(store: Store, visit: Visit) -> None:
    """current_notes returns the newest revision of each section written."""
    store.save_note(visit.id, "P", "plan 1")
    store.save_note(visit.id, "S", "subjective")
    store.save_note(visit.id, "P", "plan 2")
    current = store.current_notes(visit.id)
    assert list(current) == ["S", "P"]
    assert current["P"].text == "plan 2" and current["P"].revision == 2


def test_revision_rows_cannot_be_updated_or_deleted(store: Store, visit: Visit) -> None:
    """Triggers refuse UPDATE and DELETE on note_revisions, even in raw SQL."""
    store.save_note(visit.id, "A", "lumbar strain")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE note_revisions SET text = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM note_revisions")
    assert store.current_notes(visit.id)["A"].text == "lumbar strain"
    # The refused statements did not poison the connection.
    assert store.save_note(visit.id, "A", "lumbar strain, improving").revision == 2


def test_unknown_section_is_refused(store: Store, visit: Visit) -> None:
    """Only S, O, A and P are sections."""
    with pytest.raises(InvalidInput) as caught:
        store.save_note(visit.id, "X", "text")
    assert caught.value.field == "section"
    with pytest.raises(InvalidInput):
        store.save_note(visit.id, "s", "lower case is not a section")


def test_note_for_missing_visit_is_refused(store: Store) -> None:
    """A note must belong to an existing visit; nothing is written."""
    with pytest.raises(InvalidInput, match="No visit"):
        store.save_note("missing", "S", "text")
    assert store.conn.execute("SELECT count(*) FROM note_revisions").fetchone() == (0,)


def test_non_text_note_is_refused(store: Store, visit: Visit) -> None:
    """A note must be a str."""
    with pytest.raises(InvalidInput):
        store.save_note(visit.id, "S", b"bytes")  # type: ignore[arg-type]


def test_note_save_marks_visit_updated(store: Store, visit: Visit) -> None:
    """Saving a note moves the visit's 'updated' time forward."""
    store.save_note(visit.id, "S", "x")
    loaded = store.get_visit(visit.id)
    assert loaded is not None and loaded.updated > visit.updated


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a\x00b\x00",
        "😀👩‍⚕️🦴",
        "ألم أسفل الظهر",
        "עברית mixed with English",
        "'; DROP TABLE note_revisions; --",
        "Robert'); DELETE FROM visits;--",
        "x" * 1_000_000,
        "line1\r\nline2\n\ttabbed",
    ],
)
def test_awkward_text_round_trips_exactly(
    store: Store, visit: Visit, text: str
) -> None:
    """NUL, emoji, right-to-left, SQL-looking and 1 MB text read back unchanged."""
    store.save_note(visit.id, "S", "placeholder")
    store.save_note(visit.id, "S", text)
    assert store.current_notes(visit.id)["S"].text == text
    assert store.check_integrity() == (True, [])
