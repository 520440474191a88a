"""The settings of one kiosk: a frozen dataclass per ``config.toml`` section, and :class:`Config`.

Each field's default is the built-in setting (a kiosk runs with no file at all); a field made by
``_one_of`` or ``_at_least`` carries the values the reader (:mod:`kiosk.config`) accepts. A new
setting goes here, with its default, and into ``config.toml`` with a comment; the reader in
:mod:`kiosk.config` reads every field of a section by its type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.model import Clinic

PRINTER_KINDS = (
    "file",
    "escpos-usb",
    "escpos-network",
    "escpos-serial",
    "escpos-file",
    "system",
    "dummy",
)
PROFESSIONAL_LEVELS = ("ban_dau", "co_ban", "chuyen_sau")
FORMER_TUYEN = ("central", "province", "district", "commune", "none")
# a hospital graded "tương đương tuyến tỉnh / trung ương" (QĐ 3276 row 1.14), e.g. a private one
EQUIVALENT_GRADES = ("", "tuong_duong_tinh", "tuong_duong_tw")
HIS_KINDS = ("none", "fhir", "webhook", "qd4750", "json")
# his.kind = "json": the kiosk fields [his.json_fields] may name, and each format's fields
# (db/his/vendor_json.py fills them; a test keeps the two lists the same)
HIS_JSON_FIELDS = (
    "checkin_id", "event", "event_id", "queue_number", "queue_label", "printed_label",
    "local_day", "created_at", "clinic_code", "clinic_name", "name", "birth", "gender",
    "card_number", "bhxh_number", "id_number", "facility_code", "valid_from", "valid_to",
    "benefit_level", "route", "benefit_percent", "cancelled", "kiosk_id", "hospital_code",
)  # fmt: skip
_HIS_JSON_DATES = ("local_day", "birth", "valid_from", "valid_to")
HIS_JSON_FORMATS: Mapping[str, tuple[str, ...]] = {
    "dd/MM/yyyy": _HIS_JSON_DATES,
    "yyyyMMdd": _HIS_JSON_DATES,
    "yyyy-MM-dd": _HIS_JSON_DATES,
    "yyyyMMddHHmm": ("created_at",),
    "dd/MM/yyyy HH:mm": ("created_at",),
    "1/2": ("gender",),
    "Nam/Nữ": ("gender",),
}
DECODERS = ("zxing", "zbar", "enlarge", "deblur", "sharpen", "unbend", "refocus")
TOKEN_BODIES = ("form", "json")
MD5_CASES = ("upper", "lower")
LENS_POSITIONS = ("above", "below", "left")


def _one_of(default: str, allowed: tuple[str, ...]) -> Any:
    """A text setting that must be one of ``allowed``."""
    return field(default=default, metadata={"allowed": allowed})


def _at_least(default: int, minimum: int) -> Any:
    """A whole-number setting whose least value is ``minimum`` (not the usual 1)."""
    return field(default=default, metadata={"minimum": minimum})


@dataclass(frozen=True)
class KioskSettings:
    id: str = "KIOSK-01"
    locale: str = _one_of("vi", ("vi", "en"))
    timezone: str = "Asia/Ho_Chi_Minh"
    idle_timeout_s: int = 30
    question_timeout_s: int = 60
    printer_failed_timeout_s: int = 120
    time_warning_s: int = 20  # the patient has 20 s to answer "more time?"
    # the camera lost this long: the welcome screen offers a reception ticket instead of a scan
    camera_lost_reception_s: int = 15
    hide_cursor: bool = True
    data_dir: Path = Path("data")
    reception_vi: str = "Quầy tiếp đón"
    reception_en: str = "Reception desk"
    # This kiosk's own number series while the central database is unreachable ("A" gives
    # "A-1", "A-2", ...); required, and unique per kiosk, when database.url is not SQLite.
    offline_prefix: str = ""
    # the lobby: wrong birth years allowed per bare code per local day, counted
    # across scans and kiosks; after that the code goes to reception
    birth_year_tries: int = 3
    # Seconds between two health records: status.json and this kiosk's row in the central
    # kiosk register (the fleet page calls a kiosk unseen after three of them).
    health_interval_s: float = 30.0
    # Days a kiosk's claim on its offline prefix stands without being seen: another kiosk
    # with the same prefix does not number offline while it does (kiosk-admin kiosks forget
    # frees a prefix at once).
    prefix_hold_days: int = 30

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def reception(self, lang: str) -> str:
        return self.reception_en if lang == "en" else self.reception_vi


@dataclass(frozen=True)
class HospitalSettings:
    department: str = ""
    # a kiosk run without a config file still has a slip header, and a name to long-press
    name: str = "BỆNH VIỆN"
    facility_codes: tuple[str, ...] = ()
    accepted_codes: tuple[str, ...] = ()
    professional_level: str = _one_of("co_ban", PROFESSIONAL_LEVELS)
    evaluation_score: int | None = None  # cấp cơ bản only; None: provisional or not scored
    former_tuyen: str = _one_of("none", FORMER_TUYEN)
    primary_station: bool = False  # a cấp ban đầu facility of the kinds in visit code 1.2
    equivalent: str = _one_of("", EQUIVALENT_GRADES)  # graded equivalent to a tuyến (row 1.14)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///data/kiosk.db"
    busy_timeout_ms: int = 5000
    # The local SQLite journal that takes check-ins while a central (server) database cannot
    # be reached; empty when ``url`` is SQLite (that file is local already).
    offline_url: str = ""
    connect_timeout_s: float = 3.0

    @property
    def has_journal(self) -> bool:
        """True when the kiosk keeps an offline journal (``url`` is a server database)."""
        return bool(self.offline_url)


@dataclass(frozen=True)
class CameraSettings:
    device: str = "0"
    width: int = 1280
    height: int = 720
    fps: int = 30
    decode_fps: int = 10
    confirm_reads: int = 2
    cooldown_s: float = 8.0
    fourcc: str = _one_of("MJPG", ("MJPG", "YUYV"))
    autofocus: bool = True
    focus: int = _at_least(0, 0)
    auto_exposure: bool = True
    exposure: int = 150
    lens: str = _one_of("above", LENS_POSITIONS)  # where the lens sits, beside the screen


@dataclass(frozen=True)
class AudioSettings:
    enabled: bool = True
    volume: float = field(default=0.8, metadata={"fraction": True})  # 0.0 to 1.0
    prompts_dir: Path = Path("data/voice")


@dataclass(frozen=True)
class DecoderSettings:
    chain: tuple[str, ...] = DECODERS
    # `kiosk-admin decode` refuses a bigger picture before decoding it (a 140 KB PNG can
    # declare 12,000 x 12,000 pixels and take about a gigabyte once decoded)
    max_image_mpx: int = 40


@dataclass(frozen=True)
class PrinterSettings:
    kind: str = _one_of("file", PRINTER_KINDS)
    dots: int = 576
    font_path: str = ""
    output_dir: Path = Path("data/slips")
    archive: bool = False
    timeout_s: float = 5.0
    usb_vendor_id: int = _at_least(0x0416, 0)
    usb_product_id: int = _at_least(0x5011, 0)
    host: str = ""
    port: int = 9100
    serial_device: str = "/dev/ttyUSB0"
    baudrate: int = 9600
    device_path: str = "/dev/usb/lp0"
    system_name: str = ""


@dataclass(frozen=True)
class InsuranceSettings:
    feed_url: str = ""
    gateway_url: str = ""
    username: str = ""
    password_env: str = "KIOSK_GATEWAY_PASSWORD"  # noqa: S105 - the name of a variable
    officer_name_env: str = "KIOSK_GATEWAY_OFFICER_NAME"
    officer_id_env: str = "KIOSK_GATEWAY_OFFICER_ID"
    md5_uppercase: bool = True  # config key md5_case: "upper" (default) or "lower"
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 30.0
    online_budget_s: float = 4.0
    retries: int = _at_least(5, 0)
    ca_bundle: str = ""
    max_response_mb: int = 64
    page_size: int = 5000
    max_cache_age_h: int = 26
    token_body: str = _one_of("form", TOKEN_BODIES)  # how /api/token/take is encoded
    checked_elsewhere_guard: bool = True
    breaker_failures: int = 3  # consecutive gateway failures that open the circuit breaker
    breaker_cooldown_s: float = 60.0  # how long online checks are skipped once it is open
    allow_http: bool = False
    copay_lookup: bool = False  # ask TraCuuTienMCCT for a five-year card's year co-payment


@dataclass(frozen=True)
class SyncSettings:
    max_pages: int = 10_000
    deadline_s: float = 7200.0


@dataclass(frozen=True)
class StaffSettings:
    """Staff sign-in (kiosks, desks and room pages) and the reception desk page."""

    max_pin_failures: int = 5  # desk failures in one window that lock the account
    lockout_minutes: int = 5
    logout_after_s: int = 120
    failure_window_minutes: int = 15  # failure counts start again after this (server time)
    kiosk_lock_failures: int = 20  # kiosk pads' failures in one window that lock the account
    pad_max_failures: int = 5  # failures in one window after which a kiosk's pad pauses
    desk_session_minutes: int = 30  # the desk page's session ends after this long idle
    # the desk's preset override reasons, one button each (keys 1–9 in order)
    desk_reasons: tuple[str, ...] = (
        "Thẻ hết hạn – tự chi trả",
        "Chưa có trong dữ liệu – đã xem thẻ",
        "Chuyển tuyến",
        "Cấp cứu",
        "Mã cổng không hợp lệ – đã xem giấy tờ",
        "Quá giới hạn năm sinh – đã xác minh",
    )
    # the desk's printer: "tcp://HOST:9100" (ESC/POS on the network), "file:FOLDER", "" none
    desk_printer: str = ""
    # a kiosk's copy of the staff directory (hashes only) for sign-in during an outage of
    # central: not used, and wiped, once older than this
    offline_copy_hours: int = 12


BARE_CODE_CHECKS = ("birth_year", "reception")
SLIP_CARD_NUMBERS = ("last4", "full")


@dataclass(frozen=True)
class PrivacySettings:
    """How long personal data is kept, and how much of it a slip or a bare code reveals."""

    keep_slips_days: int = _at_least(1, 0)
    keep_checkins_days: int = 90
    bare_code: str = _one_of("birth_year", BARE_CODE_CHECKS)
    slip_card_number: str = _one_of("last4", SLIP_CARD_NUMBERS)


@dataclass(frozen=True)
class HisSettings:
    """Where and how check-in events go to the hospital information system (the outbox)."""

    kind: str = _one_of("none", HIS_KINDS)
    url: str = ""
    # qd4750 only: a folder the HIS picks XML files up from, instead of a URL
    folder: str = ""
    timeout_s: float = 10.0  # the total deadline of one send: connect and the whole reply
    max_reply_kb: int = 1024  # a reply's body is read up to this size, then cut
    allow_http: bool = False  # plain http:// only for a test server
    max_attempts: int = 10
    backoff_s: float = 5.0
    backoff_max_s: float = 600.0
    interval_s: float = 5.0
    token_env: str = "KIOSK_HIS_TOKEN"  # noqa: S105 - the name of a variable
    # the webhook's HMAC-SHA256 signature; the secret's variable (unset: no signature)
    signing_secret_env: str = "KIOSK_HIS_SIGNING_SECRET"  # noqa: S105 - a variable's name
    ca_file: str = ""  # a CA bundle for the HIS's certificate; empty: the system's
    client_cert: str = ""  # mTLS: the kiosk's certificate (PEM) and its key
    client_key: str = ""
    card_system: str = "urn:kiosk:local:bhyt-card"
    bhxh_system: str = "urn:kiosk:local:bhxh"
    id_system: str = "urn:kiosk:local:cccd"
    checkin_system: str = "urn:kiosk:local:checkin-id"
    queue_system: str = "urn:kiosk:local:queue"
    clinic_system: str = "urn:kiosk:local:clinic"
    facility_system: str = "urn:kiosk:local:facility"
    # json only ([his.json_fields]): vendor field name -> "kiosk_field" or "kiosk_field|format"
    json_fields: tuple[tuple[str, str], ...] = ()

    @property
    def enabled(self) -> bool:
        """True when events are recorded and delivered (a kind other than ``none``)."""
        return self.kind != "none"


# -- calling and the waiting-room board (kiosk-web) ----------------------------------------
BOARD_NAMES = ("none", "initials")


@dataclass(frozen=True)
class QueueSettings:
    """Calling patients by room, the waiting-room board and the room pages (``[queue]``)."""

    priority_run: int = 2  # priority calls in a row at most while others wait
    default_minutes: float = 6.0  # minutes a patient takes in a room, before the day has data
    board_next: int = _at_least(3, 0)  # numbers shown waiting under each room's called number
    board_names: str = _one_of("none", BOARD_NAMES)  # never the full name on the board
    board_english: bool = False  # each call is also said in English
    room_session_minutes: int = 480  # a room page's sign-in lasts this long idle
    api_key_env: str = "KIOSK_CALL_API_KEY"  # the HMAC key of POST /api/call; unset: off
    web_secret_env: str = "KIOSK_WEB_SECRET"  # noqa: S105 - the name of a variable


@dataclass(frozen=True)
class Config:
    """The whole validated configuration of one kiosk."""

    kiosk: KioskSettings
    hospital: HospitalSettings
    clinics: tuple[Clinic, ...]
    database: DatabaseSettings
    camera: CameraSettings
    decoder: DecoderSettings
    printer: PrinterSettings
    insurance: InsuranceSettings
    staff: StaffSettings
    sync: SyncSettings = field(default_factory=SyncSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    source: Path | None = None  # the file it was read from; None: the built-in defaults
    # where each setting came from, by "section.key": "file", "default" or the
    # KIOSK_<SECTION>_<KEY> variable that overrode it (what `kiosk-admin config show` reports)
    origins: Mapping[str, str] = field(default_factory=dict)
    privacy: PrivacySettings = PrivacySettings()
    his: HisSettings = field(default_factory=HisSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)

    def clinic(self, code: str) -> Clinic | None:
        return next((c for c in self.clinics if c.code == code), None)

    def clinic_of_room(self, room: str) -> Clinic | None:
        """The clinic whose queue ``room`` calls from (see :meth:`Clinic.call_rooms`)."""
        return next((c for c in self.clinics if room in c.call_rooms()), None)
