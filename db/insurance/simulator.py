"""A simulator of the insurance service: the card feed and the BHXH gateway, over real HTTP.

It serves the protocols of ``docs/insurance-api.md`` (the feed, the card check, and the
co-payment look-up ``TraCuuTienMCCT`` with each of its MaKetQua) from a deterministic synthetic
:class:`~db.insurance.population.Population` on 127.0.0.1 with the standard library's threading HTTP
server, and can misbehave on purpose (latency, 5xx, truncated bodies, malformed JSON, short
token lifetimes, a slow drip) so the clients and the sync are tested against real faults.

It is as strict as the real gateway where its behaviour is known (a year-only birth date is
compared by year; the MD5 case of the password is checked) and :class:`GatewayBehaviour` makes
it answer each variant seen from production gateways, or either answer where the real one is
not known (does it take a JSON token body? either MD5 case?).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from db.insurance.population import Population
from kiosk.synthetic import REFERENCE_DAY

MAX_PAGE = 100_000
DEFAULT_USERNAME = "79024_BV"
DEFAULT_PASSWORD = "synthetic-password"  # noqa: S105 - the simulator's published test password
DEFAULT_OFFICER_NAME = "Lê Văn Thử"
DEFAULT_OFFICER_ID = "079190000001"


@dataclass
class Faults:
    """How badly the simulator behaves. Rates are fractions of requests (0..1)."""

    latency_ms: int = 0
    error_rate: float = 0.0  # reply 500/502/503
    truncate_rate: float = 0.0  # cut the body in half and close the connection
    malformed_rate: float = 0.0  # reply with a body that is not JSON
    bad_record_rate: float = 0.0  # feed records with invalid fields (deterministic by position)
    token_ttl_s: float = 3600.0
    drip_ms: int = 0  # pause between 512-byte pieces of every body
    down: bool = False  # close every connection without a reply


MD5_CASES = ("upper", "lower", "any")
TOKEN_BODIES = ("form", "json", "any")
REPLY_BIRTHS = ("dd/MM/yyyy", "d/M/yyyy", "MM/yyyy", "yyyy")
TOKEN_ERRORS = ("401", "403", "message")


@dataclass
class GatewayBehaviour:
    """How the simulated gateway answers where real gateways differ or are not known.

    - ``md5_case``: the case of the password's MD5 hex the token service accepts. The 2025-26
      guidance asks for upper case; whether the real service also takes lower case is not
      known, hence ``"lower"`` and ``"any"``.
    - ``token_body``: the token request encodings accepted. The guidance describes
      form-urlencoded; older clients send JSON and report it working: ``"any"`` by default.
    - ``reply_birth``: how ``ngaySinh`` is written in check replies (all four seen).
    - ``short_card_number``: answer ``maThe`` with the 10-digit number (the 2024 example).
    - ``token_error``: how a refused token is answered at the check: HTTP 401, HTTP 403, or
      HTTP 200 with a "Token không đúng" message.
    """

    md5_case: str = "upper"
    token_body: str = "any"  # noqa: S105 - an encoding name
    reply_birth: str = "dd/MM/yyyy"
    short_card_number: bool = False
    token_error: str = "401"  # noqa: S105 - an HTTP status

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("md5_case", self.md5_case, MD5_CASES),
            ("token_body", self.token_body, TOKEN_BODIES),
            ("reply_birth", self.reply_birth, REPLY_BIRTHS),
            ("token_error", self.token_error, TOKEN_ERRORS),
        ):
            if value not in allowed:
                raise ValueError(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")


@dataclass
class SimState:
    """Everything the request handlers share."""

    population: Population
    faults: Faults
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    officer_name: str = DEFAULT_OFFICER_NAME
    officer_id: str = DEFAULT_OFFICER_ID
    gzip_level: int = 1
    behaviour: GatewayBehaviour = field(default_factory=GatewayBehaviour)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> monotonic expiry
    # the co-payment look-up: DataCCT rows by card code (maThe, maSoBHXH or CCCD), else the
    # population's own (copay_rows); copay_restricted: the account is on the service's
    # restricted list (MaKetQua 500 with HTTP 500)
    copay: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    copay_restricted: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # request kind -> how many
    lock: threading.Lock = field(default_factory=threading.Lock)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def count(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self.lock:
            return self.rng.random() < rate

    def issue_token(self) -> tuple[str, datetime]:
        token = secrets.token_hex(16)
        ttl = self.faults.token_ttl_s
        with self.lock:
            self.tokens[token] = time.monotonic() + ttl
        return token, datetime.now(UTC) + timedelta(seconds=ttl)

    def token_ok(self, token: str | None) -> bool:
        with self.lock:
            expiry = self.tokens.get(token or "")
        return expiry is not None and time.monotonic() < expiry

    def md5_ok(self, given: str) -> bool:
        expected = hashlib.md5(self.password.encode()).hexdigest()
        case = self.behaviour.md5_case
        if case == "upper":
            return given == expected.upper()
        if case == "lower":
            return given == expected
        return given.lower() == expected


def _bad_record(row: dict[str, Any], position: int) -> dict[str, Any]:
    """A record broken in one of the ways real feeds break."""
    broken = dict(row)
    which = position % 4
    if which == 0:
        broken["ngaySinh"] = "31/02/19x9"
    elif which == 1:
        broken["maSoBHXH"] = "12345"
    elif which == 2:
        broken["gtTheTu"] = "2025-13-45"
    else:
        broken["mucHuong"] = "nine"
    return broken


def _is_bad(state: SimState, position: int) -> bool:
    rate = state.faults.bad_record_rate
    if rate <= 0:
        return False
    h = (position * 0x9E3779B97F4A7C15 + state.population.seed) & ((1 << 64) - 1)
    return (h >> 11) / float(1 << 53) < rate


def feed_page(state: SimState, since: int, limit: int) -> str:
    """One page of the feed as compact JSON text."""
    population = state.population
    parts: list[str] = []
    append = parts.append
    row_json = population.row_json
    check_bad = state.faults.bad_record_rate > 0
    for change in population.changes(since, limit):
        if change.removed:
            bhxh = population.bhxh_number(change.index)
            append(f'{{"maSoBHXH":"{bhxh}","removed":true}}')
        elif check_bad and _is_bad(state, change.position):
            record = _bad_record(population.row(change.index, change.position), change.position)
            append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        else:
            append(row_json(change.index, change.position))
    end = since + len(parts)
    more = "true" if end < population.length else "false"
    return f'{{"cards":[{",".join(parts)}],"next_cursor":"{end}","has_more":{more}}}'


def _visits(i: int) -> list[dict[str, Any]]:
    if i % 3:
        return []
    return [
        {
            "maHoSo": f"HS{i:08d}",
            "maCSKCB": "79034",
            "ngayVao": "202611200815",
            "ngayRa": "202611201630",
            "tenBenh": "Viêm họng cấp",
            "tinhTrang": "1",
            "kqDieuTri": "1",
            "lyDoVV": "1",
        }
    ]


def _checks(i: int) -> list[dict[str, Any]]:
    if i % 2:
        return []
    return [
        {
            "userKT": "79034_BV",
            "thoiGianKT": "202611210930",
            "thongBao": "Thẻ còn giá trị sử dụng!",
            "maLoi": "000",
        }
    ]


_NOTES = {
    "000": "Thẻ còn giá trị sử dụng!",
    "001": "Thẻ do BHXH Bộ Quốc Phòng quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
    "002": "Thẻ do BHXH Bộ Công An quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
    "003": "Thẻ cũ hết giá trị sử dụng nhưng đã được cấp thẻ mới!",
    "004": "Thẻ cũ còn giá trị sử dụng nhưng đã được cấp thẻ mới!",
    "010": "Thẻ hết giá trị sử dụng!",
    "050": "Không thấy thông tin thẻ BHYT!",
    "051": "Mã thẻ không đúng!",
    "052": "Mã tỉnh cấp thẻ không đúng!",
    "053": "Mã quyền lợi thẻ không đúng!",
    "054": "CCCD cán bộ chưa được đăng ký!",
    "055": "Họ tên cán bộ không đúng!",
    "060": "Họ tên không đúng!",
    "061": "Họ tên không đúng (đúng chữ cái đầu)!",
    "070": "Ngày sinh không đúng!",
    # the wording of 080/090 is the simulator's own: the codes are seen in public clients,
    # their messages were not
    "080": "Giới tính không đúng!",
    "090": "Nơi đăng ký KCB ban đầu không đúng!",
    "100": "Lỗi khi lấy dữ liệu số thẻ!",
    "101": "Lỗi server!",
    "110": "Thẻ đã thu hồi!",
    "120": "Thẻ đã báo giảm. Giảm chuyển ngoại tỉnh!",
    "121": "Thẻ đã báo giảm. Giảm chuyển nội tỉnh!",
    "122": "Thẻ đã báo giảm. Giảm do tăng lại cùng đơn vị!",
    "123": "Thẻ đã báo giảm. Giảm do ngừng tham gia!",
    "124": "Thẻ đã báo giảm!",
    "130": "Trẻ em không xuất trình thẻ!",
    "205": "Lỗi sai định dạng tham số!",
    "401": "Lỗi xác thực!",
}


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split()).upper()


def gateway_reply(state: SimState, body: dict[str, Any]) -> dict[str, Any]:
    """The gateway's answer to one ``KQNhanLichSuKCB2024`` request body."""
    code_text = body.get("maThe")
    name = body.get("hoTen")
    birth = body.get("ngaySinh")
    if not isinstance(code_text, str) or not isinstance(name, str) or not isinstance(birth, str):
        return {"maKetQua": "205", "ghiChu": _NOTES["205"]}
    officer_id = body.get("cccdCb")
    if officer_id != state.officer_id:
        return {"maKetQua": "054", "ghiChu": _NOTES["054"]}
    if body.get("hoTenCb") != state.officer_name:
        return {"maKetQua": "055", "ghiChu": _NOTES["055"]}
    population = state.population
    index = population.index_of(code_text)
    row = population.current(index) if index is not None else None
    if index is None or row is None:
        return {"maKetQua": "050", "ghiChu": _NOTES["050"]}
    code = population.gateway_code(index)
    if name.strip().casefold() != row["hoTen"].casefold():
        code = "061" if _initials(name) == _initials(row["hoTen"]) else "060"
    elif not _same_birth(birth, row["ngaySinh"]):
        code = "070"
    behaviour = state.behaviour
    reply: dict[str, Any] = {"maKetQua": code, "ghiChu": _NOTES.get(code, "")}
    if code in ("054", "055", "100", "101", "205", "050", "051", "052", "053"):
        return reply
    reply.update(
        {
            "maThe": _reply_number(row, behaviour.short_card_number),
            "hoTen": row["hoTen"],
            "ngaySinh": _reply_birth(row["ngaySinh"], behaviour.reply_birth),
            "gioiTinh": row["gioiTinh"],
            "diaChi": row["diaChi"],
            "maDKBD": row["maDKBD"],
            "cqBHXH": "Bảo hiểm Xã hội Quận 3",
            "gtTheTu": row["gtTheTu"],
            "gtTheDen": row["gtTheDen"],
            "maKV": "",
            "ngayDu5Nam": row["ngayDu5Nam"],
            "maSoBHXH": row["maSoBHXH"],
            "maTheCu": "",
            "maTheMoi": row["maTheMoi"] or None,
            "gtTheTuMoi": row["gtTheTuMoi"] or None,
            "gtTheDenMoi": row["gtTheDenMoi"] or None,
            "maDKBDMoi": row["maDKBDMoi"] or None,
            "tenDKBDMoi": "Bệnh viện Quận 3" if row["maDKBDMoi"] else None,
            "dsLichSuKCB2018": _visits(index),
            "dsLichSuKT2018": _checks(index),
        }
    )
    return reply


def _same_birth(asked: str, known: str) -> bool:
    """The real gateway compares a year-only ``ngaySinh`` by year (a year is all many cards
    carry), a full date as written."""
    asked = asked.strip()
    if len(asked) == 4 and asked.isdigit():
        return known[-4:] == asked
    return asked == known


def _reply_number(row: dict[str, Any], short: bool) -> str:
    number = str(row["maThe"])
    if short:
        return str(row["maSoBHXH"])
    return number if len(number) == 15 else ""


def _reply_birth(known: str, form: str) -> str:
    """A ``dd/MM/yyyy`` or ``yyyy`` birth date written the way ``form`` says."""
    if len(known) != 10 or form == "dd/MM/yyyy":
        return known
    day, month, year = known[:2], known[3:5], known[6:]
    if form == "yyyy":
        return year
    if form == "MM/yyyy":
        return f"{month}/{year}"
    return f"{int(day)}/{int(month)}/{year}"


def copay_rows(population: Population, i: int) -> list[dict[str, Any]]:
    """The year's visits with their running co-payment for card ``i``, newest first as the
    service sorts them: none for a quarter of the cards, one to four for the others, and a
    total over six months' base salary for one card in eight."""
    if i % 4 == 0:
        return []
    year = population.day.year
    step = 4_000_000 if i % 8 == 1 else 1_500_000
    rows = [
        {
            "Id": i * 10 + k,
            "maThe": population.row(i)["maThe"],
            "maCskcb": "79034",
            "ngayVao": f"{2 + 2 * k:02d}/{1 + 2 * k:02d}/{year}",
            "ngayRa": f"{5 + 2 * k:02d}/{1 + 2 * k:02d}/{year}",
            "maDoiTuongKCB": "1.1",
            "tBNCCTMCCT": 0,
            "tBNCCTLuyKe": step * (k + 1),
        }
        for k in range(1 + i % 4)
    ]
    return rows[::-1]


def copay_reply(state: SimState, body: Any) -> tuple[int, dict[str, Any]]:
    """The co-payment look-up's HTTP status and reply for one request body (the token was
    checked before): MaKetQua 200 with DataCCT, 204 none, 400 a bad request, 500 restricted."""
    if state.copay_restricted:
        return 500, {"MaKetQua": "500", "GhiChu": "Tài khoản thuộc danh sách hạn chế tra cứu"}
    fields = ("username", "maThe", "hoTen", "ngaySinh")
    if not isinstance(body, dict) or not all(isinstance(body.get(f), str) for f in fields):
        return 400, {"MaKetQua": "400", "GhiChu": "Thiếu tham số bắt buộc", "DataCCT": None}
    code = body["maThe"].replace(" ", "").upper()
    if len(code) not in (10, 12, 15):
        return 400, {"MaKetQua": "400", "GhiChu": "Mã thẻ không đúng độ dài", "DataCCT": None}
    population = state.population
    index = population.index_of(code)
    rows = state.copay.get(code)
    if rows is None and index is not None:
        row = population.row(index)
        rows = next(
            (state.copay[k] for k in (row["maSoBHXH"], row["maThe"]) if k in state.copay), None
        )
        name_ok = " ".join(body["hoTen"].split()).casefold() == row["hoTen"].casefold()
        rows = rows if rows is not None else (copay_rows(population, index) if name_ok else [])
    if not rows:
        return 200, {"MaKetQua": "204", "GhiChu": "Không có dữ liệu", "DataCCT": None}
    reply = {
        "MaKetQua": "200",
        "GhiChu": "Nguồn DL lấy từ các CSKCB đề nghị thanh toán (dữ liệu mô phỏng)",
        "DataCCT": rows,
        "ThongTinSoThe": None,
    }
    return 200, reply


class _Handler(BaseHTTPRequestHandler):
    server: _SimServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.server.state.count("connection")  # one per TCP connection: keep-alive shows here

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests start thousands of requests

    # -- plumbing ----------------------------------------------------------------------

    def _send(self, status: int, payload: Any, *, allow_gzip: bool = False) -> None:
        state = self.server.state
        faults = state.faults
        if isinstance(payload, str):
            body = payload.encode()
        else:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        if state.roll(faults.malformed_rate):
            body = body[: max(1, len(body) // 3)] + b"<<not json>>"
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if allow_gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=state.gzip_level)
            headers["Content-Encoding"] = "gzip"
        truncate = state.roll(faults.truncate_rate)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        if faults.drip_ms > 0:
            for start in range(0, len(body), 512):
                self.wfile.write(body[start : start + 512])
                self.wfile.flush()
                time.sleep(faults.drip_ms / 1000)
            return
        self.wfile.write(body)

    def _preamble(self, kind: str) -> bool:
        """Count the request and apply the faults that come before any work."""
        state = self.server.state
        state.count(kind)
        faults = state.faults
        if faults.down:
            self.close_connection = True
            return False
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if state.roll(faults.error_rate):
            status = (500, 502, 503)[state.counts[kind] % 3]
            self._send(status, {"maKetQua": "500", "ghiChu": "simulated server error"})
            return False
        return True

    def _json_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self._form = self.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        )
        if self._form:
            return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        return json.loads(raw or b"{}")

    # -- routes ------------------------------------------------------------------------

    _form = False

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._json_body()
        except (ValueError, UnicodeDecodeError):
            body = None
        if url.path == "/api/token/take":
            self._token(body)
        elif url.path == "/api/egw/KQNhanLichSuKCB2024":
            self._check(url.query, body)
        elif url.path == "/api/TraCuuCCT/TraCuuTienMCCT":
            self._copay(body)
        else:
            self._send(404, {"maKetQua": "404", "ghiChu": "not found"})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/api/cards/changes":
            self._changes(url.query)
        elif url.path == "/health":
            self._send(200, {"ok": True, "cards": self.server.state.population.length})
        else:
            self._send(404, {"maKetQua": "404", "ghiChu": "not found"})

    def _token(self, body: Any) -> None:
        if not self._preamble("token"):
            return
        state = self.server.state
        wanted = state.behaviour.token_body
        refused = (wanted == "form" and not self._form) or (wanted == "json" and self._form)
        if not isinstance(body, dict) or refused:
            # a service that does not read this encoding sees no fields at all
            self._send(400, {"maKetQua": "402", "ghiChu": "username and password required"})
            return
        if body.get("username") != state.username or not state.md5_ok(
            str(body.get("password", ""))
        ):
            self._send(401, {"maKetQua": "401", "ghiChu": _NOTES["401"]})
            return
        token, expiry = state.issue_token()
        self._send(
            200,
            {
                "maKetQua": "200",
                "APIKey": {
                    "access_token": token,
                    "id_token": "id-" + token[:8],
                    "token_type": "Bearer",
                    "username": state.username,
                    "expires_in": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            },
        )

    def _check(self, query: str, body: Any) -> None:
        if not self._preamble("check"):
            return
        state = self.server.state
        params = {k: v[0] for k, v in parse_qs(query).items()}
        if not state.token_ok(params.get("token")):
            how = state.behaviour.token_error
            if how == "message":
                self._send(200, {"maKetQua": "", "ghiChu": "Token không đúng hoặc đã hết hạn!"})
            else:
                self._send(int(how), {"maKetQua": how, "ghiChu": _NOTES["401"]})
            return
        if not isinstance(body, dict):
            self._send(200, {"maKetQua": "205", "ghiChu": _NOTES["205"]})
            return
        self._send(200, gateway_reply(state, body))

    def _copay(self, body: Any) -> None:
        if not self._preamble("copay"):
            return
        state = self.server.state
        token = self.headers.get("accessToken")
        if not state.token_ok(token) or self.headers.get("tokenId") != "id-" + (token or "")[:8]:
            self._send(401, "")  # the service answers a bad token with HTTP 401 and no body
            return
        if not state.md5_ok(self.headers.get("passwordHash", "")):
            self._send(401, "")
            return
        status, reply = copay_reply(state, body)
        self._send(status, reply)

    def _changes(self, query: str) -> None:
        if not self._preamble("changes"):
            return
        state = self.server.state
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        if not state.token_ok(token):
            self._send(401, {"error": "unauthorized", "message": "token missing or expired"})
            return
        params = {k: v[0] for k, v in parse_qs(query).items()}
        try:
            since = int(params.get("since") or "0")
            limit = int(params.get("limit") or "5000")
        except ValueError:
            self._send(400, {"error": "bad_request", "message": "since and limit are numbers"})
            return
        if since < 0 or since > state.population.length or limit < 1:
            self._send(400, {"error": "bad_cursor", "message": f"unknown cursor {since}"})
            return
        page = feed_page(state, since, min(limit, MAX_PAGE))
        self._send(200, page, allow_gzip=True)


class _SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SimState) -> None:
        super().__init__(address, _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that give up mid-reply (budgets, killed syncs) are normal here
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(state: SimState, port: int = 0, host: str = "127.0.0.1") -> _SimServer:
    """A bound (not yet serving) simulator server."""
    return _SimServer((host, port), state)


def start_simulator(
    cards: int = 1000,
    seed: int = 0,
    day: date = REFERENCE_DAY,
    *,
    faults: Faults | None = None,
    state: SimState | None = None,
    port: int = 0,
) -> tuple[_SimServer, str]:
    """Start a simulator in a background thread (for tests); returns (server, base URL).

    It serves ``state``, or a population of ``cards`` cards built for ``day`` with ``faults``.
    Stop it with ``server.shutdown(); server.server_close()``.
    """
    state = state or SimState(Population(cards, seed, day), faults or Faults())
    server = make_server(state, port)
    # a short poll: shutdown() waits for the serving loop's next look (0.5 s by default)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name="insurance-sim", daemon=True
    )
    thread.start()
    host, bound = server.server_address[:2]
    return server, f"http://{host!s}:{bound}"
