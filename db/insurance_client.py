"""Clients of the insurance service: the card feed (bulk sync) and the BHXH gateway check.

The only module that imports ``requests``. Both protocols are described in
``docs/insurance-api.md``. Every request has connect and read timeouts, retries with
exponential backoff and jitter on connection errors and 5xx only, one token refresh on 401,
verified TLS (optionally against a configured CA bundle) and a bounded reply size. Passwords
are never logged; names and card numbers are masked in logs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import random
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import requests

from db.card_rows import (
    MODEL_FORMS,
    CardValues,
    RowError,
    ValueForms,
    card_values,
    clean_text,
    masked_key,
    record_from_row,
    removal_key,
)
from kiosk.clock import HOSPITAL_ZONE, Clock, SystemClock
from kiosk.config import InsuranceSettings
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

T = TypeVar("T")

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/token/take"  # noqa: S105 - a URL path, not a secret
FEED_PATH = "/api/cards/changes"
CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
_CHUNK = 256 * 1024
_TOKEN_MARGIN_S = 30.0  # refresh a little before the gateway's expiry
# The token keeper renews this long before expiry, so a check never waits for a token.
_PREFETCH_MARGIN_S = 300.0
_KEEPER_POLL_S = 15.0
# Words of a gateway message saying the token itself was refused (HTTP 200 with a text reply).
_TOKEN_WORDS = ("token",)
_REFUSED_WORDS = ("không đúng", "không hợp lệ", "hết hạn", "sai", "invalid", "expired", "wrong")


class InsuranceError(Exception):
    """The insurance service could not be used; the message is one line for an admin."""


class _TransientError(InsuranceError):
    """A failure worth retrying: connection error, 5xx, truncated or unreadable body."""


class _BadReplyError(_TransientError):
    """The body was cut short or is not JSON (retried like a connection error)."""


class _UnauthorizedError(InsuranceError):
    """HTTP 401 (or maKetQua 401): the token was refused."""


class _BudgetError(InsuranceError):
    """The time budget ran out."""


class _TooLargeError(InsuranceError):
    """The reply exceeded the configured size bound."""


def require_https(url: str, settings: InsuranceSettings, what: str) -> None:
    """Refuse a plain http:// ``url`` unless ``insurance.allow_http`` (a test simulator): the
    gateway protocol sends the token and the password's MD5 in the query string."""
    if not url.lower().startswith("https://") and not settings.allow_http:
        raise InsuranceError(
            f"{what}: expected an https:// URL (plain http:// only with "
            "insurance.allow_http = true, for a test simulator)"
        )


def password_md5(password: str, uppercase: bool = False) -> str:
    """The MD5 hex of the password, as the gateway wants it."""
    digest = hashlib.md5(password.encode("utf-8")).hexdigest()
    return digest.upper() if uppercase else digest


@dataclass(frozen=True)
class Credentials:
    """The facility account and officer, read from the environment variables named in config."""

    username: str
    password_md5: str = field(repr=False)
    officer_name: str = ""
    officer_id: str = ""

    @classmethod
    def from_settings(
        cls, settings: InsuranceSettings, env: Mapping[str, str] | None = None
    ) -> Credentials:
        environment = os.environ if env is None else env
        password = environment.get(settings.password_env, "")
        if not password:
            raise InsuranceError(
                f"environment variable {settings.password_env} (insurance.password_env) is empty"
            )
        return cls(
            username=settings.username,
            password_md5=password_md5(password, settings.md5_uppercase),
            officer_name=environment.get(settings.officer_name_env, ""),
            officer_id=environment.get(settings.officer_id_env, ""),
        )


@dataclass(frozen=True)
class Token:
    """A gateway/feed token and when it stops working (UTC)."""

    access_token: str = field(repr=False)
    id_token: str = field(repr=False)
    username: str
    expires_at: datetime


class HttpTransport:
    """One ``requests`` session with timeouts, retries, a size bound and a deadline."""

    def __init__(
        self,
        *,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 30.0,
        retries: int = 5,
        ca_bundle: str = "",
        max_bytes: int = 64 * 1024 * 1024,
        backoff_s: float = 0.1,
        max_backoff_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.retries = retries
        self.max_bytes = max_bytes
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._local = threading.local()
        self._verify: bool | str = ca_bundle or True
        self._rng = random.Random()
        self.attempts = 0  # requests sent, for diagnostics and tests

    @classmethod
    def from_settings(cls, settings: InsuranceSettings) -> HttpTransport:
        return cls(
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            retries=settings.retries,
            ca_bundle=settings.ca_bundle,
            max_bytes=settings.max_response_mb * 1024 * 1024,
        )

    def _session(self) -> requests.Session:
        # a session per thread: the feed prefetches on its own thread
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.verify = self._verify
            session.headers["Accept-Encoding"] = "gzip"
            session.headers["User-Agent"] = "clinic-checkin-kiosk/0.1"
            self._local.session = session
        return session

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()

    def remaining(self, deadline: float | None) -> float | None:
        return None if deadline is None else deadline - self._monotonic()

    def once(
        self,
        method: str,
        url: str,
        *,
        deadline: float | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        form_body: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """One request; the status and the whole (decoded) body. Raises :class:`_TransientError`,
        :class:`_BudgetError` or :class:`_TooLargeError`. ``form_body`` is sent
        form-urlencoded instead of ``json_body``."""
        connect, read = self.connect_timeout_s, self.read_timeout_s
        left = self.remaining(deadline)
        if left is not None:
            if left <= 0.005:
                raise _BudgetError("time budget spent")
            connect, read = min(connect, left), min(read, left)
        self.attempts += 1
        try:
            response = self._session().request(
                method,
                url,
                params=params,
                json=json_body,
                data=form_body,
                headers=headers,
                timeout=(connect, read),
                stream=True,
            )
        except requests.Timeout as error:
            raise _BudgetError("no reply in time") from error
        except requests.RequestException as error:
            raise _TransientError(f"cannot reach {_host(url)}: {type(error).__name__}") from error
        with response:
            status = response.status_code
            if status >= 500:
                raise _TransientError(f"{_host(url)} answered HTTP {status}")
            declared = response.headers.get("Content-Length")
            if (
                declared
                and declared.isdigit()
                and "Content-Encoding" not in response.headers
                and int(declared) > self.max_bytes
            ):
                raise _TooLargeError(f"reply of {declared} bytes is over the limit")
            parts: list[bytes] = []
            size = 0
            try:
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise _TooLargeError(f"reply over the limit of {self.max_bytes} bytes")
                    parts.append(chunk)
                    left = self.remaining(deadline)
                    if left is not None and left <= 0:
                        raise _BudgetError("reply too slow for the time budget")
            except requests.Timeout as error:
                raise _BudgetError("reply stalled") from error
            except requests.RequestException as error:
                raise _BadReplyError(f"reply from {_host(url)} cut short") from error
        return status, b"".join(parts)

    def request(
        self,
        method: str,
        url: str,
        *,
        deadline: float | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        form_body: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """:meth:`once` with retries (backoff with full jitter) on transient failures."""
        return self.retrying(
            lambda: self.once(
                method,
                url,
                deadline=deadline,
                params=params,
                json_body=json_body,
                headers=headers,
                form_body=form_body,
            ),
            deadline,
        )

    def retrying(self, attempt: Callable[[], T], deadline: float | None = None) -> T:
        """``attempt()``, tried again up to :attr:`retries` times while it raises a transient
        failure (connection error, 5xx, a body cut short or not JSON), with a pause before every
        retry: exponential backoff with full jitter, so kiosks that failed together do not all
        come back together.

        The one retry loop of the clients: an ``attempt`` sends one request (:meth:`once`) and
        may read its reply, and callers never loop around this, so a failing page costs
        ``retries + 1`` requests, not their square.
        """
        tries = 0
        while True:
            try:
                return attempt()
            except _TransientError as error:
                if tries >= self.retries:
                    raise
                pause = self._rng.uniform(0, min(self.max_backoff_s, self.backoff_s * (2**tries)))
                left = self.remaining(deadline)
                if left is not None and left <= pause:
                    raise
                log.info("retrying after %s (%.2f s)", error, pause)
                self._sleep(pause)
                tries += 1


def _host(url: str) -> str:
    return url.split("/")[2] if "//" in url else url


def _json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _BadReplyError(f"{what}: reply is not valid JSON") from None


class TokenCache:
    """Takes a token with ``POST /api/token/take`` and keeps it until its ``expires_in``.

    ``body`` is how the request is encoded: ``"form"`` (form-urlencoded, as the 2025-26
    guidance describes) or ``"json"`` (``insurance.token_body``).
    """

    def __init__(
        self,
        http: HttpTransport,
        base_url: str,
        credentials: Credentials,
        clock: Clock,
        *,
        body: str = "form",
    ) -> None:
        if body not in ("form", "json"):
            raise ValueError(f"token body must be form or json, not {body!r}")
        self._http = http
        self._url = base_url.rstrip("/") + TOKEN_PATH
        self._credentials = credentials
        self._clock = clock
        self._body = body
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def get(self, deadline: float | None = None) -> Token:
        """A valid token: the cached one unless it expires within a margin."""
        with self._lock:
            token = self._token
            if token is not None and (
                (token.expires_at - self._clock.now()).total_seconds() > _TOKEN_MARGIN_S
            ):
                return token
            self._token = self._take(deadline)
            return self._token

    def invalidate(self, token: Token) -> None:
        """Forget ``token`` (the server refused it) so the next :meth:`get` takes a new one."""
        with self._lock:
            if self._token is token:
                self._token = None

    def due(self, ahead_s: float = _PREFETCH_MARGIN_S) -> bool:
        """Whether there is no token, or the one held expires within ``ahead_s`` seconds."""
        token = self._token
        return token is None or (token.expires_at - self._clock.now()).total_seconds() <= ahead_s

    def refresh_ahead(self, ahead_s: float = _PREFETCH_MARGIN_S) -> bool:
        """Take a new token now if :meth:`due`, off any check's path; never raises.

        Returns whether a usable token is held afterwards.
        """
        if not self.due(ahead_s):
            return True
        if self._token is None:
            # none held yet (at start): take it under the lock, so a check that comes meanwhile
            # waits for this token instead of taking a second one
            with self._lock:
                return self._take_ahead(ahead_s)
        return self._take_ahead(ahead_s)  # the held token stays usable while the next one comes

    def _take_ahead(self, ahead_s: float) -> bool:
        if not self.due(ahead_s):
            return True  # another caller took one meanwhile
        try:
            token = self._take(None)
        except InsuranceError as error:
            log.warning("could not take a gateway token ahead of time: %s", error)
            return self._token is not None
        self._token = token
        return True

    def _take(self, deadline: float | None) -> Token:
        self.fetches += 1
        fields = {
            "username": self._credentials.username,
            "password": self._credentials.password_md5,
        }
        status, body = self._http.request(
            "POST",
            self._url,
            deadline=deadline,
            json_body=fields if self._body == "json" else None,
            form_body=fields if self._body == "form" else None,
        )
        if status == 401:
            raise _UnauthorizedError("the token service refused the username or password")
        reply = _json(body, "token")
        key = reply.get("APIKey") if isinstance(reply, dict) else None
        code = str(reply.get("maKetQua", "")) if isinstance(reply, dict) else ""
        if code == "401":
            raise _UnauthorizedError("the token service refused the username or password")
        if status != 200 or code != "200" or not isinstance(key, dict):
            raise InsuranceError(f"token service answered HTTP {status}, maKetQua {code or '?'}")
        try:
            expires = datetime.fromisoformat(str(key["expires_in"]).replace("Z", "+00:00"))
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            return Token(
                access_token=str(key["access_token"]),
                id_token=str(key.get("id_token") or ""),
                username=str(key.get("username") or self._credentials.username),
                expires_at=expires,
            )
        except (KeyError, ValueError):
            raise InsuranceError("token service reply lacks access_token or expires_in") from None


# -- the card feed --------------------------------------------------------------------------


# A cursor is a position in the server's change log; anything longer is not one, and saving it
# would make every later request too long for the server (HTTP 414) for good.
MAX_CURSOR_BYTES = 1024


class FeedError(InsuranceError):
    """The feed answered, but with something the kiosk must not use (a cursor too long, one that
    does not advance); retrying would get the same answer."""


@dataclass(frozen=True)
class Rejected:
    """A feed record that failed validation: skipped, and reported with a masked key."""

    position: int  # index of the record in its page
    key: str  # masked BHXH number (or "?")
    reason: str
    cursor: str = ""  # the cursor the page was asked with: where to find the record again


@dataclass(frozen=True)
class FeedPage:
    """One validated page of the feed. ``cards`` and ``removals`` are in change order with
    duplicates resolved (the last change of a card in the page wins)."""

    since: str
    next_cursor: str
    has_more: bool
    cards: list[CardValues]  # in db.card_rows.CARD_COLUMNS order, in the forms asked for
    removals: list[str]  # BHXH numbers (or 15-character card numbers)
    rejected: list[Rejected]
    records: int  # records in the page as served, tombstones included


def parse_page(since: str, reply: Any, forms: ValueForms = MODEL_FORMS) -> FeedPage:
    """Validate one decoded feed reply; bad records become :class:`Rejected`, never errors.

    Cards come out as :func:`db.card_rows.card_values` tuples in ``forms`` (the store's
    :attr:`~db.store.SqlStore.card_forms` for a sync: no CardRecord is built per card)."""
    if not isinstance(reply, dict) or not isinstance(reply.get("cards"), list):
        raise _TransientError("feed: reply has no cards list")
    next_cursor = reply.get("next_cursor")
    has_more = reply.get("has_more")
    if not isinstance(next_cursor, str) or not next_cursor or not isinstance(has_more, bool):
        raise _TransientError("feed: reply lacks next_cursor or has_more")
    if len(next_cursor) > MAX_CURSOR_BYTES or len(next_cursor.encode()) > MAX_CURSOR_BYTES:
        raise FeedError(
            f"feed: the next cursor after cursor {_show_cursor(since)} is longer than "
            f"{MAX_CURSOR_BYTES} bytes; not saved (ask the feed's operator)"
        )
    if not next_cursor.isprintable():
        raise FeedError(
            f"feed: the next cursor after cursor {_show_cursor(since)} holds control "
            "characters; not saved (ask the feed's operator)"
        )
    latest: dict[str, CardValues | None] = {}  # key -> card, None for a removal
    rejected: list[Rejected] = []
    records = reply["cards"]
    for position, row in enumerate(records):
        if not isinstance(row, dict):
            rejected.append(Rejected(position, "?", "record is not an object", since))
            continue
        try:
            if row.get("removed") is True:
                key = removal_key(row)
                latest.pop(key, None)
                latest[key] = None
                continue
            card = card_values(row, "feed", forms)
        except RowError as error:
            rejected.append(Rejected(position, masked_key(row), str(error), since))
            continue
        key = card[0]  # the BHXH number
        latest.pop(key, None)  # a later change of the same card in this page moves to the end
        latest[key] = card
    cards = [c for c in latest.values() if c is not None]
    removals = [k for k, c in latest.items() if c is None]
    return FeedPage(since, next_cursor, has_more, cards, removals, rejected, len(records))


class FeedClient:
    """Reads the card feed page by page (``GET /api/cards/changes``).

    :meth:`pages` fetches the next page on a helper thread while the caller applies the
    current one, so the network, the server and the database work at the same time; at most
    two pages are in memory.
    """

    def __init__(
        self, http: HttpTransport, tokens: TokenCache, base_url: str, page_size: int = 5000
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._url = base_url.rstrip("/") + FEED_PATH
        self.page_size = page_size

    @classmethod
    def from_settings(
        cls,
        settings: InsuranceSettings,
        clock: Clock | None = None,
        url: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> FeedClient:
        base = url or settings.feed_url
        if not base:
            raise InsuranceError("no feed URL: set insurance.feed_url or pass --url")
        require_https(base, settings, "feed URL")
        http = HttpTransport.from_settings(settings)
        credentials = Credentials.from_settings(settings, env)
        tokens = TokenCache(
            http, base, credentials, clock or SystemClock(), body=settings.token_body
        )
        return cls(http, tokens, base, settings.page_size)

    def fetch(self, since: str, forms: ValueForms = MODEL_FORMS) -> FeedPage:
        """One page after cursor ``since`` ("" for the beginning), its cards in ``forms``:
        retried by the transport on transient failures (bad JSON included), one token refresh
        on 401. Raises :class:`InsuranceError`."""
        refreshed = False
        while True:
            token = self._tokens.get()
            try:
                return self._http.retrying(partial(self._fetch_once, since, token, forms))
            except _UnauthorizedError:
                if refreshed:
                    raise InsuranceError("feed refused a fresh token (HTTP 401)") from None
                refreshed = True
                self._tokens.invalidate(token)
            except _BudgetError as error:
                raise InsuranceError(f"feed: {error}") from None
            except _TooLargeError as error:
                raise InsuranceError(f"feed: {error} (insurance.max_response_mb)") from None

    def _fetch_once(self, since: str, token: Token, forms: ValueForms) -> FeedPage:
        """One GET of one page, read and validated; no retry here (the transport's loop)."""
        status, body = self._http.once(
            "GET",
            self._url,
            params={"since": since, "limit": str(self.page_size)},
            headers={"Authorization": f"Bearer {token.access_token}"},
        )
        if status == 401:
            raise _UnauthorizedError("feed refused the token")
        if status != 200:
            raise InsuranceError(f"feed answered HTTP {status}: {_reason(body)}")
        return parse_page(since, _json(body, "feed"), forms)

    def pages(self, since: str, forms: ValueForms = MODEL_FORMS) -> Iterator[FeedPage]:
        """Pages from cursor ``since`` until the feed has no more, their cards in ``forms``;
        prefetches one ahead."""
        results: queue.Queue[FeedPage | BaseException] = queue.Queue(maxsize=1)
        stop = threading.Event()

        def produce() -> None:
            cursor = since
            while not stop.is_set():
                item: FeedPage | BaseException
                try:
                    item = self.fetch(cursor, forms)
                except BaseException as error:  # handed to the consumer, never lost
                    item = error
                while not stop.is_set():
                    try:
                        results.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if isinstance(item, BaseException) or not item.has_more:
                    return
                cursor = item.next_cursor

        worker = threading.Thread(target=produce, name="feed-prefetch", daemon=True)
        worker.start()
        try:
            while True:
                got = results.get()
                if isinstance(got, BaseException):
                    raise got
                yield got
                if not got.has_more:
                    return
        finally:
            stop.set()
            worker.join(timeout=60)


def _show_cursor(cursor: str) -> str:
    """A cursor for a one-line message: quoted, and cut when long."""
    return repr(cursor if len(cursor) <= 40 else cursor[:40] + "…") if cursor else "(start)"


def _reason(body: bytes) -> str:
    try:
        reply = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "no details"
    if isinstance(reply, dict):
        text = str(reply.get("message") or reply.get("ghiChu") or reply.get("error") or "")[:200]
        return clean_text(text)  # the server's words go into a log line: no control characters
    return "no details"


# -- the gateway check ----------------------------------------------------------------------


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
        if card is not None and new_number:
            card = replace(
                card,
                replacement=ReplacementCard(
                    card_number=new_number,
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
    """The BHXH gateway check (``KQNhanLichSuKCB2024``); implements ``OnlineCardCheck``.

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
        self._credentials = credentials
        self._zone = zone
        self._monotonic = http._monotonic
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
        http = HttpTransport.from_settings(settings)
        credentials = Credentials.from_settings(settings, env)
        tokens = TokenCache(
            http,
            settings.gateway_url,
            credentials,
            clock or SystemClock(),
            body=settings.token_body,
        )
        return cls(http, tokens, settings.gateway_url, credentials, zone)

    def check(self, query: CardQuery, budget_s: float) -> GatewayReply | GatewayFailure:
        """Ask the gateway about one card; never raises, returns within ``budget_s``.

        Socket timeouts bound each read, not a whole slowly dripping reply, so the call runs on
        a worker thread and is abandoned when the budget is spent (the thread then ends at its
        own timeouts, which are cut to the same deadline). Without a birth date the gateway is
        not asked: an empty ``ngaySinh`` is never sent.
        """
        if query.birth is None:
            return self._fail(GatewayFailureKind.INCOMPLETE, "no birth date to send", query)
        deadline = self._monotonic() + budget_s
        try:
            future = self._pool.submit(self._guarded, query, deadline)
        except RuntimeError:  # closed
            return self._fail(GatewayFailureKind.NOT_CONFIGURED, "client closed", query)
        try:
            return future.result(timeout=max(0.0, budget_s))
        except TimeoutError:
            return self._fail(GatewayFailureKind.TIMEOUT, "no reply within the time budget", query)

    def _guarded(  # noqa: PLR0911 - one return per failure kind
        self, query: CardQuery, deadline: float
    ) -> GatewayReply | GatewayFailure:
        try:
            return self._check(query, deadline)
        except _BudgetError as error:
            return self._fail(GatewayFailureKind.TIMEOUT, str(error), query)
        except _UnauthorizedError as error:
            return self._fail(GatewayFailureKind.AUTH, str(error), query)
        except _TooLargeError as error:
            return self._fail(GatewayFailureKind.BAD_REPLY, str(error), query)
        except _BadReplyError as error:
            return self._fail(GatewayFailureKind.BAD_REPLY, str(error), query)
        except _TransientError as error:
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
        refreshed = False
        while True:
            token = self._tokens.get(deadline)
            params = {
                "token": token.access_token,
                "id_token": token.id_token,
                "username": self._credentials.username,
                "password": self._credentials.password_md5,
            }
            status, raw = self._http.request(
                "POST", self._url, deadline=deadline, params=params, json_body=body
            )
            reply = _json(raw, "gateway") if status not in (401, 403) else {}
            code = str(reply.get("maKetQua", "")) if isinstance(reply, dict) else ""
            if token_refused(status, reply):
                self._tokens.invalidate(token)
                if refreshed:
                    raise _UnauthorizedError(
                        f"gateway refused a fresh token (HTTP {status}, maKetQua {code or '?'})"
                    )
                refreshed = True
                continue
            if not isinstance(reply, dict) or not code:
                raise _BadReplyError(f"gateway HTTP {status}: reply has no maKetQua")
            result = reply_from_json(reply, query, self._zone)
            log.info(
                "gateway %s for %s (%s)",
                result.code,
                mask_number(query.code),
                mask_name(query.name),
            )
            return result
