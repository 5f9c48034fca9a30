"""`kiosk db upgrade` and `kiosk demo`: setting a database up (no one needs to log in)."""

from __future__ import annotations

import click

from kiosk.cli.group import Env, cli, emit, json_option, parse_day, pass_env
from store.text import N_


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option(
    "--app-role",
    metavar="ROLE",
    help="PostgreSQL: the role the kiosks connect as; it gets INSERT and SELECT only on the "
    "audit log (run this as the tables' owner).",
)
@pass_env
def db_upgrade(env: Env, app_role: str | None) -> None:
    """Create or migrate the schema."""
    env.store(must_be_ready=False).upgrade(app_role)
    click.echo(env.say(N_("Esquema al día en {url}."), url=env.database))
    if app_role is not None:
        click.echo(
            env.say(
                N_(
                    "El rol {role} puede leer y escribir, y del registro de auditoría solo leer y añadir."
                ),
                role=app_role,
            )
        )


def _staff_accounts(summary: dict[str, object]) -> list[tuple[str, str, str]]:
    """The demo's staff accounts (user, role, password) from `Store.load_demo`'s summary."""
    accounts = summary["staff"]
    assert isinstance(accounts, list)
    return [(str(user), str(role), str(password)) for user, role, password in accounts]


@cli.command()
@click.option("--today", help="Day the demo's four weeks start after (YYYY-MM-DD).")
@json_option
@pass_env
def demo(env: Env, today: str | None, as_json: bool) -> None:
    """Load the demo catalogue, capacity, applicants and staff accounts."""
    day = parse_day("today", today)
    store = env.store(must_be_ready=False)
    if not store.is_ready():
        store.upgrade()
    summary = store.load_demo(day)
    lines = [
        env.say(
            N_(
                "Demostración cargada: {offices} oficinas, {procedures} trámites, {slots} horas, {waiting} personas en espera."
            ),
            **summary,
        ),
        env.say(N_("Cuentas del personal (usuario / rol / contraseña):")),
        *[f"  {user} / {role} / {password}" for user, role, password in _staff_accounts(summary)],
        env.say(
            N_("Solicitantes de demostración: contraseña {password}"),
            password=summary["applicant_password"],
        ),
    ]
    emit(summary, as_json, "\n".join(lines))
