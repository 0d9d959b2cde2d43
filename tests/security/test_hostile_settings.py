"""A hand-edited or hostile settings.ini never stops the app: each value is checked."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from companion.ui.main_window import MainWindow
from companion.ui.settings import CHOICES, MAX_TEXT, NUMBER_RANGES, Settings

Launch = Callable[..., MainWindow]
KEYS = [*NUMBER_RANGES, *CHOICES, "clinic/name", "diagram/selection"]
HOSTILE_NUMBERS = [
    "1e12",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "1e309",
    "35792",
    "99999999999999999999",
    "-5",
    "0",
    "",
    "  7  ",
    "0x10",
    "5 minutes",
    "@Variant(\\0\\0\\0\\x7f)",
    "1,2",
]


def _write_ini(path: Path, values: dict[str, str]) -> None:
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.split("/", 1)
        sections.setdefault(section, []).append(f"{name}={value}")
    text = "".join(
        f"[{section}]\n" + "\n".join(lines) + "\n"
        for section, lines in sections.items()
    )
    path.write_text(text, encoding="utf-8", errors="surrogatepass")


def _check(settings_file: Settings, key: str) -> None:
    value = settings_file.get_str(key, "DEFAULT")
    if value == "DEFAULT":
        return
    if key in NUMBER_RANGES:
        low, high = NUMBER_RANGES[key]
        number = float(value)
        assert math.isfinite(number) and low <= number <= high, value
    elif key in CHOICES:
        assert value in CHOICES[key], value
    else:
        assert len(value) <= MAX_TEXT and value.isprintable(), value


# Qt itself warns when it cannot decode a hand-written @Variant; what matters
# is that the value then reads as the default.
pytestmark = pytest.mark.qt_log_ignore("QVariant::load: unknown user type")


@pytest.mark.parametrize("text", HOSTILE_NUMBERS)
def test_idle_minutes_are_finite_and_in_range_whatever_the_file_says(
    tmp_path: Path, text: str
) -> None:
    """inf, NaN, 1e12, words or Qt variants: the default or a clamped number."""
    ini = tmp_path / "settings.ini"
    _write_ini(ini, {"security/idle_minutes": text})
    value = Settings(ini).get_str("security/idle_minutes", "5")
    low, high = NUMBER_RANGES["security/idle_minutes"]
    assert low <= float(value) <= high and value == str(int(float(value)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.dictionaries(
        st.sampled_from(KEYS),
        st.one_of(
            st.sampled_from(HOSTILE_NUMBERS),
            st.text(max_size=2000).filter(lambda t: "\n" not in t and "\r" not in t),
            st.floats().map(repr),
            st.integers().map(str),
        ),
    )
)
def test_fuzzed_settings_files_only_ever_read_back_valid_values(
    tmp_path_factory: pytest.TempPathFactory, values: dict[str, str]
) -> None:
    """Any text for any known key reads back as a valid value or the default."""
    ini = tmp_path_factory.mktemp("ini") / "settings.ini"
    _write_ini(ini, values)
    loaded = Settings(ini)
    for key in KEYS:
        _check(loaded, key)
    assert loaded.get_bytes("window/geometry") is None or (
        loaded.get_bytes("window/geometry").size() <= 64 * 1024
    )


def test_the_app_opens_its_records_with_a_hostile_settings_file(
    launch: Launch, qtbot: QtBot, tmp_path: Path
) -> None:
    """idle_minutes=1e12 and an unknown view and language: the records still open."""
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    _write_ini(
        home / "config" / "settings.ini",
        {
            "security/idle_minutes": "1e12",
            "ui/language": "klingon",
            "diagram/view": "inferior",
            "diagram/selection": "C99",
        },
    )
    window = launch(home)
    qtbot.waitUntil(lambda: window.app_lock is not None, timeout=10_000)
    assert window.ops is not None  # before: OverflowError, no records
    assert window.state.language == "en"
    assert window.spine_view.current_view() == "posterior"
    assert window.app_lock.idle_timer.interval() == 240 * 60_000
