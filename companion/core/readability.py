"""Score how easy patient-facing text is to read, in English and Spanish."""

from __future__ import annotations

import functools
import re
from types import ModuleType

from companion.core.content import Content

# English: Flesch–Kincaid grade level (Kincaid et al., 1975), a US school grade.
# The app's patient text must score 8 or below (NIH); aim for 6 (AMA, AHRQ).
ENGLISH_MAX_GRADE = 8.0

# Spanish: Szigriszt-Pazos perspicuity read on the INFLESZ scale (Barrio-Cantalejo
# et al., Anales Sis San Navarra 2008), which was validated on texts for patients.
# Unlike a US grade, higher is easier. Fernández-Huerta was not chosen: its
# published forms disagree on the sentence term, so a score depends on the source.
INFLESZ_BANDS: tuple[tuple[float, str], ...] = (
    (80.0, "muy fácil"),
    (65.0, "bastante fácil"),
    (55.0, "normal"),
    (40.0, "algo difícil"),
    (float("-inf"), "muy difícil"),
)
SPANISH_MIN_EASE = 55.0  # the bottom of INFLESZ "normal"

# English syllables come from syllapy (MIT, no dependencies, its word list ships
# inside the wheel, so it never touches the network). textstat 0.7.13 was not
# used: its English syllables come from nltk's cmudict, which it downloads on
# first use and so fails offline, and its Spanish ones come from pyphen's
# hyphenation patterns, which miss hiatus and word-initial vowels (a-gua, dí-a)
# and made this app's Spanish texts look about 8 INFLESZ points easier than they
# are. Spanish spelling marks its syllables, so a rule counter is exact there.

# A written number is read as a word; most short ones ("fifteen", "veinte",
# "cuatro") have about two syllables, so count each number as two.
_NUMBER_SYLLABLES = 2

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?…]+")

# Spanish vowels that can carry a syllable on their own. An accent on i or u
# breaks a diphthong (dí-a, ba-úl), so accented i and u count as strong here.
_ES_STRONG = frozenset("aeoáéóíú")
_ES_WEAK = frozenset("iuü")


def english_grade(text: str) -> float:
    """Flesch–Kincaid grade level of English text (lower is easier)."""
    words, sentences = _words_and_sentences(text)
    syllables = sum(english_syllables(word) for word in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def spanish_ease(text: str) -> float:
    """Szigriszt-Pazos perspicuity (INFLESZ scale) of Spanish text; higher is easier.

    Bands: under 40 muy difícil, 40–55 algo difícil, 55–65 normal, 65–80 bastante
    fácil, over 80 muy fácil. Patient text should score 55 or more.
    """
    words, sentences = _words_and_sentences(text)
    syllables = sum(spanish_syllables(word) for word in words)
    return 206.835 - 62.3 * syllables / len(words) - len(words) / sentences


def inflesz_band(score: float) -> str:
    """The INFLESZ band (in Spanish, as published) that a spanish_ease score is in."""
    return next(name for bottom, name in INFLESZ_BANDS if score >= bottom)


def patient_texts(content: Content) -> list[tuple[str, str]]:
    """Every patient-facing text in the content, as (key, text) in display order.

    Keys follow the language files: "general.notice", "muscle.multifidus.patient".
    """
    general = [
        (f"general.{key}", text)
        for key, text in content.general.items()
        if key in ("spasm_what", "notice") or key.endswith("_patient")
    ]
    items: list[tuple[str, str]] = [
        *((f"region.{r.id}.patient", r.patient) for r in content.regions.values()),
        *((f"muscle.{m.id}.patient", m.patient) for m in content.muscles.values()),
        *((f"cause.{c.id}.patient", c.patient) for c in content.causes),
        *((f"red_flag.{f.id}.patient", f.patient) for f in content.red_flags),
        *((f"option.{o.id}.patient", o.patient) for o in content.options),
        *((f"prevention.{p.id}.patient", p.patient) for p in content.prevention),
        *((f"radicular.{r}.patient", x.patient) for r, x in content.radicular.items()),
        ("escalation.patient", content.escalation.patient),
    ]
    return general + items


def _words_and_sentences(text: str) -> tuple[list[str], int]:
    words = _WORD.findall(text)
    if not words:
        raise ValueError("no words to score")
    # Text that ends without a full stop still holds one sentence.
    sentences = sum(1 for part in _SENTENCE_END.split(text) if _WORD.search(part))
    return words, max(sentences, 1)


@functools.cache
def _syllapy() -> ModuleType:
    # Imported on first use so the rest of this module works where syllapy (a
    # test-only dependency) is not installed.
    import syllapy

    return syllapy


def english_syllables(word: str) -> int:
    """Syllables of one English word, from syllapy's word list or its rules."""
    if word[0].isdigit():
        return _NUMBER_SYLLABLES
    syllapy = _syllapy()
    word = word.replace("’", "'")
    # Short capitalised abbreviations are spelled out: ER, MRI.
    if word.isupper() and len(word) <= 4 and word.lower() not in syllapy.WORD_DICT:
        return len(word)
    return max(syllapy.count(word), 1)


def spanish_syllables(word: str) -> int:
    """Syllables of one Spanish word, counted from its vowel nuclei (RAE rules)."""
    if word[0].isdigit():
        return _NUMBER_SYLLABLES
    # h is silent and does not split a diphthong (ahu-mar); y is a consonant
    # except as the word "y" or at the end of a diphthong (hoy), where it adds
    # no syllable, so treating it as a consonant counts both right. A doubled
    # weak vowel is a hiatus: an-ti-in-fla-ma-to-rio.
    letters = word.lower().replace("h", "").replace("ii", "i.i").replace("uu", "u.u")
    # Each run of vowels makes one syllable per strong vowel (two strong vowels
    # are in hiatus); a run of weak vowels alone (iu, ui) makes one.
    count = strong = 0
    in_run = False
    for ch in (*letters, " "):
        if ch in _ES_STRONG:
            strong += 1
            in_run = True
        elif ch in _ES_WEAK:
            in_run = True
        elif in_run:
            count += max(strong, 1)
            strong = 0
            in_run = False
    return max(count, 1)
