"""The co-payment exemption date on each check-in (checkins.copay_exempt_from), so a reprinted
slip still says "Miễn cùng chi trả từ dd/MM/yyyy".
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_copay_exempt"
down_revision = "0010_desk"


def upgrade() -> None:
    """Upgrade schema."""
    # Nullable, no default: the check-ins before it had no exemption the kiosk knew of.
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("copay_exempt_from", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("copay_exempt_from")
