"""The BHXH gateway check (``KQNhanLichSuKCB2024``, ``docs/insurance-api.md``): one card asked
about online within a time budget, its JSON reply read into a :class:`kiosk.model.GatewayReply`;
and the co-payment look-up (``TraCuuTienMCCT``), its own endpoint on the same gateway with the
same token and the transport's one retry loop, read into a :class:`kiosk.copay.CopayReply`.
Names and card numbers are masked in logs."""

from __future__ import annotations

import contextlib
import logging
import threading
import unicodedata
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from db.cards.rows import RowError, record_from_row
from db.insurance.http import (
    BadReplyError,
    BudgetError,
    Call,
    Credentials,
    HttpTransport,
    InsuranceError,
    Token,
    TokenCache,
    TokenRefusedError,
    TooLargeError,
    TransientError,
    UnauthorizedError,
    parse_json,
    require_https,
)
from kiosk.clock import HOSPITAL_ZONE, Clock, SystemClock
from kiosk.config import InsuranceSettings
from kiosk.copay import CopayReply, CopayVisit, money
from kiosk.masking import mask_name, mask_number
from kiosk.model import (
    BirthDate,
    CardCheck,
    CardRecord,
    GatewayFailure,
    GatewayFailureKind,
    GatewayReply,
    ReplacementCard,
    Visit,
)
from kiosk.ports import CardQuery

log = logging.getLogger(__name__)

CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
COPAY_PATH = "/api/TraCuuCCT/TraCuuTienMCCT"
R = TypeVar("R")
_KEEPER_POLL_S = 15.0
# Words of a gateway message saying the token itself was refused (HTTP 200 with a text reply).
_TOKEN_WORDS = ("token",)
_REFUSED_WORDS = ("không đúng", "không hợp lệ", "hết hạn", "sai", "invalid", "expired", "wrong")


def _text(reply: Mapping[str, Any], key: str) -> str:
    value = reply.get(key)
    return value.strip() if isinstance(value, str) else ""


def _local_moment(text: str, zone: ZoneInfo) -> datetime | None:
    """``yyyyMMddHHmm`` in hospital local time, made aware (UTC)."""
    text = text.strip()
    if len(text) != 12 or not text.isdigit():
        return None
    try:
        local = datetime(
            int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12])
        )
    except ValueError:
        return None
    return local.replace(tzinfo=zone).astimezone(UTC)


def reply_birth(text: str) -> BirthDate | None:
    """A reply's ``ngaySinh``: ``yyyy``, ``MM/yyyy``, ``d/M/yyyy`` or ``dd/MM/yyyy``; None when
    empty or unreadable (the card is still used, its birth date unknown)."""
    parts = text.strip().split("/")
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts[-1]) != 4:
        return None
    try:
        if len(parts) == 1:
            return BirthDate(int(parts[0]))
        if len(parts) == 2 and len(parts[0]) <= 2:
            month = date(int(parts[1]), int(parts[0]), 1)
            return BirthDate(month.year, month.month)
        if len(parts) == 3 and len(parts[0]) <= 2 and len(parts[1]) <= 2:
            day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            return BirthDate(day.year, day.month, day.day)
    except ValueError:
        return None
    return None


def _date_or_none(text: str) -> date | None:
    if len(text) != 10:
        return None
    try:
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        return None


def reply_from_json(
    reply: Mapping[str, Any], query: CardQuery, zone: ZoneInfo = HOSPITAL_ZONE
) -> GatewayReply:
    """The gateway's JSON reply as a :class:`GatewayReply` (the card when the reply has one)."""
    code = _text(reply, "maKetQua") or "?"
    note = _text(reply, "ghiChu") or None
    card: CardRecord | None = None
    if _text(reply, "hoTen") and (_text(reply, "maThe") or _text(reply, "maSoBHXH")):
        number = _text(reply, "maThe") or _text(reply, "maSoBHXH")
        asked = query.code.strip().upper()
        if len(number) == 10 and len(asked) == 15 and asked.endswith(number):
            # the 2024 reply gives the 10-digit number only; the number asked about also
            # carries the object code and the benefit level
            number = asked
        birth = reply_birth(_text(reply, "ngaySinh"))
        row = {
            "maThe": number,
            "maSoBHXH": _text(reply, "maSoBHXH"),
            "hoTen": _text(reply, "hoTen"),
            # the card codec reads dd/MM/yyyy or yyyy; the reply's other forms are set below
            "ngaySinh": f"{birth.year:04d}" if birth is not None else "",
            "gioiTinh": _text(reply, "gioiTinh"),
            "diaChi": _text(reply, "diaChi"),
            "maDKBD": _text(reply, "maDKBD"),
            "gtTheTu": _text(reply, "gtTheTu"),
            "gtTheDen": _text(reply, "gtTheDen"),
            "ngayDu5Nam": _text(reply, "ngayDu5Nam"),
            "soCCCD": query.code if len(query.code) == 12 and query.code.isdigit() else "",
        }
        if code == "110":
            row["trangThai"] = "revoked"
        elif code.startswith("12") and len(code) == 3:
            row["trangThai"] = "deregistered"
        try:
            card = replace(record_from_row(row, source="gateway"), birth=birth)
        except RowError as error:
            log.warning("gateway card for %s not usable: %s", mask_number(query.code), error)
        new_number = _text(reply, "maTheMoi")
        renewed = bool(_text(reply, "gtTheTuMoi") or _text(reply, "gtTheDenMoi"))
        if card is not None and (new_number or renewed):
            # new validity dates without maTheMoi: the card renewed under its own number (a
            # 000 reply read as public clients read it, docs/domain.md §5)
            card = replace(
                card,
                replacement=ReplacementCard(
                    card_number=new_number or card.card_number,
                    valid_from=_date_or_none(_text(reply, "gtTheTuMoi")),
                    valid_to=_date_or_none(_text(reply, "gtTheDenMoi")),
                    facility_code=_text(reply, "maDKBDMoi") or None,
                    facility_name=_text(reply, "tenDKBDMoi") or None,
                ),
            )
    visits = tuple(
        Visit(
            facility_code=_text(v, "maCSKCB"),
            admitted_at=_local_moment(_text(v, "ngayVao"), zone),
            discharged_at=_local_moment(_text(v, "ngayRa"), zone),
        )
        for v in reply.get("dsLichSuKCB2018") or ()
        if isinstance(v, dict)
    )
    checks = tuple(
        CardCheck(
            user=_text(c, "userKT"),
            checked_at=_local_moment(_text(c, "thoiGianKT"), zone),
            message=_text(c, "thongBao") or None,
            result_code=_text(c, "maLoi") or None,
        )
        for c in reply.get("dsLichSuKT2018") or ()
        if isinstance(c, dict)
    )
    return GatewayReply(code=code, note=note, card=card, visits=visits, checks=checks)


def copay_from_json(reply: Mapping[str, Any]) -> CopayReply:
    """The co-payment look-up's JSON reply: ``MaKetQua``, ``GhiChu`` and the ``DataCCT`` rows
    (``ngayRa`` dd/MM/yyyy, ``tBNCCTLuyKe`` the running total); a row whose total cannot be
    read is left out."""
    visits = tuple(
        CopayVisit(_date_or_none(_text(row, "ngayRa")), amount)
        for row in reply.get("DataCCT") or ()
        if isinstance(row, dict) and (amount := money(row.get("tBNCCTLuyKe"))) is not None
    )
    return CopayReply(
        code=_text(reply, "MaKetQua") or "?",
        note=_text(reply, "GhiChu") or None,
        visits=visits,
    )


def _birth_text(birth: BirthDate) -> str:
    """``dd/MM/yyyy`` for a full date, else the year: the gateway takes only those two forms,
    and production clients never send an empty ``ngaySinh``."""
    if birth.month is not None and birth.day is not None:
        return birth.display()
    return f"{birth.year:04d}"


def token_refused(status: int, reply: object) -> bool:
    """Whether a gateway answer means "your token is no good": HTTP 401 or 403, ``maKetQua``
    401 or 403, or a message such as "token không đúng" (then the token is renewed once)."""
    if status in (401, 403):
        return True
    if not isinstance(reply, dict):
        return False
    if str(reply.get("maKetQua", "")).strip() in ("401", "403"):
        return True
    for key in ("ghiChu", "message", "thongBao", "error"):
        text = reply.get(key)
        if isinstance(text, str):
            folded = unicodedata.normalize("NFC", text).casefold()
            if any(w in folded for w in _TOKEN_WORDS) and any(w in folded for w in _REFUSED_WORDS):
                return True
    return False


class GatewayClient:
    """The BHXH gateway check (``KQNhanLichSuKCB2024``); implements ``OnlineCardCheck``, and
    ``CopayLookup`` with the co-payment look-up (``TraCuuTienMCCT``).

    The whole call, token fetch included, fits in ``budget_s``: every request's timeouts are
    cut to the time left, and a slow body is abandoned when the budget runs out. Checks run on
    a small pool of long-lived threads, each with its own kept-alive ``requests`` session, so a
    check reuses an open connection; :meth:`start` keeps a token ready on a background thread,
    so a check usually costs one round trip.
    """

    def __init__(
        self,
        http: HttpTransport,
        tokens: TokenCache,
        base_url: str,
        credentials: Credentials,
        zone: ZoneInfo = HOSPITAL_ZONE,
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._url = base_url.rstrip("/") + CHECK_PATH
        self._copay_url = base_url.rstrip("/") + COPAY_PATH
        self._credentials = credentials
        self._zone = zone
        # Two workers: a check abandoned at its budget may hold one until its own (equally
        # cut) timeouts end, and the next patient's check must not queue behind it.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="gateway-check")
        # Both workers now rather than at the first slow check: a kiosk's thread count is
        # then the same all day (the soak benchmark watches it for leaks).
        ready = threading.Barrier(3)
        for _ in range(2):
            self._pool.submit(ready.wait, 5.0)
        with contextlib.suppress(threading.BrokenBarrierError):
            ready.wait(5.0)
        self._keeper: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, poll_s: float = _KEEPER_POLL_S) -> None:
        """Take a token now and keep one ready on a background thread until :meth:`close`."""
        if self._keeper is not None:
            return

        def keep() -> None:
            while not self._stop.is_set():
                self._tokens.refresh_ahead()
                self._stop.wait(poll_s)

        self._keeper = threading.Thread(target=keep, name="gateway-token", daemon=True)
        self._keeper.start()

    def close(self) -> None:
        """Stop the token keeper and the check threads (a check under way is abandoned)."""
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._keeper is not None:
            self._keeper.join(timeout=5)

    @classmethod
    def from_settings(
        cls,
        settings: InsuranceSettings,
        clock: Clock | None = None,
        env: Mapping[str, str] | None = None,
        zone: ZoneInfo = HOSPITAL_ZONE,
    ) -> GatewayClient:
        if not settings.gateway_url:
            raise InsuranceError("no gateway URL: set insurance.gateway_url")
        require_https(settings.gateway_url, settings, "insurance.gateway_url")
        url = settings.gateway_url
        tokens = TokenCache.from_settings(settings, url, clock or SystemClock(), env)
        return cls(tokens.http, tokens, url, tokens.credentials, zone)

    def check(self, query: CardQuery, budget_s: float) -> GatewayReply | GatewayFailure:
        """Ask the gateway about one card; never raises, returns within ``budget_s``.

        Socket timeouts bound each read, not a whole slowly dripping reply, so the call runs on
        a worker thread and is abandoned when the budget is spent (the thread then ends at its
        own timeouts, which are cut to the same deadline). Without a birth date the gateway is
        not asked: an empty ``ngaySinh`` is never sent.
        """
        return self._within(self._check, query, budget_s)

    def copay(self, query: CardQuery, budget_s: float) -> CopayReply | GatewayFailure:
        """Ask the co-payment look-up about one card; never raises, returns within ``budget_s``.

        The same token as the check, sent in headers as the service's documentation asks; a
        refused token (HTTP 401) is renewed once, 5xx retried by the transport's one loop.
        """
        return self._within(self._copay, query, budget_s)

    def _within(
        self, ask: Callable[[CardQuery, float], R], query: CardQuery, budget_s: float
    ) -> R | GatewayFailure:
        """``ask(query, deadline)`` on a worker thread, abandoned when the budget is spent."""
        if query.birth is None:
            return self._fail(GatewayFailureKind.INCOMPLETE, "no birth date to send", query)
        deadline = self._http.deadline_after(budget_s)
        try:
            future = self._pool.submit(self._guarded, ask, query, deadline)
        except RuntimeError:  # closed
            return self._fail(GatewayFailureKind.NOT_CONFIGURED, "client closed", query)
        try:
            return future.result(timeout=max(0.0, budget_s))
        except TimeoutError:
            return self._fail(GatewayFailureKind.TIMEOUT, "no reply within the time budget", query)

    def _guarded(  # noqa: PLR0911 - one return per failure kind
        self, ask: Callable[[CardQuery, float], R], query: CardQuery, deadline: float
    ) -> R | GatewayFailure:
        try:
            return ask(query, deadline)
        except BudgetError as error:
            return self._fail(GatewayFailureKind.TIMEOUT, str(error), query)
        except UnauthorizedError as error:
            return self._fail(GatewayFailureKind.AUTH, str(error), query)
        except TooLargeError as error:
            return self._fail(GatewayFailureKind.BAD_REPLY, str(error), query)
        except BadReplyError as error:
            return self._fail(GatewayFailureKind.BAD_REPLY, str(error), query)
        except TransientError as error:
            left = self._http.remaining(deadline)
            kind = GatewayFailureKind.UNREACHABLE
            if left is not None and left <= 0.01:
                kind = GatewayFailureKind.TIMEOUT
            return self._fail(kind, str(error), query)
        except InsuranceError as error:  # the token service refused the request itself
            return self._fail(GatewayFailureKind.AUTH, str(error), query)
        except Exception as error:  # the port promises never to raise
            return self._fail(GatewayFailureKind.BAD_REPLY, type(error).__name__, query)

    def _fail(self, kind: GatewayFailureKind, detail: str, query: CardQuery) -> GatewayFailure:
        log.warning("gateway check of %s failed: %s (%s)", mask_number(query.code), kind, detail)
        return GatewayFailure(kind, detail)

    def _check(self, query: CardQuery, deadline: float) -> GatewayReply:
        assert query.birth is not None  # check() answers INCOMPLETE without one
        body = {
            "maThe": query.code,
            "hoTen": query.name,
            "ngaySinh": _birth_text(query.birth),
            "hoTenCb": self._credentials.officer_name,
            "cccdCb": self._credentials.officer_id,
        }
        reply = self._tokens.with_token(partial(self._ask, body, deadline), deadline)
        result = reply_from_json(reply, query, self._zone)
        log.info(
            "gateway %s for %s (%s)",
            result.code,
            mask_number(query.code),
            mask_name(query.name),
        )
        return result

    def _copay(self, query: CardQuery, deadline: float) -> CopayReply:
        assert query.birth is not None  # copay() answers INCOMPLETE without one
        body = {
            "username": self._credentials.username,
            "maThe": query.code,
            "hoTen": query.name,
            "ngaySinh": _birth_text(query.birth),
        }
        reply = self._tokens.with_token(partial(self._ask_copay, body, deadline), deadline)
        result = copay_from_json(reply)
        log.info(
            "co-payment look-up %s for %s: %d visits",
            result.code,
            mask_number(query.code),
            len(result.visits),
        )
        return result

    def _ask_copay(self, body: Mapping[str, str], deadline: float, token: Token) -> dict[str, Any]:
        """One look-up with ``token`` in the headers the service reads (``accessToken``,
        ``tokenId``, ``passwordHash``). Raises :class:`TokenRefusedError` on HTTP 401/403: the
        service answers a bad or expired token with HTTP 401 and no body."""
        headers = {
            "accessToken": token.access_token,
            "tokenId": token.id_token,
            "passwordHash": self._credentials.password_md5,
        }
        call = Call("POST", self._copay_url, json_body=body, headers=headers)
        status, raw = self._http.request(call, deadline)
        if status in (401, 403):
            raise TokenRefusedError(f"co-payment look-up refused a fresh token (HTTP {status})")
        reply = parse_json(raw, "co-payment look-up")
        if not isinstance(reply, dict) or not str(reply.get("MaKetQua", "")).strip():
            raise BadReplyError(f"co-payment look-up HTTP {status}: reply has no MaKetQua")
        return reply

    def _ask(self, body: Mapping[str, str], deadline: float, token: Token) -> dict[str, Any]:
        """One check with ``token`` (5xx retried by the transport): the reply, which carries a
        ``maKetQua``. Raises :class:`TokenRefusedError` when the gateway refused the token."""
        params = {
            "token": token.access_token,
            "id_token": token.id_token,
            "username": self._credentials.username,
            "password": self._credentials.password_md5,
        }
        call = Call("POST", self._url, params=params, json_body=body)
        status, raw = self._http.request(call, deadline)
        reply = parse_json(raw, "gateway") if status not in (401, 403) else {}
        code = str(reply.get("maKetQua", "")) if isinstance(reply, dict) else ""
        if token_refused(status, reply):
            # the message of the second refusal, the one raised to the caller
            raise TokenRefusedError(
                f"gateway refused a fresh token (HTTP {status}, maKetQua {code or '?'})"
            )
        if not isinstance(reply, dict) or not code:
            raise BadReplyError(f"gateway HTTP {status}: reply has no maKetQua")
        return reply
