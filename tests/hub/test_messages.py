"""The clinic server's messages read the same in the code and the strings files."""

from __future__ import annotations

from companion.core.i18n import strings
from companion.hub.errors import MESSAGES, HubError, classify


def test_every_hub_message_is_in_english_and_spanish_word_for_word() -> None:
    """en.toml says exactly what MESSAGES says; es.toml has every key too."""
    en, es = strings("en"), strings("es")
    for key, text in MESSAGES.items():
        assert en.t(f"clinic_server_error.{key}") == text
        assert es.t(f"clinic_server_error.{key}") != text


def test_libpq_failures_are_named_by_their_cause() -> None:
    """What the server or libpq says maps to the message the user sees."""

    class Failure(Exception):
        def __init__(self, text: str, sqlstate: str | None = None) -> None:
            super().__init__(text)
            self.sqlstate = sqlstate

    cases = {
        'FATAL:  password authentication failed for user "room1"': "wrong_password",
        "SSL error: certificate verify failed": "wrong_certificate",
        'no pg_hba.conf entry for host "10.0.0.5"': "not_allowed",
        "connection refused": "unreachable",
    }
    for text, key in cases.items():
        assert classify(Failure(text)).key == key
    assert classify(Failure("permission denied", "42501")).key == "no_rights"
    assert HubError("refused").key == "refused"


def test_room_passwords_are_letters_and_digits_only() -> None:
    """No '-' or '_' (a leading '-' reads as a command-line option), full length."""
    from companion.hub.admin import new_password

    passwords = {new_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(len(p) == 32 and p.isalnum() and p.isascii() for p in passwords)
