"""The patients kiosks send to reception (help_calls, extended): why (reason, detail), the day's
reception ticket number (unique per local day), a masked hint of the patient, and who answered.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_reception"
down_revision = "0013_label_alias"


def upgrade() -> None:
    """Upgrade schema."""
    # The calls raised before it were "Gọi nhân viên" presses with no ticket: reason "help".
    with op.batch_alter_table("help_calls") as batch:
        batch.add_column(sa.Column("reason", sa.String(24), nullable=False, server_default="help"))
        batch.add_column(sa.Column("detail", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("ticket", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hint", sa.String(24), nullable=False, server_default=""))
        batch.add_column(sa.Column("answered_by", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_help_calls_ticket", ["local_day", "ticket"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("help_calls") as batch:
        batch.drop_constraint("uq_help_calls_ticket", type_="unique")
        for name in ("answered_by", "hint", "ticket", "detail", "reason"):
            batch.drop_column(name)
