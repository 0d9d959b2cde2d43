"""The hub database's own schema steps, recorded in hub_migrations like a room's."""

from __future__ import annotations

from typing import Any

GENESIS = "0" * 64
ROOM_GROUP = "companion_room"  # every room's login role is a member

# (name, statements): applied in order, each step in one transaction.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "h0001_rows_and_rooms",
        (
            # One login role per room; room_id is bound on the room's first join.
            """
            CREATE TABLE hub_rooms (
                role_name text PRIMARY KEY,
                room_id text UNIQUE,
                label text NOT NULL DEFAULT '',
                created timestamptz NOT NULL DEFAULT now()
            )
            """,
            # Every replicated row, append-only, in the order the hub took it.
            """
            CREATE TABLE hub_rows (
                seq bigserial PRIMARY KEY,
                row_id text NOT NULL UNIQUE,
                room_id text NOT NULL,
                kind text NOT NULL
                    CHECK (kind IN ('revision', 'note', 'programme', 'audit')),
                payload jsonb NOT NULL,
                received timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX hub_rows_audit ON hub_rows"
            " (room_id, ((payload->>'id')::bigint)) WHERE kind = 'audit'",
            """
            CREATE FUNCTION hub_refuse_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'hub rows are append-only';
            END $$
            """,
            """
            CREATE TRIGGER hub_rows_append_only BEFORE UPDATE OR DELETE ON hub_rows
            FOR EACH ROW EXECUTE FUNCTION hub_refuse_change()
            """,
            # The hub's half of verifying each room's audit chain: every row
            # must link to a row before it and hash to what it says (the same
            # canonical text as companion/store/audit.py). A room restored from
            # a backup goes on from an earlier row: its chain forks, and both
            # branches are kept, each link checked.
            f"""
            CREATE FUNCTION hub_check_audit() RETURNS trigger
            LANGUAGE plpgsql AS $$
            DECLARE
                p jsonb := NEW.payload;
                n bigint;
                want_prev text;
                body text;
            BEGIN
                IF NEW.kind <> 'audit' THEN RETURN NEW; END IF;
                n := (p->>'id')::bigint;
                IF n = 1 THEN
                    want_prev := '{GENESIS}';
                ELSE
                    SELECT h.payload->>'hash' INTO want_prev FROM hub_rows h
                    WHERE h.room_id = NEW.room_id AND h.kind = 'audit'
                      AND (h.payload->>'id')::bigint = n - 1
                      AND h.payload->>'hash' = p->>'prev_hash';
                END IF;
                body := '{{"at":' || to_json(p->>'at')::text
                    || ',"event":' || to_json(p->>'event')::text
                    || ',"id":' || n::text
                    || ',"record_id":' || to_json(p->>'record_id')::text || '}}';
                IF want_prev IS DISTINCT FROM p->>'prev_hash'
                   OR encode(sha256(convert_to(want_prev || body, 'UTF8')), 'hex')
                      <> p->>'hash' THEN
                    RAISE EXCEPTION 'audit row % of room % breaks its chain',
                        n, NEW.room_id USING ERRCODE = 'data_exception';
                END IF;
                RETURN NEW;
            END $$
            """,
            """
            CREATE TRIGGER hub_rows_audit_chain BEFORE INSERT ON hub_rows
            FOR EACH ROW EXECUTE FUNCTION hub_check_audit()
            """,
            # The only ways in for a room: SECURITY DEFINER functions that take
            # the room from the login role, so a room cannot write as another.
            """
            CREATE FUNCTION hub_room() RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                SELECT room_id FROM hub_rooms WHERE role_name = session_user
            $$
            """,
            """
            CREATE FUNCTION hub_join(p_room text) RETURNS text
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
            DECLARE bound text;
            BEGIN
                UPDATE hub_rooms SET room_id = p_room
                WHERE role_name = session_user AND room_id IS NULL;
                SELECT room_id INTO bound FROM hub_rooms
                WHERE role_name = session_user;
                IF bound IS NULL OR bound <> p_room THEN
                    RAISE EXCEPTION 'this login belongs to another room'
                        USING ERRCODE = 'invalid_authorization_specification';
                END IF;
                RETURN bound;
            END $$
            """,
            """
            CREATE FUNCTION hub_push(p_rows jsonb) RETURNS bigint
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
            DECLARE
                r text := hub_room();
                n bigint;
            BEGIN
                IF r IS NULL THEN
                    RAISE EXCEPTION 'room not joined'
                        USING ERRCODE = 'invalid_authorization_specification';
                END IF;
                -- One pusher at a time, so sequence numbers commit in order and
                -- a puller never skips a row that commits late.
                PERFORM pg_advisory_xact_lock(18018);
                INSERT INTO hub_rows (row_id, room_id, kind, payload)
                SELECT e->>'row_id', r, e->>'kind', e->'payload'
                FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t (e, i)
                ORDER BY i
                ON CONFLICT (row_id) DO NOTHING;
                GET DIAGNOSTICS n = ROW_COUNT;
                RETURN n;
            END $$
            """,
            """
            CREATE FUNCTION hub_pull(p_after bigint, p_limit integer)
            RETURNS TABLE (seq bigint, room_id text, kind text, row_id text,
                           payload jsonb)
            LANGUAGE plpgsql STABLE SECURITY DEFINER
            SET search_path = public, pg_temp AS $$
            BEGIN
                IF hub_room() IS NULL THEN
                    RAISE EXCEPTION 'room not joined'
                        USING ERRCODE = 'invalid_authorization_specification';
                END IF;
                RETURN QUERY SELECT h.seq, h.room_id, h.kind, h.row_id, h.payload
                FROM hub_rows h WHERE h.seq > p_after ORDER BY h.seq LIMIT p_limit;
            END $$
            """,
            """
            CREATE FUNCTION hub_tip() RETURNS bigint
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                SELECT coalesce(max(seq), 0) FROM hub_rows
            $$
            """,
            "REVOKE ALL ON hub_rooms, hub_rows FROM PUBLIC",
            "REVOKE ALL ON FUNCTION hub_room(), hub_join(text), hub_push(jsonb),"
            " hub_pull(bigint, integer), hub_tip() FROM PUBLIC",
        ),
    ),
)

GRANTS = (
    f"GRANT EXECUTE ON FUNCTION hub_join(text), hub_push(jsonb),"
    f" hub_pull(bigint, integer), hub_tip() TO {ROOM_GROUP}",
)


def applied(conn: Any) -> list[str]:
    """The hub steps recorded in this database, oldest first."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS hub_migrations ("
        " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    rows = conn.execute("SELECT name FROM hub_migrations ORDER BY applied_at, name")
    return [name for (name,) in rows]


def migrate(conn: Any) -> list[str]:
    """Apply every pending hub step, each in its own transaction; their names."""
    with conn.transaction():
        done = set(applied(conn))
    names = []
    for name, statements in STEPS:
        if name in done:
            continue
        with conn.transaction():
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO hub_migrations (name) VALUES (%s)", (name,))
        names.append(name)
    with conn.transaction():
        for statement in GRANTS:
            conn.execute(statement)
    return names
