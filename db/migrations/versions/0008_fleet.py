"""The fleet: the cleaned reason of a journal check-in central refused (replayed.reason, set
on a ``held`` row).

Revision ID: 0008_fleet
Revises: 0007_calling

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_fleet"
down_revision: str | Sequence[str] | None = "0007_calling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("replayed") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("replayed") as batch:
        batch.drop_column("reason")
