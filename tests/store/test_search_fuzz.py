"""Hypothesis: any search query never raises; note search finds exactly the matches."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.store import Store, open_store, search

VOCABULARY = (
    "spasm",
    "lumbar",
    "dolor",
    "espalda",
    "músculo",
    "musculo",
    "Piriformis",
    "tensión",
    "tension",
    "psoas",
    "near",
    "and",
    "or",
    "not",
    "l4",
    "c5",
    "Ñandú",
)
SYNTAX = ' "*^():{}-+,.\t\n'
OPERATORS = ("AND", "OR", "NOT", "NEAR", "NEAR(", "text:", "{S P}:", "^", '"')
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def fold(text: str) -> str:
    """As the index folds: diacritics off, case off."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text))


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict]]:
    """An encrypted store, 150 notes of vocabulary words; {(visit, section): text}."""
    folder = tmp_path_factory.mktemp("fuzz")
    rng = random.Random(14)
    texts: dict[tuple[str, str], str] = {}
    with open_store(folder / "companion.db", key=b"\x05" * 32) as store:
        patient = store.create_patient(chart_number="FZ-1")
        for _ in range(50):
            visit = store.start_visit(patient.id)
            for section in "SOA":
                words = rng.choices(VOCABULARY, k=rng.randint(1, 8))
                text = " ".join(words) + rng.choice(["", ".", " (L4)", " *"])
                store.save_note(visit.id, section, text)
                texts[(visit.id, section)] = text
        yield store, texts


def expected(texts: dict[tuple[str, str], str], query: str) -> set[tuple[str, str]]:
    """Every word in the note; the last typed one as a prefix (32 words at most)."""
    words = [t for w in re.findall(r"\w+", query)[:32] for t in tokens(w)]
    if not words:
        return set()
    found = set()
    for key, text in texts.items():
        have = set(tokens(text))
        if all(w in have for w in words[:-1]) and any(
            t.startswith(words[-1]) for t in have
        ):
            found.add(key)
    return found


_PIECES = st.one_of(
    st.sampled_from(VOCABULARY),
    st.sampled_from(VOCABULARY).map(lambda w: w[: max(1, len(w) // 2)]),
    st.sampled_from(VOCABULARY).map(str.upper),
    st.sampled_from(OPERATORS),
    st.text(SYNTAX, min_size=1, max_size=3),
)
QUERIES = st.lists(_PIECES, max_size=8).map(" ".join)


@FUZZ
@given(query=QUERIES)
def test_finds_exactly_the_notes_with_every_word(
    clinic: tuple[Store, dict], query: str
) -> None:
    store, texts = clinic
    hits = store.search_notes(query, limit=1000)
    assert {(h.visit_id, h.section) for h in hits} == expected(texts, query)


@FUZZ
@given(
    query=st.one_of(
        st.text(max_size=200),
        st.text(SYNTAX + "NEARORANDNOT", max_size=100),
        st.text(min_size=5000, max_size=20_000),
        st.lists(st.sampled_from(OPERATORS), max_size=600).map(" ".join),
        st.text(st.characters(categories=["Cs", "L", "Zs", "P"]), max_size=50),
    )
)
def test_any_text_never_raises(clinic: tuple[Store, dict], query: str) -> None:
    """Any unicode (lone surrogates too), huge or full of FTS5 syntax: a list."""
    store, texts = clinic
    hits = store.search_notes(query)
    assert isinstance(hits, list)
    for hit in hits:  # only real notes come back
        assert (hit.visit_id, hit.section) in texts


@FUZZ
@given(query=st.text(st.characters(categories=["Cs", "L", "N", "P", "Zs", "Cc"])))
def test_patient_search_takes_any_text(clinic: tuple[Store, dict], query: str) -> None:
    """Patient search per keystroke: any text, lone surrogates and NULs too."""
    store, _texts = clinic
    found = store.find_patients(query)
    assert all(p.chart_number == "FZ-1" for p in found)


_ASCII_TEXT = st.lists(
    st.one_of(
        st.sampled_from([w for w in VOCABULARY if w.isascii()]),
        st.sampled_from([w for w in VOCABULARY if w.isascii()]).map(str.upper),
        st.text(st.characters(codec="ascii"), max_size=6),
    ),
    max_size=80,
).map(" ".join)


@FUZZ
@given(
    text=_ASCII_TEXT,
    words=st.lists(
        st.one_of(_PIECES, st.text(max_size=4)).map(lambda w: w.strip() or "x"),
        min_size=1,
        max_size=4,
    ),
)
def test_the_ascii_excerpt_marks_what_the_token_by_token_one_marks(
    text: str, words: list[str]
) -> None:
    """The fast path for ASCII notes is the same excerpt, character for character."""
    assert search.excerpt_ascii(text, words, "[", "]") == search.excerpt_by_tokens(
        text, words, "[", "]"
    )
