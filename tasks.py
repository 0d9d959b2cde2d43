"""Set up a local virtual environment and run the app or the tests (stdlib only)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"

# The distribution package that ships each library Qt's xcb platform plugin
# needs (checked with ldd on PySide6 6.x): (Debian/Ubuntu, Fedora). A library
# not listed here falls back to Debian's naming rule or to dnf's "provides".
QT_XCB_PACKAGES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}


def ensure_venv() -> None:
    """Create .venv; install the project and test extras when pyproject changed."""
    if not PY.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    print("Installing dependencies into .venv …", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # setuptools warns every editable install about same-named folders: noise
    # for a newcomer (the filter reaches the build backend through the env).
    env = {**os.environ, "PYTHONWARNINGS": "ignore:Editable installation"}
    subprocess.run([*pip, "--upgrade", "pip"], check=True, env=env)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True, env=env)
    STAMP.write_text(wanted, encoding="utf-8")


def xcb_plugin(venv: Path = VENV) -> Path | None:
    """Qt's X11 platform plugin inside the installed PySide6, if there is one."""
    found = sorted(
        venv.glob("lib/python3*/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so")
    )
    return found[0] if found else None


def missing_libraries(plugin: Path) -> list[str]:
    """The libraries the plugin (or one it loads) needs and the system lacks.

    Read from ldd, which resolves the whole chain: PySide6's own Qt libraries
    are found beside the plugin, the X11/xcb ones must come from the system.
    """
    try:
        result = subprocess.run(
            ["ldd", str(plugin)], capture_output=True, text=True, check=False
        )
    except OSError:
        return []  # no ldd: let Qt say what it misses
    missing = re.findall(r"^\s*(\S+) => not found", result.stdout, re.MULTILINE)
    return sorted(set(missing))


def package_manager(os_release: str) -> str | None:
    """The package manager (apt or dnf) named by /etc/os-release text, or None."""
    ids: list[str] = []
    for line in os_release.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids += value.strip().strip('"').lower().split()
    if any(i in ("debian", "ubuntu") for i in ids):
        return "apt"
    if any(i in ("fedora", "rhel", "centos") for i in ids):
        return "dnf"
    return None


def _debian_name(library: str) -> str:
    """Debian's rule: libfoo-bar.so.3 is in libfoo-bar3 (libfoo2-3 after a digit)."""
    name, _, version = library.partition(".so.")
    version = version.split(".")[0]
    joiner = "-" if name[-1:].isdigit() else ""
    return f"{name.lower()}{joiner}{version}"


def install_command(missing: list[str], manager: str | None) -> str:
    """The command that installs the packages holding the missing libraries."""
    if manager == "apt":
        names = {
            QT_XCB_PACKAGES.get(lib, (_debian_name(lib), ""))[0] for lib in missing
        }
        return "sudo apt-get install " + " ".join(sorted(names))
    if manager == "dnf":
        names = {
            QT_XCB_PACKAGES[lib][1] if lib in QT_XCB_PACKAGES else f"'{lib}()(64bit)'"
            for lib in missing
        }
        return "sudo dnf install " + " ".join(sorted(names))
    return "install the packages that provide: " + ", ".join(missing)


def qt_libraries_message(plugin: Path | None, os_release: str) -> str | None:
    """What to tell a newcomer whose system lacks Qt's X11 libraries, or None."""
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    if not missing:
        return None
    return (
        "Qt cannot open a window yet: this system lacks "
        + ", ".join(missing)
        + ".\nInstall them with:\n\n    "
        + install_command(missing, package_manager(os_release))
        + "\n\nthen run `python3 tasks.py run` again."
    )


def _needs_xcb() -> bool:
    """True on Linux unless Qt was told to use another platform (e.g. offscreen)."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = os.environ.get("QT_QPA_PLATFORM", "")
    return chosen in ("", "xcb") or chosen.startswith("xcb:")


def no_display_message(environ: dict[str, str]) -> str | None:
    """What to say when there is no display to open a window on, or None.

    Without one Qt fails with a hint about xcb-cursor0 even when every
    library is installed (seen from an SSH session or a container).
    """
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "There is no display to open the window on: neither DISPLAY nor"
        " WAYLAND_DISPLAY is set (an SSH session, a console or a container?)."
        "\nStart it from the desktop (or `ssh -X`); to check that the app starts"
        " without a screen:\n\n    QT_QPA_PLATFORM=offscreen python3 tasks.py run"
    )


def run(args: list[str]) -> int:
    """Launch the app with any extra arguments (e.g. --data-dir PATH, --demo)."""
    if _needs_xcb():
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8")
        except OSError:
            os_release = ""
        message = qt_libraries_message(xcb_plugin(), os_release)
        message = message or no_display_message(dict(os.environ))
        if message is not None:
            print(message, file=sys.stderr)
            return 1
    return subprocess.call([str(PY), str(ROOT / "main.py"), *args])


def test(args: list[str]) -> int:
    """Lint with ruff, then run the whole pytest suite headless."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    lint = subprocess.call([str(BIN / "ruff"), "check", str(ROOT)], cwd=ROOT)
    if lint:
        return lint
    return subprocess.call([str(PY), "-m", "pytest", *args], cwd=ROOT, env=env)


def main() -> int:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print("usage: python3 tasks.py run [app args] | test [pytest args]")
        return 2
    ensure_venv()
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
