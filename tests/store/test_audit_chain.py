"""The store's audit chain stays whole after failed saves, other writers, reopening."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlite_utils import Database

from companion.store import Store, open_store
from companion.store import audit as audit_log
from companion.store.audit import AuditChain, canonical
from companion.store.cipher import connect
from companion.store.transaction import write_transaction

ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


@pytest.fixture(params=["plain", "encrypted"])
def key(request: pytest.FixtureRequest) -> bytes | None:
    """No key (stdlib sqlite3) or a random one (SQLCipher): their errors differ."""
    return None if request.param == "plain" else secrets.token_bytes(32)


@pytest.fixture
def keyed_store(db_path: Path, key: bytes | None) -> Iterator[Store]:
    """An open store on a fresh file, plain or encrypted."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    opened = open_store(db_path, key=key)
    try:
        yield opened
    finally:
        opened.close()


def _assert_chain_whole(store: Store, rows: int) -> None:
    """rows audit rows, ids 1…rows, each hash checking out against the previous."""
    entries = store.audit_log()
    assert [e.id for e in entries] == list(range(1, rows + 1))
    assert store.verify_audit_chain() == (True, None)


def _fail_every_commit(store: Store) -> None:
    """Make COMMIT itself fail, after every statement of a save has run.

    A deferred foreign key is checked only at COMMIT; each new visit adds a row
    that breaks one, so the save's visit and audit rows are both written and
    then rolled back, as on a disk that fails at the last moment.
    """
    store.conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    store.conn.execute(
        "CREATE TABLE orphan (parent INTEGER"
        " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    store.conn.execute(
        "CREATE TRIGGER visits_fail_commit AFTER INSERT ON visits"
        " BEGIN INSERT INTO orphan (parent) VALUES (42); END"
    )


def test_a_save_whose_commit_fails_leaves_the_chain_whole(
    keyed_store: Store,
) -> None:
    """The failed save's audit row is rolled back and the next one takes its id."""
    store = keyed_store
    patient = store.create_patient(chart_number="C-1")
    store.start_visit(patient.id)
    _fail_every_commit(store)
    with pytest.raises(Exception, match="FOREIGN KEY"):
        store.start_visit(patient.id)
    store.conn.execute("DROP TRIGGER visits_fail_commit")
    after = store.start_visit(patient.id)
    _assert_chain_whole(store, 2)
    assert store.audit_log()[-1].record_id == after.id
    assert len(store.visits_for(patient.id)) == 2


def test_a_failed_audit_insert_leaves_the_chain_whole(keyed_store: Store) -> None:
    """An audit row refused by SQLite fails the save; the next save chains on."""
    store = keyed_store
    patient = store.create_patient(chart_number="C-1")
    store.start_visit(patient.id)
    store.conn.execute(
        "CREATE TRIGGER audit_log_refuse_all BEFORE INSERT ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
    )
    with pytest.raises(Exception, match="refused for the test"):
        store.start_visit(patient.id)
    store.conn.execute("DROP TRIGGER audit_log_refuse_all")
    store.start_visit(patient.id)
    _assert_chain_whole(store, 2)


def test_every_kind_of_audited_change_shares_one_chain(
    keyed_store: Store, tmp_path: Path
) -> None:
    """Saves, own-transaction audit rows, exports and backups interleave cleanly."""
    store = keyed_store
    patient = store.create_patient(chart_number="C-1")
    visit = store.start_visit(patient.id)
    store.audit(audit_log.OPEN_PATIENT, patient.id)
    store.start_visit(patient.id, pain=3)
    store.update_visit(visit.id, pain=4)
    store.save_note(visit.id, "S", "low back pain")
    store.export_patient(patient.id, tmp_path / "exports")
    store.backup("auto")
    store.start_visit(patient.id)
    store.audit(audit_log.LOCK)
    _assert_chain_whole(store, 9)


def test_rows_appended_by_another_connection_are_chained_onto(
    keyed_store: Store, key: bytes | None
) -> None:
    """A row the store did not write itself moves its next row along, not aside."""
    store = keyed_store
    patient = store.create_patient(chart_number="C-1")
    store.start_visit(patient.id)
    other = connect(store.path, key, isolation_level=None)
    try:
        with write_transaction(other, store.path):
            audit_log.append(Database(other), audit_log.UNLOCK)
    finally:
        other.close()
    store.start_visit(patient.id)
    _assert_chain_whole(store, 3)
    assert [e.event for e in store.audit_log()] == [
        "create_visit",
        "unlock",
        "create_visit",
    ]


def test_a_rollback_the_chain_was_not_told_of_cannot_break_it(
    keyed_store: Store,
) -> None:
    """Even with forget() never called, a rolled-back row is not chained onto."""
    store = keyed_store
    chain = AuditChain()
    with write_transaction(store.conn, store.path):
        chain.append(store.db, audit_log.UNLOCK)
    store.conn.execute("BEGIN IMMEDIATE")
    chain.append(store.db, audit_log.LOCK)  # remembered as the newest row…
    store.conn.execute("ROLLBACK")  # …but it is gone
    with write_transaction(store.conn, store.path):
        entry = chain.append(store.db, audit_log.UNLOCK)
    assert entry.id == 2
    _assert_chain_whole(store, 2)


def test_reopening_continues_the_chain(db_path: Path, key: bytes | None) -> None:
    """A new store on the same file chains onto the rows the last one wrote."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open_store(db_path, key=key) as store:
        patient = store.create_patient(chart_number="C-1")
        store.start_visit(patient.id)
        store.start_visit(patient.id)
    with open_store(db_path, key=key) as store:
        store.start_visit(patient.id)
        store.audit(audit_log.LOCK)
        _assert_chain_whole(store, 4)


def test_write_transaction_reports_each_rollback(keyed_store: Store) -> None:
    """on_rollback runs when the block or the COMMIT fails, never after a commit."""
    store = keyed_store
    calls: list[str] = []
    with write_transaction(store.conn, store.path, lambda: calls.append("x")):
        store.conn.execute("CREATE TABLE t (n INTEGER)")
    assert calls == []
    with (
        pytest.raises(RuntimeError),
        write_transaction(store.conn, store.path, lambda: calls.append("block")),
    ):
        store.conn.execute("INSERT INTO t (n) VALUES (1)")
        raise RuntimeError("the save failed halfway")
    _fail_every_commit(store)
    patient = store.create_patient(chart_number="C-1")
    with (
        pytest.raises(Exception, match="FOREIGN KEY"),
        write_transaction(store.conn, store.path, lambda: calls.append("commit")),
    ):
        store.conn.execute(
            "INSERT INTO visits (id, patient_id, visit_date, created, updated)"
            " VALUES ('v1', ?, '2025-01-01', 'x', 'x')",
            (patient.id,),
        )
    assert calls == ["block", "commit"]
    assert not store.conn.in_transaction
    assert store.conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert store.conn.execute("SELECT count(*) FROM visits").fetchone() == (0,)


@given(
    entry_id=st.integers(min_value=1, max_value=2**63 - 1),
    at=ANY_TEXT,
    event=ANY_TEXT,
    record_id=ANY_TEXT,
)
def test_canonical_text_is_sorted_compact_ascii_json(
    entry_id: int, at: str, event: str, record_id: str
) -> None:
    """The hashed text stays byte for byte what json.dumps gave, or chains break."""
    expected = json.dumps(
        {"at": at, "event": event, "id": entry_id, "record_id": record_id},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    assert canonical(entry_id, at, event, record_id) == expected
