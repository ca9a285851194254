"""The append-only record of who did what, when, on which evidence, and why."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

from .base import created_at_field, json_field


class AuditEvent(SQLModel, table=True):
    """One thing that happened. Rows are only ever inserted."""

    __tablename__ = "audit_event"
    # Completion dates and the Early Completion Option read an enrolment's transitions into a state.
    __table_args__ = (sa.Index("ix_audit_event_enrollment_id_action_to_state", "enrollment_id", "action", "to_state"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    on_behalf_of_id: int | None = Field(default=None, foreign_key="user.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id", index=True)
    action: str = Field(max_length=64, index=True)
    event: str | None = Field(default=None, max_length=64)
    from_state: str | None = Field(default=None, max_length=48)
    to_state: str | None = Field(default=None, max_length=48)
    reason: str | None = Field(default=None, max_length=2000)
    # e.g. the SHA-256 of every evidence version a transition relied on.
    details: dict[str, Any] = json_field()
    # The chain: the previous event's chain_hash, and SHA-256 over that and this event's content.
    # Set at flush (see _chain_new_events); `flask audit verify` recomputes them.
    previous_hash: str = Field(default="", max_length=64)
    chain_hash: str = Field(default="", max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The newest chained event (one row): its lock serialises writers, and it shows a cut-off tail."""

    __tablename__ = "audit_chain_head"

    id: int = Field(default=1, primary_key=True)
    last_event_id: int | None = Field(default=None)
    last_hash: str = Field(max_length=64)


class AppendOnlyViolation(RuntimeError):
    """Someone tried to change or delete an audit event."""


@sa.event.listens_for(OrmSession, "before_flush")
def _refuse_audit_changes(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AppendOnlyViolation("audit events are append-only")


GENESIS = "0" * 64
# What an event's hash covers: everything but its id (the order is the chain) and the hashes.
CHAINED_COLUMNS = ("occurred_at", "actor_id", "on_behalf_of_id", "enrollment_id", "action", "event",
                   "from_state", "to_state", "reason", "details")


def event_hash(previous_hash: str, values: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's content, in a form both databases read back alike."""
    body = []
    for name in CHAINED_COLUMNS:
        value = values[name]
        if name == "occurred_at":
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        elif name == "details":
            value = json.loads(json.dumps(value or {}))  # as the JSON column gives it back (tuples, int keys)
        body.append(value)
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{payload}".encode()).hexdigest()


_HEAD = AuditChainHead.__table__  # type: ignore[attr-defined]


def _insert_head(connection: sa.Connection) -> None:
    values = {"id": 1, "last_event_id": None, "last_hash": GENESIS}
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    connection.execute(insert(_HEAD).values(**values).on_conflict_do_nothing())


def _lock_head(connection: sa.Connection) -> str:
    """Lock the chain's head row for this transaction and return its hash.

    The UPDATE is the lock: on PostgreSQL a row lock held to commit, so concurrent writers queue and
    the chain stays linear; on SQLite it takes the write lock before the head is read.
    """
    touch = sa.update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=_HEAD.c.last_hash)
    if connection.execute(touch).rowcount == 0:
        _insert_head(connection)  # a fresh (or truncated) database: the chain starts at genesis
        connection.execute(touch)
    return connection.execute(sa.select(_HEAD.c.last_hash).where(_HEAD.c.id == 1)).scalar_one()


_CHAINED = "audit_chained_events"


@sa.event.listens_for(OrmSession, "before_flush")
def _chain_new_events(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    session.info.pop(_CHAINED, None)  # left by a flush that failed
    events = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not events:
        return
    # The order the unit of work inserts them in, so ids follow the chain.
    events.sort(key=lambda obj: sa.inspect(obj).insert_order)
    previous = _lock_head(session.connection())
    for event in events:
        event.previous_hash = previous
        event.chain_hash = previous = event_hash(previous, {name: getattr(event, name) for name in CHAINED_COLUMNS})
    session.info[_CHAINED] = events


@sa.event.listens_for(OrmSession, "after_flush")
def _move_head(session: OrmSession, _ctx: Any) -> None:
    events = session.info.pop(_CHAINED, None)
    if events:
        last = events[-1]
        session.connection().execute(sa.update(_HEAD).where(_HEAD.c.id == 1)
                                     .values(last_event_id=last.id, last_hash=last.chain_hash))


@sa.event.listens_for(AuditChainHead.__table__, "after_create")
def _create_head(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
    _insert_head(connection)


@dataclass
class ChainReport:
    """What `verify_chain` found: how many events, the newest, and every break in the chain."""

    count: int = 0
    last_id: int | None = None
    last_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)


def verify_chain(connection: sa.Connection, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Recompute every event's hash in id order; report edited, deleted, reordered or cut-off events.

    `anchor` is an (id, hash) recorded earlier outside the database (from a previous run's output):
    it catches a rewrite that recomputed the whole chain, which the chain alone cannot.
    """
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    report = ChainReport()
    previous_id: int | None = None
    anchor_seen = False
    rows = connection.execution_options(yield_per=1000).execute(sa.select(table).order_by(table.c.id))
    for row in rows.mappings():
        report.count += 1
        if row["previous_hash"] != report.last_hash:
            after = f"event {previous_id}" if previous_id is not None else "the start of the record"
            report.problems.append(f"Event {row['id']} does not follow {after}: an event between them was "
                                   "deleted, or events were reordered.")
        if event_hash(row["previous_hash"], row) != row["chain_hash"]:
            report.problems.append(f"Event {row['id']} ({row['action']}) was changed after it was written.")
        if anchor is not None and row["id"] == anchor[0]:
            anchor_seen = True
        if anchor is not None and row["id"] == anchor[0] and row["chain_hash"] != anchor[1]:
            report.problems.append(f"Event {row['id']} no longer has the hash recorded for it: the record "
                                   "was rewritten since.")
        previous_id, report.last_id, report.last_hash = row["id"], row["id"], row["chain_hash"]
    head = connection.execute(sa.select(_HEAD).where(_HEAD.c.id == 1)).mappings().first()
    head_id, head_hash = (head["last_event_id"], head["last_hash"]) if head else (None, GENESIS)
    if (head_id, head_hash) != (report.last_id, report.last_hash):
        report.problems.append(f"The newest event should be {head_id if head_id is not None else 'none'} but is "
                               f"{report.last_id if report.last_id is not None else 'none'}: events at the end "
                               "were deleted, or the record's head was changed.")
    if anchor is not None and not anchor_seen:
        report.problems.append(f"Event {anchor[0]}, recorded earlier, is gone.")
    return report


# The database refuses too, so no code path (raw SQL, another client) can rewrite history.
_TRIGGERS = {
    "sqlite": [
        ("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
         "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
        ("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
         "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
    ],
    "postgresql": [
        ("CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
         "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql"),
        ("CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
         "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"),
    ],
}


def append_only_statements(dialect: str) -> list[str]:
    """The DDL that makes audit_event append-only on this database (used by migrations too)."""
    return _TRIGGERS.get(dialect, [])


@sa.event.listens_for(AuditEvent.__table__, "after_create")
def _create_triggers(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
    for statement in append_only_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
