"""Drop the facilities and clinics tables: nothing but tests ever read or wrote them (the
route rules take facility levels from the config, and the clinics live in config.toml).

Revision ID: 0005_drop_facilities_clinics
Revises: 0004_outbox

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_drop_facilities_clinics"
down_revision: str | Sequence[str] | None = "0004_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_table("facilities")
    op.drop_table("clinics")


def downgrade() -> None:
    """Downgrade schema: the two tables as 0001 made them, empty."""
    op.create_table(
        "clinics",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=False),
        sa.Column("location_vi", sa.String(length=200), nullable=False),
        sa.Column("location_en", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "facilities",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
