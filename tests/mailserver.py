"""A real SMTP server on loopback for the mail tests (M3): aiosmtpd in a thread of the test
process, on a free port, recording what it was given. It can refuse recipients for good (5xx)
or stall in the middle of a send until the test lets it go."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by the openssl command (the client trusts
    it only when SSL_CERT_FILE names it)."""
    certificate, key = folder / "smtp.crt", folder / "smtp.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd's `port=0` does not work)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Received:
    """One message as the server took it: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Handler:
    """What the server does with each message (aiosmtpd calls these in its own loop)."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    stall: threading.Event | None = None
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall is not None:
            self.stalled.set()
            gate = self.stall
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 60)
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, envelope.original_content)
        )
        return "250 Message accepted"


class MailServer:
    """A running SMTP server; `url` is the KIOSK_SMTP_URL that reaches it."""

    def __init__(
        self,
        port: int | None = None,
        login: tuple[str, str] | None = None,
        tls: str | None = None,
        certificate: tuple[Path, Path] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.handler = Handler()
        self.login = login  # a server that wants AUTH with this user and password
        # "starttls" (required before MAIL) or "smtps" (TLS from the first byte), with a
        # (certificate, key) pair from `self_signed`.
        self.tls = tls
        self.certificate = certificate
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        if self.tls == "smtps":
            return f"smtps://127.0.0.1:{self.port}?timeout=60"
        if self.tls == "starttls":
            return f"smtp://127.0.0.1:{self.port}?starttls=1&timeout=60"
        return f"smtp://127.0.0.1:{self.port}?timeout=60"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> MailServer:
        options: dict[str, Any] = {}
        if self.login is not None:
            options = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,  # loopback only; the tests' own server
            }
        if self.tls is not None:
            assert self.certificate is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.certificate)
            if self.tls == "smtps":
                options["ssl_context"] = context
            else:
                options.update(tls_context=context, require_starttls=True)
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        wanted = self.login
        given = (
            (data.login.decode(), data.password.decode())
            if isinstance(data, LoginPassword)
            else None
        )
        return AuthResult(success=given == wanted, handled=False)  # False: the server answers 535

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def mailer_for(
    server: MailServer,
    sender: str = "Citas Kiosk <citas@extranjeria.gob.cl>",
    login: tuple[str, str] | None = None,
) -> Any:
    """The kiosk's own SMTP sender, pointed at `server` (started or not), logging in as
    `login` (KIOSK_SMTP_USER, KIOSK_SMTP_PASSWORD) when given."""
    from store.mail import SmtpMailer, parse_sender, parse_smtp_url

    user, password = login or (None, None)
    return SmtpMailer(parse_smtp_url(server.url, user, password), parse_sender(sender))
