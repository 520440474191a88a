"""Drop the facilities and clinics tables: nothing but tests ever read or wrote them (the
route rules take facility levels from the config, and the clinics live in config.toml).
"""

from alembic import op

revision = "0005_drop_facilities_clinics"
down_revision = "0004_outbox"


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_table("facilities")
    op.drop_table("clinics")


def downgrade() -> None:
    """Not supported: the dropped tables held nothing the kiosk ever read."""
    raise NotImplementedError("0005 cannot be undone; restore a backup taken before it")
