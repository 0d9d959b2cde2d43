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


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--data-dir", "/srv/clinic"],
        ["--data-dir=/srv/clinic", "--demo"],
        ["--data-dir", "a", "--data-dir", "b"],
        ["--data-dir", ""],
    ],
)
def test_the_usual_starts_are_read_without_argparse_as_argparse_reads_them(
    argv: list[str],
) -> None:
    from companion.app import _parse_plain, parse_args

    plain = _parse_plain(argv)
    assert plain is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("companion.app._parse_plain", lambda _argv: None)
        full = parse_args(argv)
    assert vars(plain) == vars(full)


@pytest.mark.parametrize(
    "argv",
    [["--data"], ["--data-dir"], ["--data-dir", "-x"], ["-platform", "offscreen"],
     ["--clinic-server", "https://x"], ["--help"]],
)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    from companion.app import _parse_plain

    assert _parse_plain(argv) is None
