"""Full-text search finds the current text of notes and survives any query."""

from __future__ import annotations

import pytest

from companion.store import Patient, Store, StoreError, Visit
from companion.store.notes import MAX_NOTE_CHARS
from companion.store.search import match_expression


def test_finds_current_text_with_context(store: Store, patient: Patient) -> None:
    """A word in a note is found, with visit, patient, section and a snippet."""
    visit = store.start_visit(patient.id)
    store.save_note(visit.id, "O", "Spasm of the quadratus lumborum on the left")
    [hit] = store.search_notes("quadratus")
    assert (hit.visit_id, hit.patient_id, hit.section) == (visit.id, patient.id, "O")
    assert "[quadratus]" in hit.snippet


def test_old_revisions_give_no_stale_hits(store: Store, visit: Visit) -> None:
    """After an edit, words only in the old text no longer match."""
    store.save_note(visit.id, "S", "sciatica down the right leg")
    store.save_note(visit.id, "S", "pain limited to the low back")
    assert store.search_notes("sciatica") == []
    assert [h.visit_id for h in store.search_notes("back")] == [visit.id]
    store.save_note(visit.id, "S", "sciatica returned")
    assert len(store.search_notes("sciatica")) == 1


def test_each_section_is_indexed_separately(store: Store, visit: Visit) -> None:
    """Editing one section leaves the others searchable."""
    store.save_note(visit.id, "S", "headache")
    store.save_note(visit.id, "P", "ice and walking")
    store.save_note(visit.id, "S", "no headache today")
    assert [h.section for h in store.search_notes("walking")] == ["P"]
    assert [h.section for h in store.search_notes("headache")] == ["S"]


def test_prefix_case_and_accents(store: Store, visit: Visit) -> None:
    """The last word matches as a prefix, ignoring case and accents."""
    store.save_note(visit.id, "A", "Contractura muscular lumbar, dolor en la región")
    assert len(store.search_notes("CONTRACT")) == 1
    assert len(store.search_notes("region")) == 1
    assert len(store.search_notes("dolor lumb")) == 1
    assert store.search_notes("dolor cervical") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "'",
        "AND",
        "OR NOT",
        "*",
        "a*b*",
        "'; DROP TABLE note_revisions; --",
        "NEAR(a b, 3)",
        "text:spasm",
        "^start",
        "(unbalanced",
        "-",
        "\x00",
        "😀",
        "",
        "   ",
        "{col1 col2}: x",
        "x" * 5000,
        " ".join(["word"] * 500),
    ],
)
def test_hostile_queries_never_raise(store: Store, visit: Visit, query: str) -> None:
    """Queries full of FTS5 syntax or SQL are searched as plain words."""
    store.save_note(visit.id, "S", "AND OR NOT near spasm text DROP TABLE")
    hits = store.search_notes(query)
    assert isinstance(hits, list)
    assert store.conn.execute("SELECT count(*) FROM note_revisions").fetchone() == (1,)


def test_operators_are_matched_as_words(store: Store, visit: Visit) -> None:
    """Typing AND searches for the word 'and', not the operator."""
    store.save_note(visit.id, "S", "rest and ice")
    store.save_note(store.start_visit(visit.patient_id).id, "S", "rest only")
    assert len(store.search_notes("rest AND")) == 1


def test_match_expression_quotes_every_word() -> None:
    """Each word becomes a quoted FTS5 string; the last is a prefix."""
    assert match_expression('say "hi" NOT') == '"say" "hi" "NOT"*'
    assert match_expression("!!!") is None


def test_limit_caps_hits(store: Store, patient: Patient) -> None:
    """No more than limit hits come back."""
    for _ in range(5):
        store.save_note(store.start_visit(patient.id).id, "S", "spasm")
    assert len(store.search_notes("spasm", limit=3)) == 3
    assert store.search_notes("spasm", limit=0) == []


def test_newest_notes_come_first_and_limit_stops_early(
    store: Store, patient: Patient
) -> None:
    """Hits are the most recently started notes first; the limit keeps the newest."""
    visits = [store.start_visit(patient.id) for _ in range(5)]
    for number, visit in enumerate(visits):
        store.save_note(visit.id, "S", f"stiff neck, visit {number}")
    hits = store.search_notes("stiff", limit=3)
    assert [h.visit_id for h in hits] == [v.id for v in reversed(visits)][:3]


def test_excerpt_of_a_huge_note_is_short_and_marks_the_match(
    store: Store, visit: Visit
) -> None:
    """A note near the size limit: the excerpt is a short window around the word."""
    filler = "lumbar spasm " * 38_000  # ~494 KB before and after the word
    store.save_note(visit.id, "S", filler + "zygapophyseal joint " + filler)
    [hit] = store.search_notes("zygapophyseal")
    assert "[zygapophyseal]" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 250


def test_excerpt_marks_every_typed_word_folded_like_the_index(
    store: Store, visit: Visit
) -> None:
    """Case and accents fold as in FTS5; the last word is a prefix; brackets stay."""
    store.save_note(visit.id, "A", "Dolor [crónico] en la REGIÓN lumbar_baja")
    [hit] = store.search_notes("region cron")
    assert hit.snippet == "Dolor [[crónico]] en la [REGIÓN] lumbar_baja"


def test_a_note_over_the_limit_is_refused_with_a_clear_message(
    store: Store, visit: Visit
) -> None:
    """Past MAX_NOTE_CHARS: StoreError note_too_long, nothing saved, no raw error."""
    store.save_note(visit.id, "P", "ice and walking")
    too_long = "x" * (MAX_NOTE_CHARS + 1)
    with pytest.raises(StoreError) as caught:
        store.save_note(visit.id, "P", too_long)
    assert caught.value.key == "note_too_long"
    assert "1,000,000" in str(caught.value)
    assert store.current_notes(visit.id)["P"].text == "ice and walking"
    store.save_note(visit.id, "P", "x" * MAX_NOTE_CHARS)  # the limit itself is fine
