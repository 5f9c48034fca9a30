"""One settings object from defaults, a TOML file and `KIOSK_*` environment variables.

Precedence: command-line option > environment > TOML file (`$KIOSK_CONFIG`, else
`kiosk.toml` in the user config directory) > defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.text import LANGUAGES as STORE_LANGUAGES

if TYPE_CHECKING:
    from email.headerregistry import Address

    from receipts.printer import Printer
    from store import Store
    from store.clock import Clock
    from store.mail import SmtpMailer, SmtpServer

APP_NAME = "citas-kiosk"
LANGUAGES = STORE_LANGUAGES


class SettingsError(ValueError):
    """A setting that cannot be used; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    db_url: str
    language: str = "es"
    hold_minutes: int = 5
    temporary_hours: int = 72
    idle_seconds: int = 90
    counter_idle_seconds: int = 600
    argon2_profile: str = "standard"
    now: datetime | None = None
    receipts_dir: Path | None = None
    printer: str = "folder"
    exports_dir: Path | None = None
    # K7: where store failures are logged (default: the user log directory).
    log_dir: Path | None = None
    # M3: outgoing mail is on when KIOSK_SMTP_URL is set (with KIOSK_MAIL_FROM).
    smtp: SmtpServer | None = None
    mail_from: Address | None = None
    # M3, M4: how often the counter desk sends due e-mails and the day-before reminders.
    mail_every_seconds: int = 60
    # O3, O4: this store's name (an office code, or CENTRAL), the key it signs its bundles
    # with (environment only, like every secret) and the file of the stores it trusts.
    store_code: str | None = None
    # Q1, Q2: the office whose waiting room this kiosk stands in ("Tengo una hora", "Sacar
    # número"); None: a kiosk for bookings only.
    office: str | None = None
    bundle_key: str | None = None
    bundle_trust: Path | None = None

    @property
    def mail_enabled(self) -> bool:
        """M3: whether notices are also e-mailed."""
        return self.smtp is not None

    def make_mailer(self) -> SmtpMailer | None:
        """M3: the sender for these settings, or None when mail is off."""
        if self.smtp is None or self.mail_from is None:
            return None
        from store.mail import SmtpMailer

        return SmtpMailer(self.smtp, self.mail_from)

    def exports(self) -> Path:
        """C7: where the counter writes CSV exports (`exports` in the data directory)."""
        return self.exports_dir or data_dir() / "exports"

    def make_printer(self) -> Printer:
        """B7, K3: where receipts go: `folder` (training; default: `receipts` in the data
        directory) or `lp`. K7: `lp` without the `lp` command is a SettingsError, not a folder."""
        from receipts.printer import PrinterSetupError, make_printer

        try:
            return make_printer(self.printer, self.receipts_dir or data_dir() / "receipts")
        except PrinterSetupError as error:
            raise SettingsError(f"KIOSK_PRINTER is {self.printer}, but {error}") from None

    def logs(self) -> Path:
        """K7: the folder of the kiosk's log (`KIOSK_LOG_DIR`, else the user log directory)."""
        if self.log_dir is not None:
            return self.log_dir
        from platformdirs import user_log_dir

        return Path(user_log_dir(APP_NAME))

    def training_overrides(self) -> list[str]:
        """The settings only a training store accepts (issue 15 §2): a clock stood still
        would date enrolments and audit events at will, fast hashing weakens passwords."""
        return [
            name
            for name, used in (
                ("KIOSK_NOW", self.now is not None),
                ("KIOSK_ARGON2_PROFILE=fast", self.argon2_profile == "fast"),
            )
            if used
        ]

    def make_clock(self) -> Clock:
        """The clock: `KIOSK_NOW` stands it still (training, demos, tests)."""
        from store.clock import FixedClock, SystemClock

        return FixedClock(self.now) if self.now else SystemClock()

    def make_store(self, clock: Clock | None = None) -> Store:
        """The Store these settings describe (imported lazily: it pulls in SQLAlchemy)."""
        from store import Store
        from store.credentials import Passwords, fast_hasher

        clock = clock or self.make_clock()
        passwords = Passwords(fast_hasher() if self.argon2_profile == "fast" else None)
        return Store(
            self.db_url,
            clock=clock,
            passwords=passwords,
            hold_minutes=self.hold_minutes,
            temporary_hours=self.temporary_hours,
            store_code=self.store_code,
            mail_enabled=self.mail_enabled,
        )


def data_dir() -> Path:
    """Where the kiosk keeps its own files by default."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def default_db_url() -> str:
    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'kiosk.db'}"


def _config_file(env: Mapping[str, str]) -> dict[str, Any]:
    from platformdirs import user_config_dir

    path = Path(env.get("KIOSK_CONFIG") or Path(user_config_dir(APP_NAME)) / "kiosk.toml")
    if not path.exists():
        if "KIOSK_CONFIG" in env:
            raise SettingsError(f"KIOSK_CONFIG: no file at {path}")
        return {}
    import tomllib  # only when there is a file: most kiosks have none, and start sooner

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: {error}") from None


def _int(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a whole number from {low} to {high}") from None
    if not low <= number <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}")
    return number


def _mail(env: Mapping[str, str], file: Mapping[str, Any], pick: Any) -> dict[str, Any]:
    """M3: KIOSK_SMTP_URL, KIOSK_SMTP_USER and KIOSK_MAIL_FROM (environment or file), and
    KIOSK_SMTP_PASSWORD from the environment only: a password never lives in a file."""
    if "smtp_password" in file:
        raise SettingsError(
            "smtp_password cannot be set in the settings file: set KIOSK_SMTP_PASSWORD in the "
            "environment instead"
        )
    url = pick("smtp_url")
    if not url:
        return {}
    from store.mail import MailSettingError, parse_sender, parse_smtp_url

    sender = pick("mail_from")
    if not sender:
        raise SettingsError(
            "KIOSK_MAIL_FROM is needed with KIOSK_SMTP_URL: the address e-mails come from, "
            "such as citas@extranjeria.gob.cl"
        )
    try:
        return {
            "smtp": parse_smtp_url(
                str(url), pick("smtp_user"), env.get("KIOSK_SMTP_PASSWORD") or None
            ),
            "mail_from": parse_sender(str(sender)),
        }
    except MailSettingError as error:
        raise SettingsError(str(error)) from None


def load_settings(
    env: Mapping[str, str] | None = None, *, db: str | None = None, language: str | None = None
) -> Settings:
    """Settings for this process; raises SettingsError naming the bad setting."""
    env = os.environ if env is None else env
    file = _config_file(env)

    def pick(key: str, default: Any = None) -> Any:
        return env.get(f"KIOSK_{key.upper()}", file.get(key, default))

    lang = language or pick("lang", "es")
    if lang not in LANGUAGES:
        raise SettingsError(f"KIOSK_LANG must be one of {', '.join(LANGUAGES)}")
    profile = pick("argon2_profile", "standard")
    if profile not in ("standard", "fast"):
        raise SettingsError("KIOSK_ARGON2_PROFILE must be standard or fast")
    now_text = pick("now")
    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(str(now_text).replace("Z", "+00:00"))
        except ValueError:
            raise SettingsError(
                "KIOSK_NOW must be an ISO date-time such as 2026-11-23T12:00:00Z"
            ) from None
        if now.tzinfo is None:
            raise SettingsError("KIOSK_NOW needs a time zone, such as 2026-11-23T12:00:00Z")
    receipts = pick("receipts_dir")
    printer = str(pick("printer", "folder"))
    if printer.partition(":")[0] not in ("folder", "lp"):
        raise SettingsError("KIOSK_PRINTER must be folder, lp or lp:DESTINATION")
    return Settings(
        db_url=db or pick("db") or default_db_url(),
        language=lang,
        hold_minutes=_int("KIOSK_HOLD_MINUTES", pick("hold_minutes", 5), 1, 60),
        temporary_hours=_int("KIOSK_TEMPORARY_HOURS", pick("temporary_hours", 72), 1, 720),
        idle_seconds=_int("KIOSK_IDLE_SECONDS", pick("idle_seconds", 90), 10, 3600),
        counter_idle_seconds=_int(
            "KIOSK_COUNTER_IDLE_SECONDS", pick("counter_idle_seconds", 600), 10, 28800
        ),
        argon2_profile=profile,
        now=now,
        receipts_dir=Path(receipts) if receipts else None,
        printer=printer,
        exports_dir=Path(exports) if (exports := pick("exports_dir")) else None,
        log_dir=Path(logs) if (logs := pick("log_dir")) else None,
        mail_every_seconds=_int(
            "KIOSK_MAIL_EVERY_SECONDS", pick("mail_every_seconds", 60), 1, 86400
        ),
        store_code=str(code).strip().upper() if (code := pick("store_code")) else None,
        office=str(office).strip().upper() if (office := pick("office")) else None,
        bundle_key=env.get("KIOSK_BUNDLE_KEY") or None,
        bundle_trust=Path(trust) if (trust := pick("bundle_trust")) else None,
        **_mail(env, file, pick),
    )
