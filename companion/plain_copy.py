"""Write a decrypted copy of the database, so a clinic can read its own data.

    python -m companion.plain_copy --data-dir PATH OUT.db

The copy is plain SQLite (readable by the sqlite-utils CLI or Datasette) and
holds protected health information: it is created readable by this user only,
the export is recorded in the audit log, and it should be deleted after use.
Close the app first (the database admits one program at a time).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from companion.paths import resolve_paths
from companion.store import StoreError
from companion.tool_store import open_for_tool


def main(argv: Sequence[str] | None = None) -> int:
    """Copy the database under --data-dir to OUT as plain SQLite; 0 on success."""
    parser = argparse.ArgumentParser(
        prog="python -m companion.plain_copy",
        description="Write a decrypted copy of the database for your own analysis.",
    )
    parser.add_argument("--data-dir", help="the folder holding companion.db")
    parser.add_argument("out", type=Path, help="the plain copy to create")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    out: Path = args.out
    if out.exists():
        print(f"{out} already exists; choose a new file name.", file=sys.stderr)
        return 2
    try:
        store = open_for_tool(resolve_paths(args.data_dir))
    except StoreError as error:
        print(f"Cannot open the database: {error}", file=sys.stderr)
        return 2
    try:
        store.write_plain_copy(out)
    except Exception as error:  # any failure: say so, leave no half-written copy
        print(f"The copy failed: {error}", file=sys.stderr)
        out.unlink(missing_ok=True)
        return 1
    finally:
        store.close()
    print(f"Wrote {out}. It is not encrypted: delete it when you are done.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
