"""Store errors and start-up recovery reports in the user's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from companion.core.i18n import Strings, TranslationError

if TYPE_CHECKING:
    from companion.store.recovery import RecoveryReport

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


def recovery_text(report: RecoveryReport, strings: Strings) -> str:
    """What start-up recovery did (rebuilt the search index, restored a backup, or
    began empty), translated."""
    if report.search_index_rebuilt:
        if not report.moved_aside:  # no room for a copy
            return strings.t("startup.search_index_rebuilt_no_copy")
        copy = str(report.moved_aside[0])
        return strings.t("startup.search_index_rebuilt", kept=copy)
    if report.wal_damage is not None:  # saves after a bad WAL frame: a warning
        kept = str(report.moved_aside[0]) if report.moved_aside else "-"
        lost = report.wal_damage.commits_lost
        if report.salvaged:  # the sound saves after the damage were merged back
            count = sum(report.salvaged.values())
            return strings.t(
                "recovery.wal_damaged_recovered", lost=lost, count=count, kept=kept
            )
        return strings.t("recovery.wal_damaged", lost=lost, kept=kept)
    kept = str(report.moved_aside[0])
    if report.restored_from is None or report.data_as_of is None:
        return strings.t("startup.recovered_empty", kept=kept)
    if report.salvaged:  # the saves since the backup that could still be read
        return strings.t(
            "recovery.recovered_with_salvage",
            backup=report.restored_from.name,
            as_of=report.data_as_of.astimezone().strftime("%Y-%m-%d %H:%M"),
            count=sum(report.salvaged.values()),
            kept=kept,
        )
    return strings.t(
        "startup.recovered_from_backup",
        backup=report.restored_from.name,
        as_of=report.data_as_of.astimezone().strftime("%Y-%m-%d %H:%M"),
        kept=kept,
    )
