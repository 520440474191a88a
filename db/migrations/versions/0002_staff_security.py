"""Staff sign-in by code and PIN with its failure state on the account; audit counts kept
after the retention period.

Existing accounts get staff codes 101, 102, … in name order (``kiosk-admin staff list`` shows
them); their PINs keep working.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_staff_security"
down_revision = "0001"

FIRST_CODE = 101


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("code", sa.String(length=8), nullable=True))
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    staff = sa.table("staff", sa.column("name", sa.String), sa.column("code", sa.String))
    names = conn.execute(sa.select(staff.c.name).order_by(staff.c.name)).scalars().all()
    for offset, name in enumerate(names):
        conn.execute(
            sa.update(staff).where(staff.c.name == name).values(code=str(FIRST_CODE + offset))
        )
    with op.batch_alter_table("staff") as batch:
        batch.alter_column("code", existing_type=sa.String(length=8), nullable=False)
        batch.create_index("uq_staff_code", ["code"], unique=True)
    op.create_table(
        "audit_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "action"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("audit_counts")
    with op.batch_alter_table("staff") as batch:
        batch.drop_index("uq_staff_code")
        batch.drop_column("locked_until")
        batch.drop_column("next_try_at")
        batch.drop_column("failed_logins")
        batch.drop_column("code")
