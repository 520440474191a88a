"""Offline numbering: the number series of a check-in, a reception flag, the journal's replay
log, and the card change log that kiosks copy their card replica from.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_offline"
down_revision = "0002_staff_security"

# Every write to a card notes its transaction id; a kiosk's replica copies what transactions
# from the oldest one still running at its last copy wrote (nothing is missed when two writers
# commit out of order). PostgreSQL only: an SQLite database is never a central one, and its
# replica copy is a full pass.
_PG_TRIGGER = """
CREATE FUNCTION kiosk_note_card_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO card_changes (bhxh_number, xid)
    VALUES (
        CASE WHEN TG_OP = 'DELETE' THEN OLD.bhxh_number ELSE NEW.bhxh_number END,
        pg_current_xact_id()::text::bigint
    )
    ON CONFLICT (bhxh_number) DO UPDATE SET xid = excluded.xid;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(
            sa.Column("series", sa.String(length=8), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("flag", sa.String(length=32), nullable=True))
        batch.drop_constraint("uq_checkins_number", type_="unique")
        batch.create_unique_constraint(
            "uq_checkins_number", ["clinic_code", "local_day", "series", "queue_number"]
        )
    op.create_table(
        "card_changes",
        sa.Column("bhxh_number", sa.String(length=10), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bhxh_number"),
    )
    op.create_index("ix_card_changes_xid", "card_changes", ["xid"], unique=False)
    op.create_table(
        "replayed",
        sa.Column("checkin_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("checkin_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGER)
        op.execute(
            "CREATE TRIGGER kiosk_cards_changed AFTER INSERT OR UPDATE OR DELETE ON cards "
            "FOR EACH ROW EXECUTE FUNCTION kiosk_note_card_change()"
        )
        # Cards already cached count as changed by the oldest transaction: a first copy
        # takes them all anyway.
        op.execute("INSERT INTO card_changes (bhxh_number, xid) SELECT bhxh_number, 0 FROM cards")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS kiosk_cards_changed ON cards")
        op.execute("DROP FUNCTION IF EXISTS kiosk_note_card_change()")
    op.drop_table("replayed")
    op.drop_index("ix_card_changes_xid", table_name="card_changes")
    op.drop_table("card_changes")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_constraint("uq_checkins_number", type_="unique")
        batch.create_unique_constraint(
            "uq_checkins_number", ["clinic_code", "local_day", "queue_number"]
        )
        batch.drop_column("flag")
        batch.drop_column("series")
