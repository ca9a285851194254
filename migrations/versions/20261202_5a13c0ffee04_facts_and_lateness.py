"""facts: who recorded and confirmed each fact, late windows carried on by the director

Revision ID: 5a13c0ffee04
Revises: 5a14c0ffee03
Create Date: 2026-12-02 02:00:00
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision: str = '5a13c0ffee04'
down_revision: Union[str, Sequence[str], None] = '5a14c0ffee03'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
