"""Load ``config.toml`` into frozen dataclasses, validating every key.

A wrong key, type or value raises :class:`ConfigError` whose one-line message names the key and
says what is expected; the entry points print it and exit with code 2. Any scalar or list
setting can be overridden by an environment variable ``KIOSK_<SECTION>_<KEY>``. Every setting has
a built-in default (the settings dataclasses' own), so no file is needed: :func:`load_config`
says where the file is looked for.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.masking import mask_credentials
from kiosk.model import Clinic

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")

CONFIG_ENV = "KIOSK_CONFIG"
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
_OLD_HOSPITAL_KEYS = ("level", "facility_levels")  # the tuyến model before 2025
_NEW_HOSPITAL_KEYS = (
    "the tuyến levels before 2025 no longer decide the route: describe the hospital with "
    "hospital.professional_level (ban_dau, co_ban or chuyen_sau), hospital.evaluation_score "
    "and hospital.former_tuyen (central, province, district, commune or none); see config.toml"
)

HIS_KINDS = ("none", "fhir", "webhook", "qd4750", "json")
# his.kind = "json": the kiosk fields [his.json_fields] may name, and each format's fields
# (db/his/vendor_json.py fills them; a test keeps the two lists the same)
HIS_JSON_FIELDS = (
    "checkin_id", "event", "event_id", "queue_number", "queue_label", "local_day", "created_at",
    "clinic_code", "clinic_name", "name", "birth", "gender", "card_number", "bhxh_number",
    "id_number", "facility_code", "valid_from", "valid_to", "benefit_level", "route",
    "benefit_percent", "cancelled", "kiosk_id", "hospital_code",
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
_FACILITY_CODE = re.compile(r"^[0-9]{2}[0-9A-Z]{3}$")
_HOURS = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it and says what is expected.

    A password inside a URL in the message is masked: the line is printed and logged.
    """

    def __init__(self, message: str) -> None:
        super().__init__(mask_credentials(message))


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
    time_warning_s: int = 10
    hide_cursor: bool = True
    data_dir: Path = Path("data")
    reception_vi: str = "Quầy tiếp đón"
    reception_en: str = "Reception desk"
    # This kiosk's own number series while the central database is unreachable ("A" gives
    # "A-1", "A-2", ...); required, and unique per kiosk, when database.url is not SQLite.
    offline_prefix: str = ""

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


@dataclass(frozen=True)
class SyncSettings:
    max_pages: int = 10_000
    deadline_s: float = 7200.0


@dataclass(frozen=True)
class StaffSettings:
    max_pin_failures: int = 5
    lockout_minutes: int = 5
    logout_after_s: int = 120


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

    def clinic(self, code: str) -> Clinic | None:
        return next((c for c in self.clinics if c.code == code), None)


class _Section:
    """Reads one table of the TOML file, with environment overrides and unknown-key checks."""

    def __init__(
        self,
        name: str,
        table: Mapping[str, Any],
        env: Mapping[str, str],
        base: Path,
        origins: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self._table = table
        self._env = env
        self._base = base
        self._used: set[str] = set()
        self._origins = origins

    def _note(self, key: str, origin: str) -> None:
        if self._origins is not None:
            self._origins[f"{self.name}.{key}"] = origin

    @property
    def base(self) -> Path:
        """The folder that relative paths in this section are resolved against."""
        return self._base

    def _raw(self, key: str, parse_env: Callable[[str], Any]) -> Any:
        self._used.add(key)
        env_key = f"KIOSK_{self.name}_{key}".upper()
        if env_key in self._env:
            self._note(key, env_key)
            try:
                return parse_env(self._env[env_key])
            except ValueError:
                raise ConfigError(
                    f"{env_key} (for {self.name}.{key}): cannot read {self._env[env_key]!r}"
                ) from None
        self._note(key, "file" if key in self._table else "default")
        return self._table.get(key, _MISSING)

    def _checked(
        self, key: str, parse_env: Callable[[str], Any], accepts: Callable[[Any], bool], kind: str
    ) -> Any:
        """The value the environment or the file gives ``key`` (``_MISSING`` when neither sets
        it), or a ConfigError saying it is not ``kind`` when ``accepts`` refuses it."""
        value = self._raw(key, parse_env)
        if value is not _MISSING and not accepts(value):
            raise ConfigError(f"{self.name}.{key}: expected {kind}, got {value!r}")
        return value

    def text(self, key: str, default: str, allowed: tuple[str, ...] = ()) -> str:
        value = self._checked(key, str, lambda v: isinstance(v, str), "text")
        if value is _MISSING:
            return default
        if allowed and value not in allowed:
            raise ConfigError(
                f"{self.name}.{key}: expected one of {', '.join(allowed)}, got {value!r}"
            )
        return str(value)

    def whole(self, key: str, default: int, minimum: int = 1) -> int:
        value = self._checked(
            key,
            lambda s: int(s, 0),
            lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum,
            f"a whole number of at least {minimum}",
        )
        return default if value is _MISSING else int(value)

    def seconds(self, key: str, default: float) -> float:
        # "not v <= 0" rather than "v > 0": a NaN is accepted, as it always was
        value = self._checked(
            key, float, lambda v: _is_number(v) and not v <= 0, "a positive number"
        )
        return default if value is _MISSING else float(value)

    def fraction(self, key: str, default: float) -> float:
        value = self._checked(
            key, float, lambda v: _is_number(v) and 0 <= v <= 1, "a number from 0 to 1"
        )
        return default if value is _MISSING else float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self._checked(key, _parse_bool, lambda v: isinstance(v, bool), "true or false")
        return default if value is _MISSING else bool(value)

    def texts(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._checked(
            key,
            lambda s: [p.strip() for p in s.split(",") if p.strip()],
            lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v),
            "a list of texts",
        )
        return default if value is _MISSING else tuple(value)

    def path(self, key: str, default: Path) -> Path:
        value = self.text(key, str(default))
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self._base / candidate

    def settings(self, cls: type[S], **given: Any) -> S:
        """``cls`` read from this section: the fields in ``given`` as they are, every other one
        by its type (text, whole number, seconds, flag, list of texts, path), its default and
        the checks in its metadata (``allowed``, ``minimum``, ``fraction``), in field order."""
        hints = get_type_hints(cls)
        values = dict(given)
        for item in fields(cls):
            if item.name not in values:
                values[item.name] = self._read(item.name, hints[item.name], item)
        return cls(**values)

    def _read(self, key: str, kind: object, item: Any) -> Any:
        checks, default = item.metadata, item.default
        if kind is str:
            return self.text(key, default, checks.get("allowed", ()))
        if kind is bool:
            return self.flag(key, default)
        if kind is int:
            return self.whole(key, default, checks.get("minimum", 1))
        if kind is float:
            return (
                self.fraction(key, default)
                if checks.get("fraction")
                else self.seconds(key, default)
            )
        if kind is Path:
            return self.path(key, default)
        if kind == tuple[str, ...]:
            return self.texts(key, default)
        raise TypeError(f"{self.name}.{key}: no reader for {kind}")

    def has(self, key: str) -> bool:
        """Whether the file or the environment sets ``key`` (the key counts as read)."""
        self._used.add(key)
        return key in self._table or f"KIOSK_{self.name}_{key}".upper() in self._env

    def table(self, key: str) -> Mapping[str, Any]:
        self._used.add(key)
        self._note(key, "file" if key in self._table else "default")
        value = self._table.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.name}.{key}: expected a table, got {value!r}")
        return value

    def check_unknown(self) -> None:
        unknown = sorted(set(self._table) - self._used)
        if unknown:
            raise ConfigError(f"{self.name}.{unknown[0]}: unknown setting")


class _Missing:
    pass


_MISSING = _Missing()


def _is_number(value: object) -> bool:
    """An int or a float from TOML (true and false are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _facility_code(where: str, code: str) -> str:
    if not _FACILITY_CODE.match(code):
        raise ConfigError(
            f"{where}: expected a 5-character facility code like 79024 or 01C54, got {code!r}"
        )
    return code


def _load_kiosk(s: _Section) -> KioskSettings:
    zone = s.text("timezone", KioskSettings.timezone)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"kiosk.timezone: expected an IANA time zone, got {zone!r}") from None
    settings = s.settings(KioskSettings, timezone=zone)
    _check_offline_prefix(settings.offline_prefix)
    return settings


_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")


def _check_offline_prefix(value: str) -> None:
    # Starts with a letter so that "A-3" can never be read as a central number.
    if value and not _PREFIX.match(value):
        raise ConfigError(
            f"kiosk.offline_prefix: expected 1-8 capital letters or digits starting with a "
            f'letter, e.g. "A", got {value!r}'
        )


def _load_hospital(s: _Section) -> HospitalSettings:
    codes = tuple(
        _facility_code(f"hospital.facility_codes[{i}]", c)
        for i, c in enumerate(s.texts("facility_codes", HospitalSettings.facility_codes))
    )
    accepted = tuple(
        _facility_code(f"hospital.accepted_codes[{i}]", c)
        for i, c in enumerate(s.texts("accepted_codes", HospitalSettings.accepted_codes))
    )
    for old in _OLD_HOSPITAL_KEYS:
        if s.has(old):
            raise ConfigError(f"hospital.{old}: {_NEW_HOSPITAL_KEYS}")
    score: int | None = None
    if s.has("evaluation_score"):
        score = s.whole("evaluation_score", 0, minimum=0)
        if score > 100:
            raise ConfigError(
                f"hospital.evaluation_score: expected points from 0 to 100, got {score}"
            )
    return s.settings(
        HospitalSettings, facility_codes=codes, accepted_codes=accepted, evaluation_score=score
    )


# Clinic.open_hours' default, as config.toml writes it
_ALL_DAY = tuple(f"{start}-{end}" for start, end in Clinic.open_hours)

# A kiosk whose file lists no clinic still has somewhere to send patients: one general
# examination desk, open all day.
DEFAULT_CLINICS = (Clinic("KB", "Khám bệnh", "Medical examination", "", "", ""),)


def _load_clinics(raw: object) -> tuple[Clinic, ...]:
    if raw is None:
        return DEFAULT_CLINICS
    if not isinstance(raw, list) or not raw:
        raise ConfigError("clinics: expected at least one [[clinics]] table")
    clinics: list[Clinic] = []
    for i, entry in enumerate(raw):
        where = f"clinics[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a table")
        s = _Section(where, entry, {}, Path())
        code = s.text("code", "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", code):
            raise ConfigError(f"{where}.code: expected 1-16 letters, digits, - or _, got {code!r}")
        hours: list[tuple[str, str]] = []
        for j, span in enumerate(s.texts("open_hours", _ALL_DAY)):
            match = _HOURS.match(span)
            if not match or span[:5] >= span[6:]:
                raise ConfigError(
                    f"{where}.open_hours[{j}]: expected HH:MM-HH:MM with start before end, "
                    f"got {span!r}"
                )
            hours.append((span[:5], span[6:]))
        name_vi = s.text("name_vi", "")
        if not name_vi:
            raise ConfigError(f"{where}.name_vi: expected the clinic's Vietnamese name")
        clinics.append(
            Clinic(
                code=code,
                name_vi=name_vi,
                name_en=s.text("name_en", name_vi),
                room=s.text("room", ""),
                room_en=s.text("room_en", ""),
                location_vi=s.text("location_vi", ""),
                location_en=s.text("location_en", ""),
                open_hours=tuple(hours),
            )
        )
        s.check_unknown()
    codes = [c.code for c in clinics]
    duplicate = next((c for c in codes if codes.count(c) > 1), None)
    if duplicate:
        raise ConfigError(f"clinics: the code {duplicate!r} is used twice")
    return tuple(clinics)


def _load_database(s: _Section, data_dir: Path) -> DatabaseSettings:
    url = s.text("url", DatabaseSettings.url)
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
        raise ConfigError(
            f"database.url: expected sqlite:///PATH or postgresql+psycopg://..., got {url!r}"
        )
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        relative = url[len(prefix) :]
        if relative and relative != ":memory:":
            url = prefix + str((s.base / relative).resolve())
    offline_url = s.text("offline_url", DatabaseSettings.offline_url)
    if not url.startswith("sqlite"):
        offline_url = offline_url or f"sqlite:///{data_dir / 'offline.db'}"
        if not offline_url.startswith("sqlite:///"):
            raise ConfigError(
                f"database.offline_url: expected a local SQLite file, sqlite:///PATH, "
                f"got {offline_url!r}"
            )
        relative = offline_url[len(prefix) :]
        if not relative.startswith("/"):
            offline_url = prefix + str((s.base / relative).resolve())
    else:
        offline_url = ""  # an SQLite database is local already: nothing to fall back to
    return s.settings(DatabaseSettings, url=url, offline_url=offline_url)


def _load_camera(s: _Section) -> CameraSettings:
    return s.settings(CameraSettings)


def _load_audio(s: _Section) -> AudioSettings:
    return s.settings(AudioSettings)


def _load_decoder(s: _Section) -> DecoderSettings:
    chain = s.texts("chain", DecoderSettings.chain)
    for i, name in enumerate(chain):
        if name not in DECODERS:
            raise ConfigError(
                f"decoder.chain[{i}]: expected one of {', '.join(DECODERS)}, got {name!r}"
            )
    if not chain:
        raise ConfigError("decoder.chain: expected at least one decoder")
    return s.settings(DecoderSettings, chain=chain)


def _load_printer(s: _Section) -> PrinterSettings:
    dots = s.whole("dots", PrinterSettings.dots)
    if dots % 8 or not 256 <= dots <= 1024:
        raise ConfigError(
            f"printer.dots: expected a multiple of 8 between 256 and 1024 "
            f"(576 for 80 mm, 384 for 58 mm), got {dots}"
        )
    return s.settings(PrinterSettings, dots=dots)


def _url(s: _Section, key: str, allow_http: bool) -> str:
    value = s.text(key, "")
    if value and not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(f"insurance.{key}: expected an http:// or https:// URL, got {value!r}")
    if value.startswith("http://") and not allow_http:
        # The gateway protocol puts the token and the password's MD5 in the query string.
        raise ConfigError(
            f"insurance.{key}: expected an https:// URL (plain http:// is allowed only with "
            "insurance.allow_http = true, for a test simulator)"
        )
    return value.rstrip("/")


def _load_insurance(s: _Section) -> InsuranceSettings:
    allow_http = s.flag("allow_http", InsuranceSettings.allow_http)
    return s.settings(
        InsuranceSettings,
        allow_http=allow_http,
        feed_url=_url(s, "feed_url", allow_http),
        gateway_url=_url(s, "gateway_url", allow_http),
        md5_uppercase=_md5_uppercase(s),
    )


def _md5_uppercase(s: _Section) -> bool:
    # md5_case replaced the boolean md5_uppercase; a file that still sets only the old key keeps
    # its meaning.
    legacy = s.flag("md5_uppercase", InsuranceSettings.md5_uppercase)
    case = s.text("md5_case", "", allowed=MD5_CASES)
    return case == "upper" if case else legacy


def _load_sync(s: _Section) -> SyncSettings:
    return s.settings(SyncSettings)


def _load_staff(s: _Section) -> StaffSettings:
    return s.settings(StaffSettings)


def _load_privacy(s: _Section) -> PrivacySettings:
    return s.settings(PrivacySettings)


def _load_his(s: _Section) -> HisSettings:
    kind = s.text("kind", HisSettings.kind, HIS_KINDS)
    allow_http = s.flag("allow_http", HisSettings.allow_http)
    url = s.text("url", HisSettings.url)
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(f"his.url: expected an http:// or https:// URL, got {url!r}")
    if url.startswith("http://") and not allow_http:
        # The events hold patients' names and numbers, and the token rides along.
        raise ConfigError(
            "his.url: expected an https:// URL (plain http:// only with his.allow_http = true, "
            "for a test server) / cần địa chỉ https://"
        )
    folder = s.text("folder", HisSettings.folder)
    if folder and kind != "qd4750":
        raise ConfigError("his.folder: only for his.kind = 'qd4750' (use his.url otherwise)")
    if folder and url:
        raise ConfigError("his.folder: set his.url or his.folder, not both")
    if kind != "none" and not (url or folder):
        raise ConfigError(f"his.url: needed when his.kind is {kind!r}")
    if bool(s.text("client_cert", "")) != bool(s.text("client_key", "")):
        raise ConfigError("his.client_cert: mTLS needs both his.client_cert and his.client_key")
    paths = {
        key: str(s.path(key, Path())) if s.text(key, "") else ""
        for key in ("ca_file", "client_cert", "client_key")
    }
    if folder:
        paths["folder"] = str(s.path("folder", Path()))
    return s.settings(
        HisSettings,
        kind=kind,
        url=url.rstrip("/"),
        allow_http=allow_http,
        json_fields=_json_fields(s),
        **paths,
    )


def _json_fields(s: _Section) -> tuple[tuple[str, str], ...]:
    table = s.table("json_fields")
    fields = []
    for name, text in table.items():
        where = f"his.json_fields.{name}"
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(
                f'{where}: expected a kiosk field such as "card_number" or '
                f'"birth|dd/MM/yyyy", got {text!r}'
            )
        source, _, form = (part.strip() for part in text.partition("|"))
        if source not in HIS_JSON_FIELDS:
            raise ConfigError(
                f"{where}: unknown kiosk field {source!r} (one of {', '.join(HIS_JSON_FIELDS)})"
            )
        if form and form not in HIS_JSON_FORMATS:
            raise ConfigError(
                f"{where}: unknown format {form!r} (one of {', '.join(HIS_JSON_FORMATS)})"
            )
        if form and source not in HIS_JSON_FORMATS[form]:
            raise ConfigError(f"{where}: the format {form!r} does not apply to {source!r}")
        fields.append((str(name), text.strip()))
    if s.text("kind", HisSettings.kind, HIS_KINDS) == "json" and not fields:
        raise ConfigError("his.json_fields: his.kind = 'json' needs the vendor's field mapping")
    return tuple(fields)


_SECTIONS = (
    "kiosk",
    "hospital",
    "clinics",
    "database",
    "camera",
    "decoder",
    "printer",
    "insurance",
    "staff",
    "privacy",
    "sync",
    "his",
    "audio",
)


def parse_config(
    data: Mapping[str, Any], env: Mapping[str, str], base: Path, source: Path | None = None
) -> Config:
    """Validate a parsed TOML document (plus environment overrides) into a :class:`Config`."""
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown section (expected {', '.join(_SECTIONS)})")
    origins: dict[str, str] = {}

    def section(name: str) -> _Section:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{name}: expected a [{name}] table")
        return _Section(name, table, env, base, origins)

    loaders: dict[str, Callable[[_Section], Any]] = {
        "kiosk": _load_kiosk,
        "hospital": _load_hospital,
        "camera": _load_camera,
        "decoder": _load_decoder,
        "printer": _load_printer,
        "insurance": _load_insurance,
        "staff": _load_staff,
        "privacy": _load_privacy,
        "sync": _load_sync,
        "his": _load_his,
        "audio": _load_audio,
    }
    loaded: dict[str, Any] = {}
    for name, loader in loaders.items():
        sec = section(name)
        loaded[name] = loader(sec)
        sec.check_unknown()
    db_section = section("database")
    loaded["database"] = _load_database(db_section, loaded["kiosk"].data_dir)
    db_section.check_unknown()
    if loaded["database"].has_journal and not loaded["kiosk"].offline_prefix:
        raise ConfigError(
            "kiosk.offline_prefix: required when database.url is not SQLite: a letter code "
            'unique to this kiosk (e.g. "A") for the numbers it gives while the central '
            "database is unreachable"
        )
    if loaded["his"].kind == "qd4750" and not loaded["hospital"].facility_codes:
        raise ConfigError(
            "hospital.facility_codes: his.kind = 'qd4750' needs the hospital's code (MA_CSKCB)"
        )
    clinics = _load_clinics(data.get("clinics"))
    origins["clinics"] = "default" if "clinics" not in data else "file"
    return Config(clinics=clinics, source=source, origins=origins, **loaded)


SYSTEM_CONFIG = Path("/etc/kiosk/config.toml")
APP_NAME = "kiosk"
# the search order, as --help texts say it
CONFIG_SEARCH = (
    f"${CONFIG_ENV}, ./config.toml, ~/.config/kiosk/config.toml, {SYSTEM_CONFIG}, "
    "else built-in defaults"
)


@dataclass(frozen=True)
class ConfigPlaces:
    """Where the kiosk looks for a config file it was not given, and keeps data without one."""

    user_config: Path  # $XDG_CONFIG_HOME/kiosk/config.toml
    system_config: Path  # /etc/kiosk/config.toml
    user_data: Path  # $XDG_DATA_HOME/kiosk: the base of relative paths when no file is found

    @classmethod
    def for_this_user(cls) -> ConfigPlaces:
        """The XDG folders of the user running the kiosk (platformdirs on other systems)."""
        import platformdirs

        return cls(
            user_config=platformdirs.user_config_path(APP_NAME) / "config.toml",
            system_config=SYSTEM_CONFIG,
            user_data=platformdirs.user_data_path(APP_NAME),
        )


def find_config(path: Path | None, env: Mapping[str, str], places: ConfigPlaces) -> Path | None:
    """The config file to read, or None to run on the built-in defaults.

    A file named by ``--config`` or ``KIOSK_CONFIG`` must exist: a typo there would otherwise
    start a kiosk on defaults without anyone noticing. The other places are tried in order and
    skipped when absent.
    """
    if path is not None:
        return path
    if environment_path := env.get(CONFIG_ENV):
        return Path(environment_path)
    for candidate in (Path("config.toml"), places.user_config, places.system_config):
        if candidate.is_file():
            return candidate
    return None


def load_config(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    places: ConfigPlaces | None = None,
) -> Config:
    """Find, read and validate the configuration; raise :class:`ConfigError` on any problem.

    The search order is ``path`` (``--config``), ``KIOSK_CONFIG``, ``./config.toml``, the
    user's config folder, ``/etc/kiosk/config.toml``; with none of them the built-in defaults
    apply and relative paths (the data folder) are under the user's data folder.
    """
    environment = os.environ if env is None else env
    where = places or ConfigPlaces.for_this_user()
    chosen = find_config(path, environment, where)
    if chosen is None:
        return parse_config({}, environment, where.user_data)
    try:
        with chosen.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"config file {chosen} not found (use --config PATH or {CONFIG_ENV})"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {chosen}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"config file {chosen}: cannot be read: {error.strerror}") from None
    return parse_config(data, environment, chosen.resolve().parent, chosen)
