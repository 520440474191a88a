"""Load ``config.toml`` into the dataclasses of :mod:`kiosk.settings`, validating every key.

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
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.masking import mask_credentials
from kiosk.model import Clinic
from kiosk.settings import (
    BARE_CODE_CHECKS,
    BOARD_NAMES,
    DECODERS,
    EQUIVALENT_GRADES,
    FORMER_TUYEN,
    HIS_JSON_FIELDS,
    HIS_JSON_FORMATS,
    HIS_KINDS,
    LENS_POSITIONS,
    MD5_CASES,
    PRINTER_KINDS,
    PROFESSIONAL_LEVELS,
    SLIP_CARD_NUMBERS,
    TOKEN_BODIES,
    AudioSettings,
    CameraSettings,
    Config,
    DatabaseSettings,
    DecoderSettings,
    HisSettings,
    HospitalSettings,
    InsuranceSettings,
    KioskSettings,
    PrinterSettings,
    PrivacySettings,
    QueueSettings,
    StaffSettings,
    SyncSettings,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")

# The settings dataclasses live in kiosk.settings; they are named here too, so that every
# ``from kiosk.config import X`` of before the split still works.
__all__ = [
    "APP_NAME",
    "BARE_CODE_CHECKS",
    "BOARD_NAMES",
    "CONFIG_ENV",
    "CONFIG_SEARCH",
    "DECODERS",
    "DEFAULT_CLINICS",
    "EQUIVALENT_GRADES",
    "FORMER_TUYEN",
    "HIS_JSON_FIELDS",
    "HIS_JSON_FORMATS",
    "HIS_KINDS",
    "LENS_POSITIONS",
    "MD5_CASES",
    "PRINTER_KINDS",
    "PROFESSIONAL_LEVELS",
    "SLIP_CARD_NUMBERS",
    "SYSTEM_CONFIG",
    "TOKEN_BODIES",
    "AudioSettings",
    "CameraSettings",
    "Config",
    "ConfigError",
    "ConfigPlaces",
    "DatabaseSettings",
    "DecoderSettings",
    "HisSettings",
    "HospitalSettings",
    "InsuranceSettings",
    "KioskSettings",
    "PrinterSettings",
    "PrivacySettings",
    "QueueSettings",
    "StaffSettings",
    "SyncSettings",
    "find_config",
    "load_config",
    "parse_config",
]

CONFIG_ENV = "KIOSK_CONFIG"
_OLD_HOSPITAL_KEYS = ("level", "facility_levels")  # the tuyến model before 2025
_NEW_HOSPITAL_KEYS = (
    "the tuyến levels before 2025 no longer decide the route: describe the hospital with "
    "hospital.professional_level (ban_dau, co_ban or chuyen_sau), hospital.evaluation_score "
    "and hospital.former_tuyen (central, province, district, commune or none); see config.toml"
)
_FACILITY_CODE = re.compile(r"^[0-9]{2}[0-9A-Z]{3}$")
_HOURS = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it and says what is expected.

    A password inside a URL in the message is masked: the line is printed and logged.
    """

    def __init__(self, message: str) -> None:
        super().__init__(mask_credentials(message))


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
# examination room, open all day, with a room and a floor (a slip or a screen without
# them leaves the patient asking where to go).
DEFAULT_CLINICS = (
    Clinic(
        "KB",
        "Khám bệnh",
        "Medical examination",
        "Phòng 1",
        "Tầng 1",
        "Ground floor",
        room_en="Room 1",
    ),
)


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
                rooms=_rooms(where, s),
            )
        )
        s.check_unknown()
    codes = [c.code for c in clinics]
    duplicate = next((c for c in codes if codes.count(c) > 1), None)
    if duplicate:
        raise ConfigError(f"clinics: the code {duplicate!r} is used twice")
    rooms = [room for c in clinics for room in c.call_rooms()]
    shared = next((r for r in rooms if rooms.count(r) > 1), None)
    if shared:
        # a room calls from one queue: two clinics sharing it would split its "next"
        raise ConfigError(f"clinics: the room {shared!r} calls for two clinics (set rooms)")
    return tuple(clinics)


def _rooms(where: str, s: _Section) -> tuple[str, ...]:
    rooms = s.texts("rooms", ())
    for j, room in enumerate(rooms):
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", room):
            raise ConfigError(
                f"{where}.rooms[{j}]: expected 1-16 letters, digits, - or _, got {room!r}"
            )
    return rooms


def _load_queue(s: _Section) -> QueueSettings:
    return s.settings(QueueSettings)


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
    "queue",
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
        "queue": _load_queue,
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
