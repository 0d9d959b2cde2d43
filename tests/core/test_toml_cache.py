"""Tests for cached TOML parsing: a warm cache gives what a parse would, unparsed."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from companion.core import i18n
from companion.core.content import (
    DEFAULT_CONTENT_DIR,
    ContentError,
    clear_cache,
    load_all,
)
from companion.core.toml_cache import load_toml

SAMPLE = """title = "Spine"
[muscle]
name = "Multifidus"
span = ["C2", "S1"]
weeks = [2, 6]
deep = true
ratio = 0.5
"""


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "sample.toml"
    path.parent.mkdir()
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_text: str) -> None:
        raise AssertionError("parsed although the cache was warm")

    monkeypatch.setattr(tomllib, "loads", refuse)


def test_a_warm_cache_answers_without_parsing(source, tmp_path, monkeypatch):
    """The first load fills the cache; the next gives the same data, unparsed."""
    cache = tmp_path / "cache"
    first = load_toml(source, cache)
    assert first == tomllib.loads(SAMPLE)
    no_parsing(monkeypatch)
    assert load_toml(source, cache) == first


def test_an_edited_or_damaged_cache_means_a_parse(source, tmp_path):
    """An edit to the file, or junk in the cache, gives freshly parsed data."""
    cache = tmp_path / "cache"
    load_toml(source, cache)
    source.write_text(SAMPLE.replace("Multifidus", "Rotatores"), encoding="utf-8")
    assert load_toml(source, cache)["muscle"]["name"] == "Rotatores"
    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[:-7])
    assert load_toml(source, cache)["muscle"]["name"] == "Rotatores"


def test_syntax_errors_are_raised_with_or_without_a_cache(tmp_path):
    """A broken file raises tomllib's error whether or not a cache is given."""
    broken = tmp_path / "broken.toml"
    broken.write_text("title = \n", encoding="utf-8")
    for cache in (None, tmp_path / "cache"):
        with pytest.raises(tomllib.TOMLDecodeError):
            load_toml(broken, cache)


def test_content_from_a_warm_cache_equals_a_fresh_parse(tmp_path, monkeypatch):
    """load_all with a cache folder gives the same validated content, then unparsed."""
    content_dir = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content_dir)
    cache = tmp_path / "cache"
    clear_cache()
    try:
        fresh = load_all(content_dir)
        clear_cache()
        assert load_all(content_dir, cache) == fresh
        clear_cache()
        no_parsing(monkeypatch)
        assert load_all(content_dir, cache) == fresh
    finally:
        clear_cache()


def test_a_damaged_cache_never_changes_content(tmp_path):
    """Whatever happens to the cache folder's files, content is what the files say."""
    content_dir = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content_dir)
    cache = tmp_path / "cache"
    clear_cache()
    try:
        fresh = load_all(content_dir, cache)
        entries = sorted(cache.iterdir())
        assert len(entries) == 4  # spine, references, en, es
        damage = (
            lambda b: b"",
            lambda b: b[: len(b) // 2],
            lambda b: b[::-1],
            lambda b: b[:-100] + bytes([b[-100] ^ 1]) + b[-99:],
        )
        for spoil in damage:
            for entry in entries:
                entry.write_bytes(spoil(entry.read_bytes()))
            clear_cache()
            assert load_all(content_dir, cache) == fresh
    finally:
        clear_cache()


def test_content_errors_still_name_file_and_key_with_a_warm_cache(tmp_path):
    """Validation runs on cached data too: a broken edit is reported as before."""
    content_dir = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content_dir)
    cache = tmp_path / "cache"
    clear_cache()
    try:
        load_all(content_dir, cache)
        spine = content_dir / "spine.toml"
        text = spine.read_text(encoding="utf-8")
        spine.write_text(text.replace('"rhomboids"', '"rhomboidz"', 1), "utf-8")
        clear_cache()
        with pytest.raises(ContentError, match="rhomboidz"):
            load_all(content_dir, cache)
        spine.write_text(text + "\n[[broken\n", encoding="utf-8")
        clear_cache()
        with pytest.raises(ContentError) as raised:
            load_all(content_dir, cache)
        assert raised.value.file == "spine.toml"
        assert "TOML syntax error" in raised.value.problem
    finally:
        clear_cache()


def test_strings_go_through_the_cache_folder(tmp_path, monkeypatch):
    """strings(..., cache_dir) parses a strings file once across runs."""
    folder = tmp_path / "i18n"
    folder.mkdir()
    (folder / "en.toml").write_text('[menu]\nfile = "File"\n', encoding="utf-8")
    cache = tmp_path / "cache"
    assert i18n.strings("en", folder, cache).t("menu.file") == "File"
    assert len(list(cache.iterdir())) == 1
    monkeypatch.setattr(i18n, "_TABLES", {})  # a new run: only the cache remembers
    no_parsing(monkeypatch)
    assert i18n.strings("en", folder, cache).t("menu.file") == "File"
