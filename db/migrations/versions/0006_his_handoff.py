"""The outbox keeps what the HIS answered: a FHIR server's ids and versions (``his_receipt``)."""

import sqlalchemy as sa
from alembic import op

revision = "0006_his_handoff"
down_revision = "0005_drop_facilities_clinics"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("his_receipt", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("his_receipt")
