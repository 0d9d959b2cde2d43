"""Tests of start-up: the app refuses to start on broken content, with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from companion.core.content import DEFAULT_CONTENT_DIR, clear_cache


def test_broken_content_stops_start_with_file_key_and_problem(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A content file naming an unknown muscle stops start-up with a precise message."""
    from companion.app import StartupError, build

    broken = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, broken)
    spine = broken / "spine.toml"
    text = spine.read_text(encoding="utf-8")
    spine.write_text(text.replace('"rhomboids"', '"rhomboidz"', 1), encoding="utf-8")
    monkeypatch.setenv("COMPANION_CONTENT_DIR", str(broken))
    clear_cache()
    try:
        with pytest.raises(StartupError) as raised:
            build(["--data-dir", str(tmp_path / "home")])
    finally:
        clear_cache()
    message = str(raised.value)
    assert "spine.toml" in message and "rhomboidz" in message
    assert not (tmp_path / "home" / "companion.db").exists()


def test_an_unusable_data_folder_stops_start_with_a_clear_message(
    qtbot, tmp_path: Path
) -> None:
    """A file where the data folder should be: refused, naming the folder."""
    from companion.app import StartupError, build

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(StartupError) as raised:
        build(["--data-dir", str(blocker / "clinic")])
    message = str(raised.value)
    assert "cannot use its data folder" in message
    assert "not-a-folder" in message and "--data-dir" in message
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"
