"""E-mail that leaves the office (M3): the SMTP server setting, the message each notice becomes
(plain text in the applicant's language, with a calendar invitation for an appointment), and
the sender that hands it to a real SMTP server.

Nothing here touches the database: the store claims due e-mails in one short transaction,
these functions write and send them, and the store marks the result in another
(`Store.deliver_outbox`). A slow or dead server therefore never holds the write lock."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from store.text import N_, Message, localised
from store.views import BookingView, OutgoingMail

Translate = Callable[[str], str]

# Notices about an appointment that is (still) on: their e-mail invites to it; and those about
# one that is off: their e-mail cancels the invitation (same UID, METHOD:CANCEL).
INVITING_KINDS = frozenset({"booking", "assignment", "booking_moved", "reminder"})
CANCELLING_KINDS = frozenset({"cancellation", "displaced"})
_SCHEMES = {"smtp": 25, "smtps": 465}
DEFAULT_TIMEOUT = 30.0


class MailSettingError(ValueError):
    """A mail setting that cannot be used; the message says which and how to fix it."""


@dataclass(frozen=True)
class SmtpServer:
    """Where e-mail goes: `smtp://host:port` (plain), `smtp://host:port?starttls=1`
    (STARTTLS) or `smtps://host:port` (TLS from the start); `timeout=S` in the query bounds
    each network wait."""

    host: str
    port: int
    tls: bool = False
    starttls: bool = False
    timeout: float = DEFAULT_TIMEOUT
    user: str | None = None
    password: str | None = None

    def describe(self) -> str:
        """The server as messages name it (never the password)."""
        scheme = "smtps" if self.tls else "smtp"
        return f"{scheme}://{self.host}:{self.port}{'?starttls=1' if self.starttls else ''}"


def parse_smtp_url(url: str, user: str | None = None, password: str | None = None) -> SmtpServer:
    """KIOSK_SMTP_URL as a server; MailSettingError in one sentence when it cannot be used."""
    hint = "such as smtp://mail.example.org:587?starttls=1 or smtps://mail.example.org:465"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise MailSettingError(f"KIOSK_SMTP_URL is not a valid address: use one {hint}") from None
    if parts.scheme not in _SCHEMES:
        raise MailSettingError(f"KIOSK_SMTP_URL must start with smtp:// or smtps://, {hint}")
    if not parts.hostname:
        raise MailSettingError(f"KIOSK_SMTP_URL names no server: use one {hint}")
    if parts.username or parts.password:
        raise MailSettingError(
            "KIOSK_SMTP_URL must not hold a user or password: set KIOSK_SMTP_USER and "
            "KIOSK_SMTP_PASSWORD instead"
        )
    if parts.path not in ("", "/") or parts.fragment:
        raise MailSettingError(f"KIOSK_SMTP_URL has a path it cannot use: use one {hint}")
    try:
        query = {
            key: values[-1]
            for key, values in parse_qs(parts.query, strict_parsing=bool(parts.query)).items()
        }
    except ValueError:
        raise MailSettingError(
            "KIOSK_SMTP_URL's options must read like ?starttls=1 or ?timeout=30"
        ) from None
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise MailSettingError(
            f"KIOSK_SMTP_URL has an option it does not know ({', '.join(sorted(unknown))}): "
            "only starttls=1 and timeout=SECONDS"
        )
    starttls = query.get("starttls", "0")
    if starttls not in ("0", "1"):
        raise MailSettingError("KIOSK_SMTP_URL: starttls must be 0 or 1")
    if starttls == "1" and parts.scheme == "smtps":
        raise MailSettingError(
            "KIOSK_SMTP_URL: smtps:// is TLS from the start already; drop starttls=1"
        )
    try:
        timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        timeout = -1.0
    if not 1 <= timeout <= 600:
        raise MailSettingError("KIOSK_SMTP_URL: timeout must be a number of seconds from 1 to 600")
    if bool(user) != bool(password):
        raise MailSettingError(
            "KIOSK_SMTP_USER and KIOSK_SMTP_PASSWORD go together: set both, or neither"
        )
    return SmtpServer(
        host=unquote(parts.hostname),
        port=port or _SCHEMES[parts.scheme],
        tls=parts.scheme == "smtps",
        starttls=starttls == "1",
        timeout=timeout,
        user=user or None,
        password=password or None,
    )


def parse_sender(text: str) -> Address:
    """KIOSK_MAIL_FROM as an address (`citas@oficina.cl` or `Citas <citas@oficina.cl>`)."""
    from email.headerregistry import HeaderRegistry

    try:
        header = HeaderRegistry()("From", text.strip())
        addresses = header.addresses  # type: ignore[attr-defined]
    except (IndexError, ValueError, TypeError):
        addresses = ()
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise MailSettingError(
            "KIOSK_MAIL_FROM must be one e-mail address, such as citas@extranjeria.gob.cl"
        )
    address: Address = addresses[0]
    return address


class MailError(Exception):
    """A send that did not go through; `permanent` when the server refused it for good (5xx)."""

    def __init__(self, text: str, *, permanent: bool = False) -> None:
        super().__init__(text)
        self.permanent = permanent


Send = Callable[[EmailMessage], None]


class Mailer(Protocol):
    """What delivers e-mail: the address it comes from, and a connection to send through."""

    @property
    def sender(self) -> Address: ...

    def connection(self) -> AbstractContextManager[Send]: ...


class SmtpMailer:
    """Sends through a real SMTP server: one connection for a run, each message on its own."""

    def __init__(self, server: SmtpServer, sender: Address) -> None:
        self.server = server
        self._sender = sender

    @property
    def sender(self) -> Address:
        return self._sender

    @contextmanager
    def connection(self) -> Iterator[Send]:
        """An open, logged-in connection; MailError when the server cannot be reached."""
        server = self.server
        try:
            client: smtplib.SMTP
            if server.tls:
                client = smtplib.SMTP_SSL(
                    server.host,
                    server.port,
                    timeout=server.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
            if server.starttls:
                client.starttls(context=ssl.create_default_context())
            if server.user and server.password:
                client.login(server.user, server.password)
        except (OSError, smtplib.SMTPException) as error:
            raise _mail_error(error, server) from None

        def send(message: EmailMessage) -> None:
            try:
                client.send_message(message)
            except (OSError, smtplib.SMTPException) as error:
                raise _mail_error(error, server) from None

        try:
            yield send
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def _mail_error(error: Exception, server: SmtpServer) -> MailError:
    """A transport error as the server's answer; 5xx answers are permanent."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        permanent = bool(answers) and all(code >= 500 for code, _ in answers)
        text = "; ".join(f"{code} {_decode(reply)}" for code, reply in answers)
        return MailError(text, permanent=permanent)
    if isinstance(error, smtplib.SMTPResponseException):
        return MailError(
            f"{error.smtp_code} {_decode(error.smtp_error)}", permanent=error.smtp_code >= 500
        )
    if isinstance(error, TimeoutError):
        return MailError(f"{server.describe()}: no answer within {server.timeout:g} s")
    return MailError(f"{server.describe()}: {error or type(error).__name__}")


def _decode(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


# -- the message ----------------------------------------------------------------------------


def message_id(notice_uuid: str, sender: Address) -> str:
    """M3: the same notice always gives the same Message-ID, so a send repeated after a crash
    (between sending and marking it sent) is recognisable as the same message."""
    return f"<notice-{notice_uuid}@{sender.domain}>"


FOOTER = N_(
    "Este aviso está también en su buzón de Citas Kiosk: puede leerlo e imprimirlo en "
    "cualquier quiosco de la oficina. Este correo se envía automáticamente; no lo responda. "
    "El trámite es gratuito: no pague a intermediarios."
)
DOCUMENTS_HEADING = N_("Documentos que debe traer:")
CODE_LINE = N_("Código de verificación: {code}")


def compose(
    mail: OutgoingMail, translate: Translate, sender: Address, now: datetime
) -> EmailMessage:
    """M3: the e-mail of one notice, in the applicant's language (`translate`): plain text,
    with a calendar invitation (.ics) for an appointment. No password ever goes in it: the
    notices say where the temporary password was shown and printed, never the password."""
    subject = localised(mail.subject, mail.language).render(translate)
    body = localised(mail.body, mail.language).render(translate)
    lines = [body, ""]
    booking = mail.booking
    if booking is not None and mail.kind in INVITING_KINDS:
        documents = booking.procedure.documents_in(mail.language)
        if documents:
            lines += [translate(DOCUMENTS_HEADING), *(f"- {d}" for d in documents), ""]
    lines.append(translate(FOOTER))
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(mail.recipient, addr_spec=mail.to_address)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(mail.notice_uuid, sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(lines), charset="utf-8")
    if booking is not None and (mail.kind in INVITING_KINDS or mail.kind in CANCELLING_KINDS):
        method = "REQUEST" if mail.kind in INVITING_KINDS else "CANCEL"
        ics = calendar_invitation(booking, mail, translate, sender, now, method)
        message.add_attachment(
            ics.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            params={"method": method},
            filename="cita.ics",
        )
    message["Content-Language"] = mail.language  # after the body: set_content drops Content-*
    return message


def calendar_invitation(
    booking: BookingView,
    mail: OutgoingMail,
    translate: Translate,
    sender: Address,
    now: datetime,
    method: str,
) -> bytes:
    """M3: the appointment as an iCalendar invitation: the office's name and address, the time
    in the office's own time zone, the procedure, the code and the documents to bring. One
    booking is one event (its UID), so a reminder updates it and a cancellation removes it."""
    from icalendar import Calendar, Event, vCalAddress, vText

    zone = ZoneInfo(booking.office.time_zone)
    start = booking.start.astimezone(zone)
    procedure = booking.procedure.name_in(mail.language)
    code = booking.display_code or ""
    description = [Message(CODE_LINE, {"code": code}).render(translate)]
    documents = booking.procedure.documents_in(mail.language)
    if documents:
        description += ["", translate(DOCUMENTS_HEADING), *(f"- {d}" for d in documents)]
    calendar = Calendar()
    calendar.add("prodid", "-//Citas Kiosk//citas-kiosk//ES")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"booking-{booking.code or booking.id}@{sender.domain}")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=booking.procedure.minutes))
    event.add("summary", f"{procedure} · {code}" if code else procedure)
    event.add("location", f"{booking.office.name}, {booking.office.address}")
    event.add("description", "\n".join(description))
    event.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    # A reminder, then a cancellation, replace what the calendar holds for this booking.
    event.add("sequence", 2 if method == "CANCEL" else int(mail.kind == "reminder"))
    organizer = vCalAddress(f"mailto:{sender.addr_spec}")
    organizer.params["cn"] = vText(sender.display_name or booking.office.name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{mail.to_address}")
    attendee.params["cn"] = vText(mail.recipient)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics
