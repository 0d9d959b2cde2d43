"""A store error in the user's language, from its message key and values."""

from __future__ import annotations

from companion.core.i18n import Strings, TranslationError

SECTION = "store_error"


def error_text(error: BaseException, strings: Strings) -> str:
    """What to show for error: its [store_error] sentence, else str(error).

    The store's errors carry a message key and the values of its placeholders
    (StoreError.key / .params); anything else (a bad entry, an OSError, a
    StoreError raised with bare text or a key the strings lack) shows as raised.
    """
    # Imported here, not above: the store loads SQLCipher, which must wait until
    # after the first paint, and an error to show means it is loaded by now.
    from companion.store.errors import StoreError

    if not isinstance(error, StoreError) or not error.key:
        return str(error)
    try:
        return strings.t(f"{SECTION}.{error.key}", **error.params)
    # A key or placeholder the strings file lacks: the English is still right.
    except (TranslationError, KeyError, IndexError, ValueError):
        return str(error)
