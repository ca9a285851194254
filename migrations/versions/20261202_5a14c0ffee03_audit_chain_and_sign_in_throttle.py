"""audit chain: each event carries the hash of the one before; sign-in failures

Each audit event gets previous_hash and chain_hash, existing events are chained in id order, and
audit_chain_head holds the newest link (its row lock serialises writers). Failed sign-ins need no
table: they are counted from the audit trail itself.

Revision ID: 5a14c0ffee03
Revises: 5a14c0ffee02
Create Date: 2026-12-02 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.audit import CHAINED_COLUMNS, GENESIS, append_only_statements, event_hash
from app.models.base import UTCDateTime

revision: str = '5a14c0ffee03'
down_revision: str | Sequence[str] | None = '5a14c0ffee02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event"],
}


def _without_append_only_triggers(change) -> None:  # type: ignore[no-untyped-def]
    """Run `change` with the triggers lifted (the one time history is written to), then restore them."""
    dialect = op.get_bind().dialect.name
    for statement in _DROP_TRIGGERS.get(dialect, []):
        op.execute(statement)
    change()
    # A batch rebuild on SQLite recreates the table, so the triggers are created afresh either way.
    for statement in _DROP_TRIGGERS.get(dialect, []):
        op.execute(statement)
    for statement in append_only_statements(dialect):
        op.execute(statement)


def _chain_existing_events() -> str:
    """Give every existing event its hashes, in id order; the newest hash (or genesis)."""
    types = {"occurred_at": UTCDateTime(), "details": sa.JSON(), "actor_id": sa.Integer(),
             "on_behalf_of_id": sa.Integer(), "enrollment_id": sa.Integer()}
    events = sa.table("audit_event", sa.column("id", sa.Integer()),
                      *(sa.column(name, types.get(name, sa.String())) for name in CHAINED_COLUMNS),
                      sa.column("previous_hash", sa.String()), sa.column("chain_hash", sa.String()))
    bind = op.get_bind()
    previous, last_id = GENESIS, None
    rows = bind.execute(sa.select(events.c.id, *(events.c[name] for name in CHAINED_COLUMNS))
                        .order_by(events.c.id)).mappings().all()
    for row in rows:
        digest = event_hash(previous, row)
        bind.execute(sa.update(events).where(events.c.id == row["id"])
                     .values(previous_hash=previous, chain_hash=digest))
        previous, last_id = digest, row["id"]
    head = sa.table("audit_chain_head", sa.column("id", sa.Integer()), sa.column("last_event_id", sa.Integer()),
                    sa.column("last_hash", sa.String()))
    bind.execute(sa.insert(head).values(id=1, last_event_id=last_id, last_hash=previous))
    return previous


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=True),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )

    def change() -> None:
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
        _chain_existing_events()
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.alter_column('chain_hash', existing_type=sa.String(length=64), nullable=False)

    _without_append_only_triggers(change)


def downgrade() -> None:
    """Downgrade schema."""
    def change() -> None:
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.drop_column('chain_hash')
            batch_op.drop_column('previous_hash')

    _without_append_only_triggers(change)
    op.drop_table('audit_chain_head')
