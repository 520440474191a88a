"""Check-ins: the queue number and the check-in committed together, their print state and
cancellation, the audit log, the tallies of scans without a check-in, and retention.

Queue numbers come from one atomic ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` on
``queue_counters`` inside the transaction that inserts the check-in, so two kiosks (or two
processes) never get the same number, and a rolled-back check-in gives its number back while
a committed one (even cancelled later) keeps it forever. How each database runs that
transaction is :meth:`db.store.dialect.Dialect.commit_checkin`. With the outbox on, the
check-in's event for the hospital information system is written in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from db.models import (
    audit_counts,
    audit_log,
    checkins,
    outcome_tallies,
    print_requests,
    queue_counters,
    replayed,
    staff_actions,
)
from db.store.checkin_fields import decision_fields, label_fields, patient_fields
from db.store.database import Database
from db.store.dialect import NewCheckin
from db.store.outbox import IN_DOUBT, outbox_event, purge_outbox
from kiosk.model import (
    BirthDate,
    CheckIn,
    CheckInDraft,
    Gender,
    PatientSnapshot,
    PrintState,
    Route,
    Verification,
)
from kiosk.retention import CheckinPurge

HIS_EVENT_PURGED = "his_event_purged"  # audit_counts: HIS events purged undelivered


#: the namespace of check-in ids made from idempotency keys
_CHECKIN_IDS = uuid.UUID("6f1c2d0e-5b7a-4c1e-9a43-0c3e2b7d9f10")


def checkin_id_of(idempotency_key: str) -> str:
    """The check-in id of a draft: made from its idempotency key, which the kiosk makes when
    the patient scans, so central, the journal and a retry after a lost reply all give one
    check-in one id (and the HIS one check-in id a visit)."""
    return uuid.uuid5(_CHECKIN_IDS, idempotency_key).hex


class CheckinStore(Database):
    """Check-ins and the audit log (the ``CheckInStore`` port and the admin's commands)."""

    def _by_key(self, conn: Connection, key: str) -> CheckIn | None:
        row = conn.execute(select(checkins).where(checkins.c.idempotency_key == key)).first()
        return checkin_from_row(row) if row is not None else None

    def commit_checkin(self, draft: CheckInDraft, *, in_doubt: bool = False) -> CheckIn:
        """Allocate the next number and store the check-in and its audit row in ONE transaction.

        ``in_doubt``: a journal's check-in central may hold too (its commit went unanswered):
        its HIS event is written ``in_doubt``, to wait for the replay, in the same transaction.

        The same ``idempotency_key`` again returns the first check-in and uses no number: the
        insert hits the unique key, the whole transaction (counter included) rolls back, and
        the stored check-in is read back. Trying the insert first keeps the common case at
        four statements.
        """
        return self._once_more(lambda: self._commit_once(draft, in_doubt))

    def _commit_once(self, draft: CheckInDraft, in_doubt: bool) -> CheckIn:
        checkin = draft.checkin(
            checkin_id_of(draft.idempotency_key), 0, self.series
        )  # numbered below
        values = checkin_values(checkin)
        values["idempotency_key"] = draft.idempotency_key
        # A staff override is audited by the same row, in the same transaction: a second
        # transaction could fail and leave the override in place with no trace of who did it.
        overriding = draft.override_reason is not None
        audit = {
            "at": checkin.created_at,
            "actor": draft.staff_name or draft.kiosk_id,
            "action": "override" if overriding else "checkin",
            "target": checkin.id,
            "before": f"refused:{draft.reason}" if overriding else None,
            "after": audit_json(checkin),
        }
        event = outbox_event("checkin", checkin) if self.outbox_enabled else None
        if event is not None and in_doubt:
            event = replace(event, state=IN_DOUBT)
        try:
            new = NewCheckin(values, audit, event)
            number = self._dialect.commit_checkin(self._engine, new, self._fault)
            if self._fault is not None:
                self._fault("committed")  # the fault tests' lost reply: committed, not answered
        except (IntegrityError, sqlite3.IntegrityError):
            # Committed before (a retry), or by another kiosk at this very moment: theirs stands.
            with self._dialect.read(self._engine) as conn:
                earlier = self._by_key(conn, draft.idempotency_key)
            if earlier is None:
                raise
            return earlier
        return replace(checkin, queue_number=number)

    def existing_checkin(self, patient_key: str, clinic_code: str, day: date) -> CheckIn | None:
        """Today's live check-in of this patient (BHXH or CCCD number) at this clinic."""
        stmt = (
            select(checkins)
            .where(
                checkins.c.local_day == day,
                checkins.c.clinic_code == clinic_code,
                checkins.c.cancelled.is_(False),
                (checkins.c.bhxh_number == patient_key) | (checkins.c.id_number == patient_key),
            )
            .order_by(checkins.c.queue_number)
            .limit(1)
        )

        def work() -> Row[Any] | None:
            with self._dialect.read(self._engine) as conn:
                return conn.execute(stmt).first()

        row = self._once_more(work)
        return checkin_from_row(row) if row is not None else None

    def _one(self, stmt: Any) -> CheckIn | None:
        with self._reading() as conn:
            row = conn.execute(stmt).first()
        return checkin_from_row(row) if row is not None else None

    def get_checkin(self, checkin_id: str) -> CheckIn | None:
        return self._one(select(checkins).where(checkins.c.id == checkin_id))

    def set_print_state(self, checkin_id: str, state: PrintState) -> None:
        """Mark whether the slip reached the patient; raises LookupError for an unknown id."""
        with self._writing() as conn:
            changed = conn.execute(
                update(checkins).where(checkins.c.id == checkin_id).values(print_state=state.value)
            ).rowcount
        if not changed:
            raise LookupError(f"no check-in {checkin_id}")

    def list_checkins(self, day: date, search: str | None = None) -> Sequence[CheckIn]:
        """The day's check-ins, newest first; ``search`` matches a queue number or a name."""
        stmt = (
            select(checkins)
            .where(checkins.c.local_day == day)
            .order_by(checkins.c.created_at.desc(), checkins.c.queue_number.desc())
        )
        needle = (search or "").strip()
        if needle.isdigit():
            stmt = stmt.where(checkins.c.queue_number == int(needle))
        series, dash, number = needle.upper().rpartition("-")
        if dash and series and number.isdigit():  # an offline label such as "A-3"
            # its own, or the alias of a check-in central numbered (the slip says "A-3")
            stmt = stmt.where(
                (checkins.c.series == series) & (checkins.c.queue_number == int(number))
                | (checkins.c.printed_label == f"{series}-{int(number)}")
            )
            needle = ""
        with self._reading() as conn:
            rows = conn.execute(stmt).all()
        found = [checkin_from_row(row) for row in rows]
        if needle and not needle.isdigit():
            # Python's casefold knows Vietnamese letters; SQLite's lower() only knows ASCII.
            folded = needle.casefold()
            found = [c for c in found if folded in c.patient.name.casefold()]
        return found

    def cancel_checkin(self, checkin_id: str, staff_name: str, reason: str) -> CheckIn:
        """Cancel a check-in; its number stays used. Raises LookupError for an unknown id."""
        with self._writing() as conn:
            row = conn.execute(select(checkins).where(checkins.c.id == checkin_id)).first()
            if row is None:
                raise LookupError(f"no check-in {checkin_id}")
            before = checkin_from_row(row)
            conn.execute(update(checkins).where(checkins.c.id == checkin_id).values(cancelled=True))
            self._audit_in(
                conn,
                actor=staff_name,
                action="cancel",
                target=checkin_id,
                before=audit_json(before),
                after=json.dumps({"cancelled": True, "reason": reason}, ensure_ascii=False),
            )
            if self.outbox_enabled:
                self.outbox.enqueue(conn, "cancel", replace(before, cancelled=True), self._at())
        return replace(before, cancelled=True)

    def last_checkin(self) -> CheckIn | None:
        """The most recent check-in of any day."""
        # The latest day first (an index gives it at once), then the latest moment within it.
        latest_day = select(func.max(checkins.c.local_day)).scalar_subquery()
        return self._one(
            select(checkins)
            .where(checkins.c.local_day == latest_day)
            .order_by(checkins.c.created_at.desc())
            .limit(1)
        )

    def last_checkin_of(self, kiosk_id: str, since: date) -> CheckIn | None:
        """The most recent check-in made at ``kiosk_id`` on ``since`` or later (the health
        signal's "last check-in": this kiosk's own; the day bound keeps it on an index)."""
        return self._one(
            select(checkins)
            .where(checkins.c.local_day >= since, checkins.c.kiosk_id == kiosk_id)
            .order_by(checkins.c.created_at.desc())
            .limit(1)
        )

    def count_checkins(self, day: date) -> int:
        return int(
            self._scalar(
                select(func.count()).select_from(checkins).where(checkins.c.local_day == day)
            )
        )

    def count_flagged(self, day: date, flag: str) -> int:
        """How many of ``day``'s check-ins carry ``flag`` (reception must look at them)."""
        return int(
            self._scalar(
                select(func.count())
                .select_from(checkins)
                .where(checkins.c.local_day == day, checkins.c.flag == flag)
            )
        )

    def tally_outcome(self, status: str, kiosk_id: str, at: datetime) -> None:
        """Count one scan that ended without a check-in (``status`` e.g. ``rejected``) in its
        local day and hour, for the daily report."""
        local = at.astimezone(self.zone)
        stmt = self._dialect.insert(outcome_tallies).values(
            local_day=local.date(), hour=local.hour, kiosk_id=kiosk_id, status=status, count=1
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["local_day", "hour", "kiosk_id", "status"],
            set_={"count": outcome_tallies.c.count + 1},
        )
        with self._writing() as conn:
            conn.execute(stmt)

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        """Append a row to the audit log.

        A ``reprint`` of a check-in is also an event for the hospital information system: with
        the outbox on, its event is written in the same transaction as this row.
        """
        with self._writing() as conn:
            self._audit_in(
                conn, actor=actor, action=action, target=target, before=before, after=after
            )
            if self.outbox_enabled and action == "reprint":
                row = conn.execute(select(checkins).where(checkins.c.id == target)).first()
                if row is not None:
                    self.outbox.enqueue(conn, "reprint", checkin_from_row(row), self._at())

    def purge_before(self, day: date) -> CheckinPurge:
        """Delete check-ins (and queue counters) of local days before ``day`` together with
        everything that holds them: their HIS events (the outbox, delivered or not) and, in an
        offline journal, their replay records. Fold the audit rows from before that day's start
        into ``audit_counts`` (per local day and action), and count there too the HIS events
        that never reached the HIS (action ``his_event_purged``). One transaction: the totals
        stay, the people go."""
        start = datetime.combine(day, datetime.min.time(), tzinfo=self.zone).astimezone(UTC)
        with self._writing() as conn:
            old = conn.execute(
                select(audit_log.c.at, audit_log.c.action).where(audit_log.c.at < start)
            ).all()
            counts: dict[tuple[date, str], int] = {}
            for at, action in old:
                key = (at.astimezone(self.zone).date(), action)
                counts[key] = counts.get(key, 0) + 1
            events, undelivered = purge_outbox(conn, day, start)
            for at in undelivered:
                key = (at.astimezone(self.zone).date(), HIS_EVENT_PURGED)
                counts[key] = counts.get(key, 0) + 1
            for (when, action), count in counts.items():
                stmt = self._dialect.insert(audit_counts).values(
                    day=when, action=action, count=count
                )
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["day", "action"],
                        set_={"count": audit_counts.c.count + count},
                    )
                )
            conn.execute(delete(audit_log).where(audit_log.c.at < start))
            old_ids = select(checkins.c.id).where(checkins.c.local_day < day)
            conn.execute(
                delete(replayed).where(
                    or_(replayed.c.at < start, replayed.c.checkin_id.in_(old_ids))
                )
            )
            gone = conn.execute(delete(checkins).where(checkins.c.local_day < day)).rowcount
            # the desk's print requests and a journal's replayed staff actions go with them
            conn.execute(delete(print_requests).where(print_requests.c.local_day < day))
            conn.execute(delete(staff_actions).where(staff_actions.c.at < start))
            conn.execute(delete(queue_counters).where(queue_counters.c.day < day))
        return CheckinPurge(
            checkins=gone,
            audit_rows=len(old),
            his_events=events,
            his_undelivered=len(undelivered),
        )

    def audit_counts(self) -> dict[tuple[date, str], int]:
        """The audit rows folded by :meth:`purge_before`, per local day and action."""
        with self._reading() as conn:
            rows = conn.execute(
                select(audit_counts.c.day, audit_counts.c.action, audit_counts.c.count)
            ).all()
        return {(day, action): int(count) for day, action, count in rows}

    def audit_entries(self, target: str | None = None) -> list[dict[str, Any]]:
        """Audit rows oldest first (optionally for one target), as plain dicts."""
        stmt = select(audit_log).order_by(audit_log.c.id)
        if target is not None:
            stmt = stmt.where(audit_log.c.target == target)
        with self._reading() as conn:
            return [dict(row._mapping) for row in conn.execute(stmt)]


# -- row mapping ------------------------------------------------------------------------------


# The snapshot's fields whose column says they are the patient's (the others are the card's).
_PATIENT_COLUMNS = {"name": "patient_name", "birth": "patient_birth", "gender": "patient_gender"}


def checkin_values(checkin: CheckIn) -> dict[str, object]:
    """A check-in as the ``checkins`` table's values (without its idempotency key)."""
    patient = patient_fields(checkin.patient)
    return {
        "id": checkin.id,
        "local_day": checkin.local_day,
        "clinic_code": checkin.clinic_code,
        "queue_number": checkin.queue_number,
        **{_PATIENT_COLUMNS.get(name, name): value for name, value in patient.items()},
        **decision_fields(checkin),
        "staff_name": checkin.staff_name,
        "override_reason": checkin.override_reason,
        "created_at": checkin.created_at,
        "print_state": checkin.print_state.value,
        "cancelled": checkin.cancelled,
        "series": checkin.series,
        "flag": checkin.flag,
        "copay_exempt_from": checkin.copay_exempt_from,
        **label_fields(checkin),
    }


def checkin_from_row(row: Row[Any]) -> CheckIn:
    """The check-in a row of the ``checkins`` table holds (the inverse of
    :func:`checkin_values`)."""
    return CheckIn(
        id=row.id,
        local_day=row.local_day,
        clinic_code=row.clinic_code,
        queue_number=row.queue_number,
        patient=PatientSnapshot(
            name=row.patient_name,
            birth=BirthDate.from_iso(row.patient_birth) if row.patient_birth else None,
            gender=Gender(row.patient_gender) if row.patient_gender else None,
            card_number=row.card_number,
            bhxh_number=row.bhxh_number,
            id_number=row.id_number,
            facility_code=row.facility_code,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            benefit_level=row.benefit_level,
        ),
        status=row.status,
        reason=row.reason,
        route=Route(row.route) if row.route else None,
        benefit_percent=row.benefit_percent,
        verification=Verification(row.verification),
        kiosk_id=row.kiosk_id,
        created_at=row.created_at,
        print_state=PrintState(row.print_state),
        cancelled=bool(row.cancelled),
        staff_name=row.staff_name,
        override_reason=row.override_reason,
        series=row.series,
        flag=row.flag,
        copay_exempt_from=row.copay_exempt_from,
        printed_label=row.printed_label,
    )


def audit_json(checkin: CheckIn) -> str:
    """The audit log's facts about a check-in, as JSON."""
    # No name or card number here: the audit log is read by many and kept long.
    facts: dict[str, object] = {
        "clinic": checkin.clinic_code,
        "day": checkin.local_day.isoformat(),
        "number": checkin.queue_number,
        "status": checkin.status,
        "verification": checkin.verification.value,
        "kiosk": checkin.kiosk_id,
        "cancelled": checkin.cancelled,
        "series": checkin.series,
    }
    if checkin.override_reason is not None:
        facts["override_reason"] = checkin.override_reason
    return json.dumps(facts, ensure_ascii=False)
