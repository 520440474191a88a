"""The lobby: wrong birth years per bare code and day (wrong_years), and the
patients' calls for staff (help_calls).
"""

import sqlalchemy as sa
from alembic import op

from db.migrations.shapes import big_id

revision = "0009_lobby"
down_revision = "0008_fleet"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "wrong_years",
        big_id(),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_wrong_years_code_day", "wrong_years", ["code_hash", "local_day"])
    op.create_table(
        "help_calls",
        big_id(),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("screen", sa.String(length=32), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_help_calls_day", "help_calls", ["local_day", "answered_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_help_calls_day", table_name="help_calls")
    op.drop_table("help_calls")
    op.drop_index("ix_wrong_years_code_day", table_name="wrong_years")
    op.drop_table("wrong_years")
