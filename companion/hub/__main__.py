"""python -m companion.hub setup | add-room | verify: the clinic server's admin tool."""

from __future__ import annotations

import argparse
import sys

from companion.hub import admin


def main(argv: list[str] | None = None) -> int:
    """Run one admin command against the PostgreSQL server given by --admin-dsn."""
    parser = argparse.ArgumentParser(prog="python -m companion.hub")
    parser.add_argument(
        "--admin-dsn",
        required=True,
        help="libpq connection string of a superuser, e.g. 'host=/run/postgresql'",
    )
    parser.add_argument("--database", default="companion_hub")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="create the hub database and its schema")
    room = commands.add_parser("add-room", help="a login for one exam room")
    room.add_argument("role", help="the room's login name, e.g. room1")
    room.add_argument("--label", default="")
    commands.add_parser("verify", help="recompute every room's audit chain")
    args = parser.parse_args(argv)
    if args.command == "setup":
        steps = admin.setup(args.admin_dsn, args.database)
        print(f"Hub database {args.database} ready; steps applied: {steps or 'none'}")
    elif args.command == "add-room":
        login = admin.add_room(args.admin_dsn, args.database, args.role, args.label)
        print(f"Room login: {login.role}")
        print(f"Password (shown once; type it when joining): {login.password}")
    else:
        report = admin.verify_audit(args.admin_dsn, args.database)
        bad = {room: first for room, (ok, first) in report.items() if not ok}
        for room, first in bad.items():
            print(f"Room {room}: audit chain broken at row {first}")
        print(f"{len(report)} room chain(s) checked, {len(bad)} broken")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
