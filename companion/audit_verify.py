"""Command line check of the audit log's hash chain: OK, or the first bad row.

    python -m companion.audit_verify --data-dir PATH

Exit code 0 when the chain verifies, 1 when a row was altered or removed,
2 when the database cannot be opened. Uses the keychain key, or asks for the
passphrase on the terminal when the database was encrypted with one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from companion.paths import resolve_paths
from companion.store import StoreError
from companion.tool_store import open_for_tool


def main(argv: Sequence[str] | None = None) -> int:
    """Verify the audit chain of the database under --data-dir; print the result."""
    parser = argparse.ArgumentParser(
        prog="python -m companion.audit_verify",
        description="Check that the audit log has not been altered.",
    )
    parser.add_argument("--data-dir", help="the folder holding companion.db")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        store = open_for_tool(resolve_paths(args.data_dir))
    except StoreError as error:
        print(f"Cannot open the database: {error}", file=sys.stderr)
        return 2
    try:
        ok, bad = store.verify_audit_chain()
        count = len(store.audit_log())
    finally:
        store.close()
    if ok:
        print(f"OK: {count} audit rows, hash chain intact.")
        return 0
    print(f"TAMPERED: audit row {bad} is the first that does not verify.")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
