"""Tests for where the app keeps its files."""

from __future__ import annotations

from pathlib import Path

from companion.paths import data_dir_from_argv, default_paths, resolve_paths


def test_data_dir_argument_wins_over_environment(tmp_path: Path) -> None:
    """--data-dir beats COMPANION_HOME and puts every folder under it."""
    env = {"COMPANION_HOME": str(tmp_path / "env")}
    paths = resolve_paths(tmp_path / "arg", environ=env)
    root = (tmp_path / "arg").resolve()
    for folder in (paths.data_dir, paths.config_dir, paths.backup_dir, paths.database):
        assert folder.is_relative_to(root)


def test_environment_overrides_platform_folders(tmp_path: Path) -> None:
    """COMPANION_HOME moves everything when no --data-dir is given."""
    paths = resolve_paths(None, environ={"COMPANION_HOME": str(tmp_path)})
    assert paths.database == tmp_path.resolve() / "companion.db"
    assert paths.settings_file.is_relative_to(tmp_path.resolve())


def test_defaults_come_from_platformdirs() -> None:
    """Without overrides the platform's per-user folders are used."""
    paths = resolve_paths(None, environ={})
    assert paths == default_paths()
    assert "SpineCompanion" in str(paths.data_dir)


def test_ensure_creates_folders(tmp_path: Path) -> None:
    """ensure() creates the data, config and backup folders."""
    paths = resolve_paths(tmp_path / "new", environ={}).ensure()
    assert (
        paths.data_dir.is_dir()
        and paths.config_dir.is_dir()
        and paths.backup_dir.is_dir()
    )


def test_data_dir_from_argv_reads_both_spellings() -> None:
    """Both --data-dir PATH and --data-dir=PATH are understood."""
    assert data_dir_from_argv(["--data-dir", "/x"]) == "/x"
    assert data_dir_from_argv(["--demo", "--data-dir=/y"]) == "/y"
    assert data_dir_from_argv(["--demo"]) is None
