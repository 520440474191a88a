"""The kiosk register (kiosk_register): each kiosk's offline prefix and its claim, last seen
(the database server's clock), version and last health record. No personal data.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_register"
down_revision = "0011_copay_exempt"


def upgrade() -> None:
    """Upgrade schema."""
    moment = sa.DateTime(timezone=True)
    op.create_table(
        "kiosk_register",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("offline_prefix", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", moment, nullable=False),
        sa.Column("last_seen", moment, nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("held_by", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("camera", sa.String(length=16), nullable=True),
        sa.Column("printer", sa.String(length=16), nullable=True),
        sa.Column("outbox_pending", sa.Integer(), nullable=True),
        sa.Column("outbox_failed", sa.Integer(), nullable=True),
        sa.Column("journal_outbox_pending", sa.Integer(), nullable=True),
        sa.Column("journal_outbox_failed", sa.Integer(), nullable=True),
        sa.Column("offline_pending", sa.Integer(), nullable=True),
        sa.Column("held", sa.Integer(), nullable=True),
        sa.Column("cache_age_h", sa.Float(), nullable=True),
        sa.Column("last_checkin", moment, nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("kiosk_id"),
    )
    op.create_index("ix_kiosk_register_prefix", "kiosk_register", ["offline_prefix"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_kiosk_register_prefix", table_name="kiosk_register")
    op.drop_table("kiosk_register")
