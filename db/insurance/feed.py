"""The card feed client: the cache's bulk sync reads the insurance service's change log page by
page (``GET /api/cards/changes``, ``docs/insurance-api.md``)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from db.cards.rows import RowError, card_values, clean_text, masked_key, removal_key
from db.insurance.http import (
    BudgetError,
    Call,
    InsuranceError,
    TokenCache,
    TokenRefusedError,
    TooLargeError,
    TransientError,
    parse_json,
    require_https,
)
from db.store.card_columns import MODEL_FORMS, CardValues, ValueForms
from kiosk.clock import Clock, SystemClock
from kiosk.config import InsuranceSettings

if TYPE_CHECKING:
    from db.insurance.http import HttpTransport, Token

FEED_PATH = "/api/cards/changes"


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
    cards: list[CardValues]  # in db.store.card_columns.CARD_COLUMNS order, in the forms asked for
    removals: list[str]  # BHXH numbers (or 15-character card numbers)
    rejected: list[Rejected]
    records: int  # records in the page as served, tombstones included


def parse_page(since: str, reply: Any, forms: ValueForms = MODEL_FORMS) -> FeedPage:
    """Validate one decoded feed reply; bad records become :class:`Rejected`, never errors.

    Cards come out as :func:`db.cards.rows.card_values` tuples in ``forms`` (the store's
    :attr:`~db.store.SqlStore.card_forms` for a sync: no CardRecord is built per card)."""
    if not isinstance(reply, dict) or not isinstance(reply.get("cards"), list):
        raise TransientError("feed: reply has no cards list")
    next_cursor = reply.get("next_cursor")
    has_more = reply.get("has_more")
    if not isinstance(next_cursor, str) or not next_cursor or not isinstance(has_more, bool):
        raise TransientError("feed: reply lacks next_cursor or has_more")
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
        tokens = TokenCache.from_settings(settings, base, clock or SystemClock(), env)
        return cls(tokens.http, tokens, base, settings.page_size)

    def fetch(self, since: str, forms: ValueForms = MODEL_FORMS) -> FeedPage:
        """One page after cursor ``since`` ("" for the beginning), its cards in ``forms``:
        retried by the transport on transient failures (bad JSON included), one token refresh
        on 401. Raises :class:`InsuranceError`."""
        try:
            return self._tokens.with_token(partial(self._fetch_retried, since, forms))
        except TokenRefusedError:
            raise InsuranceError("feed refused a fresh token (HTTP 401)") from None
        except BudgetError as error:
            raise InsuranceError(f"feed: {error}") from None
        except TooLargeError as error:
            raise InsuranceError(f"feed: {error} (insurance.max_response_mb)") from None

    def _fetch_retried(self, since: str, forms: ValueForms, token: Token) -> FeedPage:
        """One page with ``token``, through the transport's retry loop (the only one)."""
        return self._http.retrying(partial(self._fetch_once, since, token, forms))

    def _fetch_once(self, since: str, token: Token, forms: ValueForms) -> FeedPage:
        """One GET of one page, read and validated; no retry here (the transport's loop)."""
        call = Call(
            "GET",
            self._url,
            params={"since": since, "limit": str(self.page_size)},
            headers={"Authorization": f"Bearer {token.access_token}"},
        )
        status, body = self._http.once(call)
        if status == 401:
            raise TokenRefusedError("feed refused the token")
        if status != 200:
            raise InsuranceError(f"feed answered HTTP {status}: {_reason(body)}")
        return parse_page(since, parse_json(body, "feed"), forms)

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
