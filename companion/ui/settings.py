"""Window and preference settings kept in an INI file in the config folder.

Every value is checked when it is read, not only when a menu writes it: the
file is plain text anyone can edit, and a value no menu would write (inf, a
number of minutes Qt's timers overflow on, a 10 MB window state) must not stop
the records from opening. A value that fails its rule reads as the default.
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

# Longest text or byte value read back; window states are a few hundred bytes.
MAX_TEXT = 500
MAX_BYTES = 64 * 1024
# Numbers kept as text: (lowest, highest); out of range is clamped, not refused.
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    # The app lock's idle time, in minutes (its menu offers the same range).
    "security/idle_minutes": (1, 240),
}
# Text with a fixed set of values.
CHOICES: dict[str, frozenset[str]] = {
    "ui/language": frozenset({"en", "es"}),
    "diagram/view": frozenset({"posterior", "lateral"}),
    "patient_screen/show_name": frozenset({"true", "false"}),
}


def _clamped_number(text: str, bounds: tuple[int, int]) -> str | None:
    """A finite number as whole text within bounds, or None if it is not one."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    low, high = bounds
    return str(int(min(max(number, low), high)))


def _printable(text: str) -> bool:
    return len(text) <= MAX_TEXT and all(c.isprintable() for c in text)


def checked_text(key: str, value: str) -> str | None:
    """The value as the app may use it, or None to fall back to the default."""
    if key in NUMBER_RANGES:
        return _clamped_number(value, NUMBER_RANGES[key])
    if key in CHOICES:
        return value if value in CHOICES[key] else None
    return value if _printable(value) else None


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
        """The text under key, if it passes its rule (checked_text); else default."""
        value = self._qsettings.value(key, default)
        if not isinstance(value, str):
            return default
        checked = checked_text(key, value)
        return default if checked is None else checked

    def get_bytes(self, key: str) -> QByteArray | None:
        """Saved window geometry or state, or None if absent or implausibly big."""
        value = self._qsettings.value(key)
        if not isinstance(value, QByteArray) or value.size() > MAX_BYTES:
            return None
        return value

    def set(self, key: str, value: object) -> None:
        self._qsettings.setValue(key, value)

    def sync(self) -> None:
        self._qsettings.sync()


def make_settings_private(settings: Settings) -> None:
    """Write the settings file now and make it readable by this user only."""
    path = Path(settings.path)
    if os.name != "nt":
        with contextlib.suppress(OSError):
            if path.stat().st_mode & 0o077 == 0:
                # Already written and this user's alone: a sync here (QSettings'
                # lock file) cost 2–9 ms before every first paint for nothing.
                return
    settings.sync()
    if os.name != "nt":
        with contextlib.suppress(OSError):  # not written yet, or not ours to change
            path.chmod(0o600)
