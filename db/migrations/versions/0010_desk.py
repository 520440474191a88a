"""Staff sign-in that the lobby cannot lock: a failure window that decays, and the failures of
kiosks' PIN pads counted apart from the desks'.

``failures_since`` is when the current window opened, by the database server's clock;
``lobby_failures`` counts the kiosks' pads in it (``failed_logins`` now counts the desks').
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_desk"
down_revision = "0009_lobby"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("failures_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("lobby_failures", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("lobby_failures")
        batch.drop_column("failures_since")
