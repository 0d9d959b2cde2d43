"""tasks.py names the libraries Qt's X11 plugin lacks, and how to install them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import tasks

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None,
    reason="the X11 plugin check is for Linux, where ldd reads its needs",
)

DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n'
UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n'
FEDORA = 'NAME="Fedora Linux"\nID=fedora\n'


def _real_plugin() -> Path:
    plugin = tasks.xcb_plugin()
    if plugin is None:
        pytest.skip("PySide6 has no xcb plugin here")
    return plugin


def test_a_plugin_whose_libraries_are_elsewhere_lists_them(tmp_path: Path) -> None:
    """A copy of the plugin away from PySide6's Qt folder cannot find Qt's own
    libraries: the check names them; linking the folder back, they are found."""
    real = _real_plugin()
    platforms = tmp_path / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    plugin = platforms / real.name
    shutil.copy2(real, plugin)
    missing = tasks.missing_libraries(plugin)
    assert "libQt6XcbQpa.so.6" in missing
    # The plugin finds Qt through $ORIGIN/../../lib, as inside PySide6.
    (tmp_path / "lib").symlink_to(real.parents[2] / "lib")
    after = tasks.missing_libraries(plugin)
    assert not any(name.startswith("libQt6") for name in after)
    assert set(after) == set(tasks.missing_libraries(real))


def test_nothing_missing_means_no_message() -> None:
    """A binary whose libraries are all present gives no message (the app starts)."""
    assert tasks.missing_libraries(Path(sys.executable).resolve()) == []
    assert tasks.qt_libraries_message(Path(sys.executable).resolve(), DEBIAN) is None
    assert tasks.qt_libraries_message(None, DEBIAN) is None


def test_the_install_command_fits_the_distribution() -> None:
    """apt-get names Debian's packages, dnf Fedora's; unknown ones follow the rule."""
    missing = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo-x11.so.2"]
    assert tasks.package_manager(DEBIAN) == "apt"
    assert tasks.package_manager(UBUNTU) == "apt"
    assert tasks.package_manager(FEDORA) == "dnf"
    assert tasks.package_manager("ID=arch\n") is None
    assert tasks.install_command(missing, "apt") == (
        "sudo apt-get install libfoo-x11-2 libxcb-icccm4 libxcb-keysyms1"
    )
    assert tasks.install_command(missing, "dnf") == (
        "sudo dnf install 'libfoo-x11.so.2()(64bit)' xcb-util-keysyms xcb-util-wm"
    )
    assert "libxcb-icccm.so.4" in tasks.install_command(missing, None)


def test_the_message_names_the_libraries_and_the_command(tmp_path: Path) -> None:
    """The newcomer sees which libraries are missing and the exact command."""
    real = _real_plugin()
    plugin = tmp_path / real.name
    shutil.copy2(real, plugin)
    message = tasks.qt_libraries_message(plugin, FEDORA)
    assert message is not None
    assert "libQt6XcbQpa.so.6" in message and "sudo dnf install" in message


def test_no_display_is_said_plainly_before_qt_blames_a_library() -> None:
    """With every library present but no display, Qt's own message names
    xcb-cursor0; tasks.py says what is really missing and what to do."""
    message = tasks.no_display_message({"HOME": "/home/new"})
    assert message is not None and "DISPLAY" in message
    assert "QT_QPA_PLATFORM=offscreen" in message
    assert tasks.no_display_message({"DISPLAY": ":0"}) is None
    assert tasks.no_display_message({"WAYLAND_DISPLAY": "wayland-0"}) is None
