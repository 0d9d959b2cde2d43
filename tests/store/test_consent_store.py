"""Consent records and the nerve-root screen on visits: stored, exported, migrated."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from companion.core.clinical_neuro import RootFinding
from companion.core.clinical_rules import ConsentRecord
from companion.store import Store, open_store
from companion.store.migrations import (
    Migrations,
    m0001_initial_schema,
    m0002_visit_psfs,
    m0003_audit_log,
    m0004_patient_search,
    m0005_episodes,
)

CONSENT = ConsentRecord(
    technique="cervical_manipulation",
    given_by="the patient",
    recorded_by="Dr A",
    when=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    explained="risks incl. stroke; alternatives; right to decline",
)
FINDING = RootFinding("C6", "left", sensation="reduced", strength=4, reflex="absent")


def test_consent_reason_and_screen_survive_a_reopen(db_path: Path) -> None:
    """The three new fields are written and read back exactly after a restart."""
    db_path.parent.mkdir(parents=True)
    with open_store(db_path) as store:
        p = store.create_patient(chart_number="C-1")
        v = store.start_visit(p.id, date(2026, 3, 2))
        store.update_visit(
            v.id,
            consents=(CONSENT,),
            thrust_reason="consent on paper file",
            neuro_screen=(FINDING, RootFinding("L5", "right", strength=5)),
        )
    with open_store(db_path) as store:
        again = store.get_visit(v.id)
    assert again.consents == (CONSENT,)
    assert again.thrust_reason == "consent on paper file"
    assert again.neuro_screen == (FINDING, RootFinding("L5", "right", strength=5))


def test_export_carries_consent_and_screen(store: Store, tmp_path: Path) -> None:
    """The JSON export holds the consent and findings; the CSV has their columns."""
    p = store.create_patient(chart_number="C-2")
    v = store.start_visit(p.id, date(2026, 3, 2))
    store.update_visit(v.id, consents=(CONSENT,), neuro_screen=(FINDING,))
    json_path, csv_path = store.export_patient(p.id, tmp_path / "out")
    visit = json.loads(json_path.read_text(encoding="utf-8"))["visits"][0]
    assert visit["consents"][0]["given_by"] == "the patient"
    assert visit["consents"][0]["when"].startswith("2026-03-02T09:30")
    assert visit["neuro_screen"][0]["sensation"] == "reduced"
    assert visit["thrust_reason"] == ""
    header = csv_path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "consents" in header and "neuro_screen" in header


def test_migration_keeps_existing_visits(db_path: Path) -> None:
    """m0007 adds the columns to an old database; its visits load with empty ones."""
    db_path.parent.mkdir(parents=True)
    before = Migrations()
    for step in (
        m0001_initial_schema,
        m0002_visit_psfs,
        m0003_audit_log,
        m0004_patient_search,
        m0005_episodes,
    ):
        before(step)
    with open_store(db_path, migrations=before) as old:
        # Rows as the old schema wrote them (today's code writes the new columns).
        old.conn.execute(
            "INSERT INTO patients (id, chart_number, initials, display_name, created)"
            " VALUES ('p1', 'OLD-1', '', '', '2026-01-01T00:00:00.000000+00:00')"
        )
        old.conn.execute(
            "INSERT INTO visits (id, patient_id, visit_date, pain, treatments_given,"
            " created, updated) VALUES ('v1', 'p1', '2026-01-05', 6, '[\"heat\"]',"
            " '2026-01-05T09:00:00.000000+00:00', '2026-01-05T09:00:00.000000+00:00')"
        )
    with open_store(db_path) as store:
        kept = store.get_visit("v1")
        assert kept.pain == 6 and kept.treatments_given == ("heat",)
        assert kept.consents == () and kept.neuro_screen == ()
        assert kept.thrust_reason == ""
        store.update_visit("v1", thrust_reason="documented elsewhere")
        assert store.get_visit("v1").thrust_reason == "documented elsewhere"
