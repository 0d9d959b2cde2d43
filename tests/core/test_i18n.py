"""Tests for the interface strings and their translation path."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.core.i18n import TranslationError, check_parity, languages, strings


def test_english_and_spanish_strings_are_in_step() -> None:
    """Every interface key exists in both languages and nowhere only once."""
    assert set(languages()) >= {"en", "es"}
    assert check_parity() == []


def test_placeholders_are_filled() -> None:
    """Placeholders take their values in either language."""
    assert strings("en").t("app.selected", name="C5") == "Selected: C5"
    assert "C5" in strings("es").t("app.selected", name="C5")


def test_missing_key_names_file_and_key() -> None:
    """A missing key fails loudly with the file and key."""
    with pytest.raises(
        TranslationError, match=r"en\.toml: nope\.nothing: missing string"
    ):
        strings("en").t("nope.nothing")


def test_parity_reports_a_missing_translation(tmp_path: Path) -> None:
    """A strings file missing a key is reported by name."""
    (tmp_path / "en.toml").write_text('[a]\nb = "x"\nc = "y"\n', encoding="utf-8")
    (tmp_path / "es.toml").write_text('[a]\nb = "x"\n', encoding="utf-8")
    assert check_parity(tmp_path) == ["es.toml: a.c: missing string"]
