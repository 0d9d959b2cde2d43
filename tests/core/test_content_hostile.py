"""Hostile content files: the loader's own ContentError naming the file, never raw."""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.core.content import (
    DEFAULT_CONTENT_DIR,
    ContentError,
    clear_cache,
    load_content,
)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def test_deeply_nested_toml_is_a_content_error(content_copy: Path) -> None:
    """Arrays nested 10,000 deep made tomllib raise RecursionError (a traceback)."""
    with open(content_copy / "en.toml", "a", encoding="utf-8") as out:
        out.write("\ndeep = " + "[" * 10_000 + "]" * 10_000 + "\n")
    with pytest.raises(ContentError) as raised:
        load_content("en", content_copy)
    assert raised.value.file == "en.toml"
    assert raised.value.problem == "nested too deeply"


def test_deeply_nested_inline_tables_are_a_content_error(content_copy: Path) -> None:
    with open(content_copy / "es.toml", "a", encoding="utf-8") as out:
        out.write("\ndeep = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n")
    with pytest.raises(ContentError) as raised:
        load_content("es", content_copy)
    assert raised.value.file == "es.toml"


_KEYS = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8)
_SCALARS = st.one_of(
    st.text(max_size=20),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return (
            '"'
            + value.encode("unicode_escape").decode("ascii").replace('"', '\\"')
            + '"'
        )
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=12
)
# Whole documents: valid TOML of random shape, or random text (mostly invalid),
# or real content with random lines inserted.
_DOCUMENTS = st.one_of(
    st.dictionaries(_KEYS, _VALUES, max_size=6).map(
        lambda d: "\n".join(f"{k} = {_toml_value(v)}" for k, v in d.items())
    ),
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
_REAL_EN = (DEFAULT_CONTENT_DIR / "en.toml").read_text(encoding="utf-8")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(document=_DOCUMENTS, spliced=st.booleans(), where=st.integers(0, 10_000))
def test_any_document_gives_content_or_a_content_error(
    content_copy: Path, document: str, spliced: bool, where: int
) -> None:
    """Random TOML (valid or not, alone or spliced into the real file) as en.toml:
    the loader returns content or raises ContentError naming en.toml; nothing else."""
    if spliced:
        lines = _REAL_EN.split("\n")
        at = where % len(lines)
        text = "\n".join([*lines[:at], document, *lines[at:]])
    else:
        text = document
    (content_copy / "en.toml").write_bytes(text.encode("utf-8", "surrogatepass"))
    clear_cache()  # content is kept per folder once it loads
    try:
        load_content("en", content_copy)
    except ContentError as error:
        assert error.file in {"en.toml", "es.toml", "references.toml", "spine.toml"}
