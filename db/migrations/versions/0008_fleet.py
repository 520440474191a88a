"""The fleet: the cleaned reason of a journal check-in central refused (replayed.reason, set
on a ``held`` row).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_fleet"
down_revision = "0007_calling"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("replayed") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("replayed") as batch:
        batch.drop_column("reason")
