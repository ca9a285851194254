"""role grants: who granted a role, proposals the program confirms

Revision ID: 5a14c0ffee02
Revises: 5a18c0ffee01
Create Date: 2026-12-02 02:00:00
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision: str = '5a14c0ffee02'
down_revision: Union[str, Sequence[str], None] = '5a18c0ffee01'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
