"""Readability of every patient text in English and Spanish, and en/es key parity."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from companion.core.content import Content, load_all
from companion.core.readability import (
    ENGLISH_MAX_GRADE,
    SPANISH_MIN_EASE,
    english_grade,
    english_syllables,
    inflesz_band,
    patient_texts,
    spanish_ease,
    spanish_syllables,
)
from tests.probe import run_python

WORST_SHOWN = 5

# Words that are English, never Spanish: one in a Spanish text means a sentence
# was left untranslated.
ENGLISH_ONLY = frozenset(
    {"the", "your", "you", "and", "with", "this", "that", "is", "are", "will", "if"}
)


@pytest.fixture(scope="module")
def languages() -> dict[str, Content]:
    """Every language file, loaded and validated."""
    return load_all()


def scored(
    content: Content, score: Callable[[str], float], worst_first: bool
) -> list[tuple[float, str, str]]:
    """(score, key, text) for every patient text, worst first."""
    results = [(score(text), key, text) for key, text in patient_texts(content)]
    return sorted(results, reverse=worst_first)


def print_worst(title: str, results: list[tuple[float, str, str]]) -> None:
    """Print the worst few scores (seen with -s, and with any failure)."""
    print(f"\n{title}: {WORST_SHOWN} hardest of {len(results)} patient texts")
    for value, key, text in results[:WORST_SHOWN]:
        print(f"  {value:6.1f}  {key}: {text[:70]}…")


# ------------------------------------------------------------------ scoring ---


def test_english_patient_texts_are_grade_8_or_below(
    languages: dict[str, Content],
) -> None:
    """Every English patient text scores Flesch–Kincaid grade 8 or below."""
    results = scored(languages["en"], english_grade, worst_first=True)
    print_worst("English, Flesch–Kincaid grade (lower is easier)", results)
    too_hard = [(key, round(v, 1)) for v, key, _ in results if v > ENGLISH_MAX_GRADE]
    assert not too_hard, f"above grade {ENGLISH_MAX_GRADE}: {too_hard}"


def test_spanish_patient_texts_are_inflesz_normal_or_easier(
    languages: dict[str, Content],
) -> None:
    """Every Spanish patient text scores INFLESZ 55 ("normal") or more."""
    results = scored(languages["es"], spanish_ease, worst_first=False)
    print_worst("Spanish, INFLESZ (higher is easier; 55+ is normal)", results)
    too_hard = [(key, round(v, 1)) for v, key, _ in results if v < SPANISH_MIN_EASE]
    assert not too_hard, f"below INFLESZ {SPANISH_MIN_EASE}: {too_hard}"


def test_patient_texts_cover_every_item(languages: dict[str, Content]) -> None:
    """patient_texts lists each item's patient text plus the general ones."""
    content = languages["en"]
    keys = [key for key, _ in patient_texts(content)]
    assert len(keys) == len(set(keys))
    assert {"general.spasm_what", "general.notice", "escalation.patient"} <= set(keys)
    items = (
        len(content.regions)
        + len(content.muscles)
        + len(content.causes)
        + len(content.red_flags)
        + len(content.options)
        + len(content.prevention)
        + len(content.radicular)
    )
    assert sum(key.endswith(".patient") for key in keys) == items + 1
    assert "muscle.multifidus.patient" in keys
    assert not any("clinician" in key for key in keys)


def test_english_grade_ranks_plain_text_below_dense_text() -> None:
    """Short everyday sentences score a low grade; dense clinical prose a high one."""
    plain = "Keep moving. Take short walks. Use heat on the sore spot."
    dense = (
        "Paraspinal musculature demonstrates involuntary sustained contraction, "
        "frequently representing a protective response to ligamentous injury."
    )
    assert english_grade(plain) < 3 < ENGLISH_MAX_GRADE < english_grade(dense)


def test_spanish_ease_ranks_plain_text_above_dense_text() -> None:
    """Plain Spanish is INFLESZ 'fácil'; dense clinical Spanish is 'muy difícil'."""
    plain = "Siga moviéndose. Camine un poco cada día. Use calor en la zona."
    dense = (
        "La musculatura paravertebral presenta contracciones involuntarias "
        "sostenidas, frecuentemente secundarias a lesiones ligamentosas."
    )
    assert inflesz_band(spanish_ease(plain)) in ("bastante fácil", "muy fácil")
    assert inflesz_band(spanish_ease(dense)) == "muy difícil"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("dolor", 2),
        ("día", 2),  # accented i: hiatus
        ("ahí", 2),  # silent h
        ("cuando", 2),  # diphthong
        ("leer", 2),  # two strong vowels
        ("quien", 1),  # silent u
        ("guía", 2),
        ("pingüino", 3),
        ("muy", 1),  # final y closes a diphthong
        ("y", 1),
        ("ayuda", 3),  # y as a consonant
        ("antiinflamatorio", 7),
        ("esternocleidomastoideo", 9),
        ("fisioterapia", 5),
        ("continúa", 4),
    ],
)
def test_spanish_syllables_follow_the_rae_rules(word: str, expected: int) -> None:
    """Diphthongs, hiatus, silent h and u, and y are counted as Spanish is spoken."""
    assert spanish_syllables(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("muscle", 2), ("shoulder", 2), ("ER", 2), ("MRI", 3), ("X-ray", 2)],
)
def test_english_syllables(word: str, expected: int) -> None:
    """Everyday words come from syllapy; short abbreviations are spelled out."""
    assert english_syllables(word) == expected


def test_scoring_empty_text_is_an_error() -> None:
    """Text with no words has no score, rather than a misleading number."""
    with pytest.raises(ValueError, match="no words"):
        english_grade(" … ")
    with pytest.raises(ValueError, match="no words"):
        spanish_ease("")


def test_scoring_needs_no_network() -> None:
    """Both languages score in a fresh interpreter whose sockets all fail."""
    probe = (
        "import socket\n"
        "class NoNetwork(socket.socket):\n"
        "    def __init__(self, *a, **k):\n"
        "        raise OSError('network used')\n"
        "socket.socket = NoNetwork\n"
        "socket.create_connection = NoNetwork\n"
        "from companion.core.readability import english_grade, spanish_ease\n"
        "print(english_grade('A back spasm can hurt a lot. Keep moving.'))\n"
        "print(spanish_ease('Un espasmo puede doler mucho. Siga moviéndose.'))\n"
    )
    result = run_python(probe, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == 2


# ------------------------------------------------------------------- parity ---


def content_ids(content: Content) -> dict[str, list[str]]:
    """The ids of every section, in the order the app shows them."""
    return {
        "region": list(content.regions),
        "muscle": list(content.muscles),
        "cause": [c.id for c in content.causes],
        "red_flag": [f.id for f in content.red_flags],
        "option": [o.id for o in content.options],
        "prevention": [p.id for p in content.prevention],
        "general": sorted(content.general),
    }


def test_english_and_spanish_have_the_same_keys(
    languages: dict[str, Content],
) -> None:
    """load_all validates both files, and they define exactly the same ids."""
    assert {"en", "es"} <= set(languages)
    en, es = languages["en"], languages["es"]
    assert (en.language, es.language) == ("en", "es")
    assert es.language_name == "Español"
    assert content_ids(es) == content_ids(en)
    assert [k for k, _ in patient_texts(es)] == [k for k, _ in patient_texts(en)]


def test_spanish_patient_texts_are_translated(languages: dict[str, Content]) -> None:
    """No Spanish patient text repeats the English or keeps English words."""
    english = dict(patient_texts(languages["en"]))
    same, mixed = [], []
    for key, text in patient_texts(languages["es"]):
        words = re.findall(r"[^\W\d_]+", text.lower())
        # A proper name or short code ("Pilates", "911") may stay as it is.
        if text.strip() == english[key].strip() and len(words) > 2:
            same.append(key)
        if ENGLISH_ONLY & set(words):
            mixed.append((key, sorted(ENGLISH_ONLY & set(words))))
    assert not same, f"Spanish text identical to English: {same}"
    assert not mixed, f"English words in Spanish text: {mixed}"
