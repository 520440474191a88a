"""The initial schema: cards, facilities, clinics, check-ins, queue counters, staff,
audit log and sync state.
"""

import sqlalchemy as sa
from alembic import op

from db.migrations.shapes import audit_columns, big_id

revision = "0001"
down_revision = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "audit_log",
        big_id(),
        *audit_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "cards",
        sa.Column("bhxh_number", sa.String(length=10), nullable=False),
        sa.Column("card_number", sa.String(length=15), nullable=False),
        sa.Column("id_number", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth", sa.String(length=10), nullable=True),
        sa.Column("gender", sa.String(length=8), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("facility_code", sa.String(length=5), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("benefit_level", sa.SmallInteger(), nullable=True),
        sa.Column("area_code", sa.String(length=2), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("new_card_number", sa.String(length=15), nullable=True),
        sa.Column("new_valid_from", sa.Date(), nullable=True),
        sa.Column("new_valid_to", sa.Date(), nullable=True),
        sa.Column("new_facility_code", sa.String(length=5), nullable=True),
        sa.Column("new_facility_name", sa.String(length=200), nullable=True),
        sa.Column("five_years_from", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_online_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("bhxh_number"),
    )
    op.create_index("uq_cards_card_number", "cards", ["card_number"], unique=True)
    op.create_index("ix_cards_id_number", "cards", ["id_number"], unique=False)
    op.create_table(
        "checkins",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("clinic_code", sa.String(length=16), nullable=False),
        sa.Column("queue_number", sa.Integer(), nullable=False),
        sa.Column("patient_name", sa.String(length=200), nullable=False),
        sa.Column("patient_birth", sa.String(length=10), nullable=True),
        sa.Column("patient_gender", sa.String(length=8), nullable=True),
        sa.Column("card_number", sa.String(length=15), nullable=True),
        sa.Column("bhxh_number", sa.String(length=10), nullable=True),
        sa.Column("id_number", sa.String(length=12), nullable=True),
        sa.Column("facility_code", sa.String(length=5), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("benefit_level", sa.SmallInteger(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("route", sa.String(length=16), nullable=True),
        sa.Column("benefit_percent", sa.SmallInteger(), nullable=True),
        sa.Column("verification", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("staff_name", sa.String(length=100), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("print_state", sa.String(length=16), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("clinic_code", "local_day", "queue_number", name="uq_checkins_number"),
        sa.UniqueConstraint("idempotency_key", name="uq_checkins_idempotency_key"),
    )
    op.create_index("ix_checkins_day_bhxh", "checkins", ["local_day", "bhxh_number"], unique=False)
    op.create_index(
        "ix_checkins_day_id_number", "checkins", ["local_day", "id_number"], unique=False
    )
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
    op.create_table(
        "queue_counters",
        sa.Column("clinic", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("clinic", "day"),
    )
    op.create_table(
        "staff",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "sync_state",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("removed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("sync_state")
    op.drop_table("staff")
    op.drop_table("queue_counters")
    op.drop_table("facilities")
    op.drop_table("clinics")
    op.drop_index("ix_checkins_day_id_number", table_name="checkins")
    op.drop_index("ix_checkins_day_bhxh", table_name="checkins")
    op.drop_table("checkins")
    op.drop_index("ix_cards_id_number", table_name="cards")
    op.drop_index("uq_cards_card_number", table_name="cards")
    op.drop_table("cards")
    op.drop_table("audit_log")
