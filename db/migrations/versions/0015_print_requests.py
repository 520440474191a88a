"""Printing on a chosen kiosk (print_requests: the desk asks, the kiosk prints and says how it
went), and a kiosk's staff actions made during an outage (staff_actions, in its offline
journal: audit rows and cancels waiting for central).
"""

import sqlalchemy as sa
from alembic import op

from db.migrations.shapes import audit_columns, big_id

revision = "0015_print_requests"
down_revision = "0014_reception"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "print_requests",
        big_id(),
        sa.Column("checkin_id", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_print_requests_kiosk_state", "print_requests", ["kiosk_id", "state"])
    op.create_table(
        "staff_actions",
        big_id(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        *audit_columns(),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_actions_state", "staff_actions", ["state", "id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_staff_actions_state", table_name="staff_actions")
    op.drop_table("staff_actions")
    op.drop_index("ix_print_requests_kiosk_state", table_name="print_requests")
    op.drop_table("print_requests")
