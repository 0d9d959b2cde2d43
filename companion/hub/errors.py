"""Why the clinic server could not be used, each as a message fit to show the user."""

from __future__ import annotations

from collections.abc import Mapping

# English text by key; the interface shows [clinic_server_error] from the
# strings files, kept word for word the same as this table by a test.
MESSAGES: Mapping[str, str] = {
    "unreachable": (
        "The clinic server cannot be reached. Everything is saved in this room "
        "and will be sent when it is back."
    ),
    "wrong_certificate": (
        "The clinic server's certificate is not the one this room joined with, "
        "so nothing was sent. Ask whoever runs the server before joining again."
    ),
    "wrong_password": (
        "The clinic server refused this room's login (wrong name or password). "
        "Work is saved in this room."
    ),
    "no_rights": (
        "This room's login may not exchange records with the clinic server. "
        "Ask whoever runs the server to add it as a room."
    ),
    "not_allowed": (
        "The clinic server does not accept this room's connection (it needs "
        "an encrypted connection from an allowed address)."
    ),
    "other_room": (
        "This login already belongs to another room. Each room needs its own."
    ),
    "refused": (
        "The clinic server refused a record from this room as damaged. The "
        "room keeps working; ask whoever runs the server to check its log."
    ),
    "no_keychain": (
        "This computer has no keychain to keep the room's password in, so the "
        "room did not join. Set up the system keychain (for example GNOME "
        "Keyring or KWallet), then join again. Work is saved in this room."
    ),
    "bad_address": (
        "That is not a clinic server address. It looks like "
        "postgresql://room1@server:5432/companion_hub"
    ),
}


class HubError(Exception):
    """The clinic server refused or could not be reached; key names the reason."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(MESSAGES[key])
        self.key = key
        self.detail = detail  # the server's own words, for the log only


def classify(exc: Exception) -> HubError:
    """The HubError for a psycopg error, by SQLSTATE or libpq's message."""
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc).lower()
    key = _key(state, text)
    return HubError(key, f"{state} {exc}".strip())


def _key(state: str, text: str) -> str:
    # Without rights on the hub's schema its functions are not even visible.
    if state in ("42501", "42883", "3F000") or "permission denied" in text:
        return "no_rights"
    if state == "28000" and "another room" in text:
        return "other_room"
    if state == "28000" and "not joined" in text:
        return "no_rights"
    if "password authentication failed" in text or state == "28P01":
        return "wrong_password"
    if "certificate verify failed" in text or "certificate" in text:
        return "wrong_certificate"
    if "pg_hba.conf" in text or ("ssl" in text and "required" in text):
        return "not_allowed"
    if state[:2] in ("22", "23", "P0"):
        return "refused"
    return "unreachable"
