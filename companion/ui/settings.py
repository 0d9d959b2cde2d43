"""Window and preference settings kept in an INI file in the config folder."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings


class Settings:
    """Typed access to the few values the app remembers between runs."""

    SCHEMA_VERSION = 1

    def __init__(self, path: Path) -> None:
        self._qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        self._qsettings.setValue("schema_version", self.SCHEMA_VERSION)

    @property
    def path(self) -> str:
        return self._qsettings.fileName()

    def get_str(self, key: str, default: str = "") -> str:
        value = self._qsettings.value(key, default)
        return value if isinstance(value, str) else default

    def get_bytes(self, key: str) -> QByteArray | None:
        value = self._qsettings.value(key)
        return value if isinstance(value, QByteArray) else None

    def set(self, key: str, value: object) -> None:
        self._qsettings.setValue(key, value)

    def sync(self) -> None:
        self._qsettings.sync()


def make_settings_private(settings: Settings) -> None:
    """Write the settings file now and make it readable by this user only."""
    settings.sync()
    path = Path(settings.path)
    if os.name != "nt":
        with contextlib.suppress(OSError):  # not written yet, or not ours to change
            path.chmod(0o600)
