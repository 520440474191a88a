"""The outbox keeps what the HIS answered: a FHIR server's ids and versions (``his_receipt``).

Revision ID: 0006_his_handoff
Revises: 0005_drop_facilities_clinics

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006_his_handoff"
down_revision: str | Sequence[str] | None = "0005_drop_facilities_clinics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("his_receipt", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("his_receipt")
