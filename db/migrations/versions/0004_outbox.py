"""The outbox (events for the hospital information system, written with each change) and the
tallies of scans that ended without a check-in (for the daily report).
"""

import sqlalchemy as sa
from alembic import op

from db.migrations.shapes import big_id

revision = "0004_outbox"
down_revision = "0003_offline"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "outbox",
        big_id(),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("checkin_id", sa.String(length=32), nullable=False),
        sa.Column("patient_key", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_state_id", "outbox", ["state", "id"], unique=False)
    op.create_table(
        "outcome_tallies",
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("local_day", "hour", "kiosk_id", "status"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("outcome_tallies")
    op.drop_index("ix_outbox_state_id", table_name="outbox")
    op.drop_table("outbox")
