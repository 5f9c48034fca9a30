"""`kiosk display --office CODE` and `kiosk serve display|kiosk --port N`: the waiting room's
call display (Q4) on a terminal, and it or the kiosk in a web browser through textual-serve.

Both are public: the display shows numbers and counters only, and the kiosk asks each person
for their own login. textual-serve has no authentication of its own, so `serve` listens on
127.0.0.1 unless `--host` says otherwise, and says so when it starts."""

from __future__ import annotations

import ipaddress
import os
import shlex
import sys
from typing import TYPE_CHECKING

import click

from kiosk.cli.group import EXIT_BAD_INPUT, EXIT_NOT_NOW, Env, cli, fail, pass_env
from store.text import N_

if TYPE_CHECKING:
    from store.views import OfficeView

LOCALHOST = "127.0.0.1"
office_option = click.option("--office", required=True, help="Office code.")
port_option = click.option(
    "--port", type=click.IntRange(1, 65535), required=True, help="TCP port to listen on."
)
host_option = click.option(
    "--host",
    default=LOCALHOST,
    show_default=True,
    help="Address to listen on. textual-serve has no authentication: anything but localhost "
    "exposes the app to the network.",
)


def office_of(env: Env, code: str) -> OfficeView:
    """The office whose waiting room is shown; an unknown code is bad input (exit 2)."""
    wanted = code.strip().upper()
    found = next((o for o in env.store().catalog().offices if o.code == wanted), None)
    if found is None:
        fail(env.say(N_("No existe una oficina con el código {code}."), code=code), EXIT_BAD_INPUT)
    return found


@cli.command()
@office_option
@pass_env
def display(env: Env, office: str) -> None:
    """The waiting room's call display (Q4, full screen): numbers called and their counters."""
    from kiosk.display import make_display_app
    from kiosk.logs import start_logging

    start_logging(env.settings)  # a store that fails is logged there, never drawn
    make_display_app(env.settings, env.store(), office_of(env, office)).run()


@cli.group()
def serve() -> None:
    """The kiosk or the call display in a web browser (textual-serve, localhost by default)."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(env: Env, arguments: list[str], title: str, host: str, port: int) -> None:
    """Run `python -m kiosk ARGUMENTS` for each browser that connects, on host:port. The
    child gets this command's settings through the environment (KIOSK_DB, KIOSK_LANG, and
    every other KIOSK_* as they are), so a database password never shows on a command line."""
    from textual_serve.server import Server

    os.environ["KIOSK_DB"] = env.settings.db_url
    os.environ["KIOSK_LANG"] = env.settings.language
    command = shlex.join([sys.executable, "-m", "kiosk", *arguments])
    click.echo(
        env.say(
            N_(
                "Sirviendo {title} en http://{host}:{port}/ con textual-serve, que no tiene "
                "autenticación propia: en cualquier dirección que no sea localhost "
                "(127.0.0.1), quien llegue a ese puerto usa la aplicación."
            ),
            title=title,
            host=host,
            port=port,
        )
    )
    if not _is_loopback(host):
        click.echo(
            env.say(
                N_(
                    "Atención: {host} no es localhost; la aplicación queda abierta a la red, "
                    "sin contraseña de por medio."
                ),
                host=host,
            ),
            err=True,
        )
    server = Server(command, host=host, port=port, title=title)
    try:
        server.serve()
    except OSError as error:  # the port is taken, the address is not this machine's
        fail(
            env.say(
                N_("No se pudo escuchar en {host}:{port}: {reason}"),
                host=host,
                port=port,
                reason=error.strerror or str(error),
            ),
            EXIT_NOT_NOW,
        )


@serve.command("display")
@office_option
@port_option
@host_option
@pass_env
def serve_display(env: Env, office: str, port: int, host: str) -> None:
    """The call display of an office in a web browser."""
    found = office_of(env, office)
    env.close()  # each browser's display opens its own store
    _serve(env, ["display", "--office", found.code], f"Citas Kiosk · {found.name}", host, port)


@serve.command("kiosk")
@port_option
@host_option
@pass_env
def serve_kiosk(env: Env, port: int, host: str) -> None:
    """The applicant kiosk in a web browser."""
    _serve(env, [], "Citas Kiosk", host, port)
