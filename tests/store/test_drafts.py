"""Drafts: stored, replaced, listed, deleted."""

from __future__ import annotations

import pytest

from companion.store import InvalidInput, Store


def test_save_replace_get_delete(store: Store) -> None:
    """A draft is replaced under its key, listed, and gone after delete."""
    store.save_draft("visit:1:S", "half a sent")
    store.save_draft("visit:1:S", "half a sentence")
    store.save_draft("visit:2:O", "{}")
    draft = store.get_draft("visit:1:S")
    assert draft is not None and draft.payload == "half a sentence"
    assert {d.key for d in store.all_drafts()} == {"visit:1:S", "visit:2:O"}
    assert store.delete_draft("visit:1:S") is True
    assert store.delete_draft("visit:1:S") is False
    assert store.get_draft("visit:1:S") is None


def test_empty_key_is_refused(store: Store) -> None:
    """A draft needs a key."""
    with pytest.raises(InvalidInput):
        store.save_draft("", "x")
    assert store.all_drafts() == []
