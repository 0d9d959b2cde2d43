"""Where the app keeps its database, backups, drafts and settings on this machine."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

APP_NAME = "SpineCompanion"
APP_AUTHOR = "SpineCompanion"
ENV_HOME = "COMPANION_HOME"

# The repository's bundled, read-only assets (content, diagrams, styles).
ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


class AppPaths(NamedTuple):
    """The folders and files the app writes; everything lives under these."""

    data_dir: Path
    config_dir: Path
    backup_dir: Path
    # Parsed content and diagram outlines, to start faster; safe to delete.
    cache_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "companion.db"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.ini"

    @property
    def export_dir(self) -> Path:
        return self.data_dir / "exports"

    def ensure(self) -> AppPaths:
        """Create the folders (private to this user on POSIX) and return self."""
        for folder in (self.data_dir, self.config_dir, self.backup_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if os.name != "nt":
                # Patient data: no other account on the PC may list or read it.
                folder.chmod(0o700)
        return self


def paths_under(home: Path) -> AppPaths:
    """All app folders under one root, as --data-dir and COMPANION_HOME ask."""
    home = home.expanduser().resolve()
    return AppPaths(
        data_dir=home,
        config_dir=home / "config",
        backup_dir=home / "backups",
        cache_dir=home / "cache",
    )


def default_paths() -> AppPaths:
    """The platform's per-user folders (e.g. ~/.local/share/SpineCompanion)."""
    # Only here: with --data-dir or COMPANION_HOME it is never needed (≈3–5 ms
    # of start-up before the first paint).
    import platformdirs

    data = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    config = Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))
    cache = Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))
    return AppPaths(
        data_dir=data, config_dir=config, backup_dir=data / "backups", cache_dir=cache
    )


def resolve_paths(
    data_dir: str | os.PathLike[str] | None = None,
    environ: dict[str, str] | os._Environ[str] | None = None,
) -> AppPaths:
    """--data-dir wins, then COMPANION_HOME, then the platform's defaults."""
    env = os.environ if environ is None else environ
    if data_dir:
        return paths_under(Path(data_dir))
    if env.get(ENV_HOME):
        return paths_under(Path(env[ENV_HOME]))
    return default_paths()


def data_dir_from_argv(argv: Sequence[str]) -> str | None:
    """The value of --data-dir PATH or --data-dir=PATH in argv, if given."""
    for i, arg in enumerate(argv):
        if arg == "--data-dir" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--data-dir="):
            return arg.split("=", 1)[1]
    return None
