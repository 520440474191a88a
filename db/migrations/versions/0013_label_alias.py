"""The printed label of a check-in when it is not its own number (checkins.printed_label):
the offline label a kiosk printed for a check-in central numbered too (a lost reply), or one
another kiosk with the same offline prefix had taken first (a collision).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_label_alias"
down_revision = "0012_register"


def upgrade() -> None:
    """Upgrade schema."""
    # Nullable, no default: a check-in before it was called by its own number.
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("printed_label", sa.String(length=24), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("printed_label")
