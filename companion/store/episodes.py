"""Episode rows: start one, find a patient's, place visits recorded before them."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from companion.core.episodes import group_into_episodes, is_new_episode
from companion.core.records import Episode, InvalidInput, Visit
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.transaction import (
    date_from,
    date_text,
    from_text,
    new_id,
    to_text,
    utc_now,
)


def build_episode(
    patient_id: str, onset_date: date | None, mechanism: str | None
) -> Episode:
    """A new, validated episode with a fresh id (not yet saved)."""
    return Episode(
        id=new_id(),
        patient_id=patient_id,
        onset_date=onset_date,
        mechanism=mechanism,
        created=utc_now(),
    )


def insert_episode(db: Database, episode: Episode) -> None:
    """Insert an episode (inside the caller's transaction)."""
    db.conn.execute(
        "INSERT INTO episodes (id, patient_id, onset_date, mechanism, created)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            episode.id,
            episode.patient_id,
            date_text(episode.onset_date),
            episode.mechanism,
            to_text(episode.created),
        ),
    )


def update_episode(
    db: Database, episode_id: str, onset_date: date | None, mechanism: str | None
) -> None:
    """Record what the episode's visits now say about its onset (in a transaction)."""
    db.conn.execute(
        "UPDATE episodes SET onset_date = ?, mechanism = ? WHERE id = ?",
        (date_text(onset_date), mechanism, episode_id),
    )


def get_episode(db: Database, episode_id: str) -> Episode | None:
    rows = list(db.query("SELECT * FROM episodes WHERE id = ?", [episode_id]))
    return _episode(rows[0]) if rows else None


def latest_episode(db: Database, patient_id: str) -> Episode | None:
    """The episode of the patient's newest visit (the one a follow-up continues)."""
    rows = list(
        db.query(
            "SELECT e.* FROM visits v JOIN episodes e ON e.id = v.episode_id"
            " WHERE v.patient_id = ? ORDER BY v.visit_date DESC, v.created DESC"
            " LIMIT 1",
            [patient_id],
        )
    )
    return _episode(rows[0]) if rows else None


def episodes_for(db: Database, patient_id: str) -> list[Episode]:
    """A patient's episodes, newest first."""
    rows = db.query(
        "SELECT * FROM episodes WHERE patient_id = ? ORDER BY created DESC",
        [patient_id],
    )
    return [_episode(row) for row in rows]


def assign_existing_visits(db: Database) -> None:
    """Place every visit without an episode into one (migration m0005).

    Each patient's visits are grouped where the onset or mechanism changes
    (core.episodes.group_into_episodes); only episode_id is written.
    """
    from companion.store.visits import visits_for

    patients = [
        row["patient_id"]
        for row in db.query(
            "SELECT DISTINCT patient_id FROM visits WHERE episode_id IS NULL"
        )
    ]
    for patient_id in patients:
        for group in group_into_episodes(visits_for(db, patient_id)):
            onset = next((v.onset_date for v in group if v.onset_date), None)
            mechanism = next((v.mechanism for v in group if v.mechanism), None)
            # The episode began with its first visit, not at migration time.
            episode = dataclasses.replace(
                build_episode(patient_id, onset, mechanism), created=group[0].created
            )
            insert_episode(db, episode)
            db.conn.executemany(
                "UPDATE visits SET episode_id = ? WHERE id = ?",
                [(episode.id, v.id) for v in group],
            )


def _episode(row: dict[str, Any]) -> Episode:
    return Episode(
        id=row["id"],
        patient_id=row["patient_id"],
        onset_date=date_from(row["onset_date"]),
        mechanism=row["mechanism"],
        created=from_text(row["created"]),
    )


def place_new_visit(
    db: Database,
    patient_id: str,
    visit_date: date | None,
    new_episode: bool,
    fields: dict[str, Any],
) -> Visit:
    """Insert a new visit in the right episode (inside the caller's transaction).

    A follow-up continues the latest episode, whose onset and mechanism carry
    forward when the visit leaves them blank; a new injury starts an episode.
    """
    from companion.store.visits import build_visit, insert_visit

    fields = dict(fields)
    episode = None if new_episode else latest_episode(db, patient_id)
    if episode is not None and is_new_episode(
        episode.onset_date,
        episode.mechanism,
        fields.get("onset_date"),
        fields.get("mechanism"),
    ):
        episode = None
    if episode is None:
        exists = db.conn.execute(
            "SELECT 1 FROM patients WHERE id = ?", (patient_id,)
        ).fetchone()
        if not exists:
            raise InvalidInput("patient_id", f"No patient with id {patient_id!r}.")
        episode = build_episode(
            patient_id, fields.get("onset_date"), fields.get("mechanism")
        )
        insert_episode(db, episode)
    else:
        if fields.get("onset_date") is None:
            fields["onset_date"] = episode.onset_date
        if fields.get("mechanism") is None:
            fields["mechanism"] = episode.mechanism
    visit = dataclasses.replace(
        build_visit(patient_id, visit_date, **fields), episode_id=episode.id
    )
    insert_visit(db, visit)
    return visit


def follow_visit_change(db: Database, visit: Visit) -> Visit:
    """Keep the episode true to a visit whose onset or mechanism was edited.

    The first visit of an episode defines it, so its edit updates the episode.
    A later visit that now names another injury (another onset, another
    mechanism) leaves for an episode of its own; the earlier course is kept as
    it was (inside the caller's transaction).
    """
    if visit.episode_id is None:
        return visit
    episode = get_episode(db, visit.episode_id)
    if episode is None:
        return visit
    (others,) = db.conn.execute(
        "SELECT count(*) FROM visits WHERE episode_id = ? AND id <> ?",
        (visit.episode_id, visit.id),
    ).fetchone()
    if others and is_new_episode(
        episode.onset_date, episode.mechanism, visit.onset_date, visit.mechanism
    ):
        new = build_episode(visit.patient_id, visit.onset_date, visit.mechanism)
        insert_episode(db, new)
        db.conn.execute(
            "UPDATE visits SET episode_id = ? WHERE id = ?", (new.id, visit.id)
        )
        return dataclasses.replace(visit, episode_id=new.id)
    update_episode(db, visit.episode_id, visit.onset_date, visit.mechanism)
    return visit
