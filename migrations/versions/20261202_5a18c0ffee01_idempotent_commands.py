"""idempotent commands: one open invitation per person and enrolment, idempotency keys

Revision ID: 5a18c0ffee01
Revises: 25e04ab06bc6
Create Date: 2026-12-02 02:00:00
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision: str = '5a18c0ffee01'
down_revision: Union[str, Sequence[str], None] = '25e04ab06bc6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
