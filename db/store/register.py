"""RegisterStore: the kiosk register in central (migration 0012_register).

Each kiosk has one row: its offline prefix and the claim on it, when central last saw it, its
version and its last health record. Every time is the database server's (the kiosks' clocks
may disagree; "last seen" and the prefix rule compare moments of several machines).

The prefix rule, in one transaction per check-in to the register (:meth:`claim`):

- a kiosk's claim on its prefix stands while the kiosk has been seen within ``hold`` (a
  setting in days); a claim begins when the kiosk first registers with that prefix, and begins
  again when it changes its prefix or comes back after a gap longer than ``hold``;
- of the standing claims on one prefix, the oldest owns it (ties: the smaller kiosk id); every
  other kiosk with that prefix is ``held_by`` the owner and must not number offline;
- ``kiosk-admin kiosks forget ID`` removes a row, and with it its claim, at once.

The register holds no personal data. The offline journal keeps a copy of this kiosk's own
row (:meth:`keep_copy`), so a kiosk started while central is down still knows its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update

from db.models import kiosk_register
from db.store.database import Database

VERSION_CAP = 32
DETAIL_CAP = 200


@dataclass(frozen=True)
class Health:
    """The health record a kiosk writes to its register row (see kiosk.health.HealthReport)."""

    state: str
    camera: str
    printer: str
    outbox_pending: int | None
    outbox_failed: int | None
    journal_outbox_pending: int | None
    journal_outbox_failed: int | None
    offline_pending: int | None
    held: int | None
    cache_age_h: float | None
    last_checkin: datetime | None
    detail: str = ""


HEALTH_COLUMNS = tuple(f.name for f in fields(Health))


@dataclass(frozen=True)
class KioskEntry:
    """One row of the register."""

    kiosk_id: str
    offline_prefix: str
    claimed_at: datetime
    last_seen: datetime
    version: str
    held_by: str | None  # the kiosk whose claim on the same prefix stands before this one's
    health: Health | None  # None until the kiosk wrote its first health record


@dataclass(frozen=True)
class Fleet:
    """Every kiosk in the register, and the database server's time when it was read."""

    now: datetime
    kiosks: tuple[KioskEntry, ...]


def _entry(row: Any) -> KioskEntry:
    values = row._mapping
    health = None
    if values["state"] is not None:  # a health record was written
        recorded = {name: values[name] for name in HEALTH_COLUMNS}
        health = Health(**{**recorded, "detail": recorded["detail"] or ""})
    return KioskEntry(
        kiosk_id=values["kiosk_id"],
        offline_prefix=values["offline_prefix"],
        claimed_at=values["claimed_at"],
        last_seen=values["last_seen"],
        version=values["version"],
        held_by=values["held_by"],
        health=health,
    )


def _health_values(health: Health) -> dict[str, object]:
    values = {name: getattr(health, name) for name in HEALTH_COLUMNS}
    values["detail"] = health.detail[:DETAIL_CAP]
    for name in ("state", "camera", "printer"):
        values[name] = str(values[name])[:16]
    return values


class RegisterStore(Database):
    """The kiosk register over one :class:`~db.store.database.Database` (central, or the
    journal's copy of this kiosk's own row)."""

    def claim(
        self,
        kiosk_id: str,
        prefix: str,
        version: str,
        *,
        hold: timedelta,
        health: Health | None = None,
    ) -> KioskEntry:
        """This kiosk checks in to the register: seen now (server time), its prefix claimed
        (see the module's rule), its health record written when given. Returns its row, with
        ``held_by`` set when another kiosk's standing claim owns the prefix."""
        with self._writing() as conn:
            # Two kiosks claiming one prefix at once: one after the other, so the second
            # sees the first's claim (else both could think the prefix theirs till the next).
            self._dialect.serialize(conn, f"kiosk_register:{prefix}")
            now = self._dialect.server_now(conn)
            conn.execute(
                self._dialect.insert(kiosk_register)
                .values(
                    kiosk_id=kiosk_id,
                    offline_prefix=prefix,
                    claimed_at=now,
                    last_seen=now,
                    version=version[:VERSION_CAP],
                )
                .on_conflict_do_nothing(index_elements=["kiosk_id"])
            )
            mine = conn.execute(
                select(kiosk_register).where(kiosk_register.c.kiosk_id == kiosk_id)
            ).one()
            claimed_at = mine.claimed_at
            if mine.offline_prefix != prefix or mine.last_seen < now - hold:
                claimed_at = now  # a new claim: another prefix, or back after a long gap
            owner = _owner(conn, kiosk_id, prefix, claimed_at, now - hold)
            values: dict[str, object] = {
                "offline_prefix": prefix,
                "claimed_at": claimed_at,
                "last_seen": now,
                "version": version[:VERSION_CAP],
                "held_by": owner,
            }
            if health is not None:
                values.update(_health_values(health))
            conn.execute(
                update(kiosk_register).where(kiosk_register.c.kiosk_id == kiosk_id).values(values)
            )
            row = conn.execute(
                select(kiosk_register).where(kiosk_register.c.kiosk_id == kiosk_id)
            ).one()
        return _entry(row)

    def entry(self, kiosk_id: str) -> KioskEntry | None:
        """One kiosk's row, or None when it is not in the register."""
        with self._reading() as conn:
            row = conn.execute(
                select(kiosk_register).where(kiosk_register.c.kiosk_id == kiosk_id)
            ).first()
        return _entry(row) if row is not None else None

    def fleet(self) -> Fleet:
        """Every kiosk, by id, with the server's time to age their ``last_seen`` against."""
        with self._reading() as conn:
            now = self._dialect.server_now(conn)
            rows = conn.execute(select(kiosk_register).order_by(kiosk_register.c.kiosk_id)).all()
        return Fleet(now, tuple(_entry(row) for row in rows))

    def forget(self, kiosk_id: str) -> bool:
        """Remove a kiosk from the register (its prefix claim goes with it); False when it
        was not there."""
        with self._writing() as conn:
            gone = conn.execute(delete(kiosk_register).where(kiosk_register.c.kiosk_id == kiosk_id))
        return bool(gone.rowcount)

    def keep_copy(self, entry: KioskEntry) -> None:
        """Write ``entry`` as it is (the journal's copy of this kiosk's row in central)."""
        values: dict[str, object] = {
            "kiosk_id": entry.kiosk_id,
            "offline_prefix": entry.offline_prefix,
            "claimed_at": entry.claimed_at,
            "last_seen": entry.last_seen,
            "version": entry.version[:VERSION_CAP],
            "held_by": entry.held_by,
        }
        if entry.health is not None:
            values.update(_health_values(entry.health))
        with self._writing() as conn:
            conn.execute(delete(kiosk_register).where(kiosk_register.c.kiosk_id == entry.kiosk_id))
            conn.execute(kiosk_register.insert().values(values))


def _owner(
    conn: Connection, kiosk_id: str, prefix: str, claimed_at: datetime, standing: datetime
) -> str | None:
    """The other kiosk whose standing claim on ``prefix`` is older than this one's (ties: the
    smaller id), or None when this kiosk owns it (or has no prefix)."""
    if not prefix:
        return None
    register = kiosk_register.c
    found = conn.execute(
        select(register.kiosk_id)
        .where(
            register.offline_prefix == prefix,
            register.kiosk_id != kiosk_id,
            register.last_seen >= standing,
            or_(
                register.claimed_at < claimed_at,
                and_(register.claimed_at == claimed_at, register.kiosk_id < kiosk_id),
            ),
        )
        .order_by(register.claimed_at, register.kiosk_id)
        .limit(1)
    ).first()
    return str(found[0]) if found is not None else None


def register_store(store: Database) -> RegisterStore:
    """A :class:`RegisterStore` on the same engine and zone as ``store``."""
    return RegisterStore(store.engine, zone=store.zone)
