"""The co-payment exemption date on each check-in (checkins.copay_exempt_from), so a reprinted
slip still says "Miễn cùng chi trả từ dd/MM/yyyy".

Revision ID: 0011_copay_exempt
Revises: 0010_desk

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_copay_exempt"
down_revision: str | Sequence[str] | None = "0010_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Nullable, no default: the check-ins before it had no exemption the kiosk knew of.
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("copay_exempt_from", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("copay_exempt_from")
