"""Calling by room: each check-in's place in its clinic's queue (queue_calls), the steps of
every call (call_events) and the room pages' sign-in tokens (room_tokens).
"""

import sqlalchemy as sa
from alembic import op

from db.migrations.shapes import big_id

revision = "0007_calling"
down_revision = "0006_his_handoff"

#: the channel kiosk-web listens on (db/store/notify.py): every call step and every new or
#: cancelled check-in wakes the boards. PostgreSQL only; SQLite's boards poll.
CHANNEL = "kiosk_queue"

_PG_NOTIFY = f"""
CREATE FUNCTION kiosk_notify_queue() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', NEW.clinic_code);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "queue_calls",
        sa.Column("checkin_id", sa.String(length=32), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("clinic_code", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("declared", sa.String(length=16), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recalled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("checkin_id"),
    )
    op.create_index(
        "ix_queue_calls_day_room", "queue_calls", ["local_day", "room", "state"], unique=False
    )
    op.create_index(
        "ix_queue_calls_day_clinic", "queue_calls", ["local_day", "clinic_code"], unique=False
    )
    op.create_table(
        "call_events",
        big_id(),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("clinic_code", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("checkin_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_call_events_day_clinic", "call_events", ["local_day", "clinic_code", "id"])
    op.create_index("ix_call_events_day_room", "call_events", ["local_day", "room", "id"])
    op.create_table(
        "room_tokens",
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("room"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_NOTIFY)
        op.execute(
            "CREATE TRIGGER kiosk_call_events_notify AFTER INSERT ON call_events "
            "FOR EACH ROW EXECUTE FUNCTION kiosk_notify_queue()"
        )
        op.execute(
            "CREATE TRIGGER kiosk_checkins_notify AFTER INSERT OR UPDATE ON checkins "
            "FOR EACH ROW EXECUTE FUNCTION kiosk_notify_queue()"
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS kiosk_checkins_notify ON checkins")
        op.execute("DROP TRIGGER IF EXISTS kiosk_call_events_notify ON call_events")
        op.execute("DROP FUNCTION IF EXISTS kiosk_notify_queue()")
    op.drop_table("room_tokens")
    op.drop_index("ix_call_events_day_room", table_name="call_events")
    op.drop_index("ix_call_events_day_clinic", table_name="call_events")
    op.drop_table("call_events")
    op.drop_index("ix_queue_calls_day_clinic", table_name="queue_calls")
    op.drop_index("ix_queue_calls_day_room", table_name="queue_calls")
    op.drop_table("queue_calls")
