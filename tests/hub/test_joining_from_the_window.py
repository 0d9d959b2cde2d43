"""A single-room clinic never loads psycopg; --clinic-server opens the join dialog."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from tests.probe import run_python

_PROBE = textwrap.dedent(
    """
    import sys
    from companion.app import build_ready
    window = build_ready(["--data-dir", {folder!r}])
    assert window.clinic_server is not None
    loaded = sorted(m for m in sys.modules if m.split(".")[0].startswith("psycopg"))
    assert not loaded, loaded
    window.close()
    """
)


def test_a_room_that_never_joined_does_not_load_psycopg(tmp_path: Path) -> None:
    """The client library is imported only once a clinic server is configured."""
    result = run_python(_PROBE.format(folder=str(tmp_path / "room")), timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_command_line_address_opens_the_join_dialog(
    qtbot: Any, tmp_path: Path
) -> None:
    """--clinic-server URL: once the records are open, the dialog asks to join."""
    from companion.app import build_ready

    url = "postgresql://room1@clinic-server:5432/companion_hub"
    window = build_ready(["--data-dir", str(tmp_path / "room"), "--clinic-server", url])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: hasattr(window.clinic_server, "dialog"), timeout=10000)
    dialog = window.clinic_server.dialog
    assert dialog.address.text() == url
    assert dialog.check_button.text() == "Check the server"
    assert dialog.join_button.isHidden()  # nothing to trust before a check
    # The address is given: typing goes to the password, not onto the address.
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.password, timeout=5000)
    assert dialog.address.width() >= dialog.address.fontMetrics().horizontalAdvance(url)
    dialog.close()
