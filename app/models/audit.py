"""The append-only record of who did what, when, on which evidence, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

from .base import created_at_field, json_field


class AuditEvent(SQLModel, table=True):
    """One thing that happened. Rows are only ever inserted."""

    __tablename__ = "audit_event"

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


class AppendOnlyViolation(RuntimeError):
    """Someone tried to change or delete an audit event."""


@sa.event.listens_for(OrmSession, "before_flush")
def _refuse_audit_changes(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AppendOnlyViolation("audit events are append-only")


# The database refuses too, so no code path (raw SQL, another client) can rewrite history.
_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}


def append_only_statements(dialect: str) -> list[str]:
    """The DDL that makes audit_event append-only on this database (used by migrations too)."""
    return _TRIGGERS.get(dialect, [])


@sa.event.listens_for(AuditEvent.__table__, "after_create")
def _create_triggers(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
    for statement in append_only_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
