"""Store errors carry a message key the strings files translate, and stay English."""

from __future__ import annotations

import ast
import pickle
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

import companion.store.cipher
import companion.store.keys
from companion.core.i18n import strings
from companion.store import StoreError, open_store
from companion.store.errors import MESSAGES

COMPANION = Path(companion.store.__file__).resolve().parents[1]
STORE = COMPANION / "store"


def placeholders(text: str) -> set[str]:
    """The {names} a sentence is filled with."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def error_classes() -> set[str]:
    """StoreError and every subclass the store defines, by name."""
    found, todo = set(), [StoreError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return found


@dataclass(frozen=True)
class Raise:
    """One StoreError(...) call in the source."""

    path: Path
    line: int
    key: str | None  # None: raised with bare text
    values: frozenset[str]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(COMPANION.parent)}:{self.line}"


def store_error_calls() -> list[Raise]:
    """Every call that makes a StoreError (or subclass) anywhere in companion/."""
    names = error_classes()
    calls: list[Raise] = []
    for path in sorted(COMPANION.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in names:
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            key_node = keywords.pop("key", None)
            key = None
            if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
                key = key_node.value
            calls.append(Raise(path, node.lineno, key, frozenset(keywords)))
    return calls


def test_every_store_error_in_the_store_has_a_message_key() -> None:
    """No store error is raised with bare text the interface cannot translate."""
    calls = store_error_calls()
    assert len({c.key for c in calls if c.key}) >= 15  # the scan does find them
    bare = [c.where for c in calls if c.key is None and STORE in c.path.parents]
    assert bare == []


def test_every_key_is_in_both_strings_files_with_the_same_placeholders() -> None:
    """Each raise names a known sentence and fills exactly its placeholders."""
    english, spanish = strings("en").table, strings("es").table
    used = {c.key for c in store_error_calls() if c.key}
    assert used == set(MESSAGES), "a message no raise uses, or a raise with no message"
    for call in store_error_calls():
        if call.key is None:
            continue
        assert call.values == placeholders(MESSAGES[call.key]), call.where
    for key, sentence in MESSAGES.items():
        name = f"store_error.{key}"
        # The English interface shows exactly what str(error) says.
        assert english.get(name) == sentence, name
        assert name in spanish, f"es.toml: {name}: missing string"
        assert placeholders(spanish[name]) == placeholders(sentence), name
        assert spanish[name] != sentence, f"es.toml: {name}: not translated"
    section = {k for k in english if k.startswith("store_error.")}
    assert section == {f"store_error.{k}" for k in MESSAGES}


def test_a_real_error_carries_its_key_and_reads_as_english(tmp_path: Path) -> None:
    """A save on a closed store: key 'closed', the English sentence as str()."""
    store = open_store(tmp_path / "companion.db")
    store.close()
    with pytest.raises(StoreError) as caught:
        store.create_patient(chart_number="C-1")
    assert caught.value.key == "closed"
    assert caught.value.params == {}
    assert str(caught.value) == "The database is closed."


def test_values_are_kept_as_text_and_survive_pickling(tmp_path: Path) -> None:
    """Placeholders are filled with text; a pickled error keeps its key and values."""
    error = companion.store.cipher.WrongKey(key="wrong_key", path=tmp_path / "x.db")
    assert error.params == {"path": str(tmp_path / "x.db")}
    assert str(error) == MESSAGES["wrong_key"].format(path=tmp_path / "x.db")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.key, copy.params, str(copy)) == (
        companion.store.cipher.WrongKey,
        "wrong_key",
        error.params,
        str(error),
    )


def test_bare_text_and_unknown_keys() -> None:
    """Bare text still works (no key); an unknown key or missing value fails loudly."""
    plain = StoreError("No database here.")
    assert (plain.key, plain.params, str(plain)) == ("", {}, "No database here.")
    with pytest.raises(KeyError):
        StoreError(key="no_such_message")
    with pytest.raises(KeyError):
        companion.store.keys.KeyUnavailable(key="keyinfo_unreadable")
