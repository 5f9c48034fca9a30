"""`kiosk staff add|list|deactivate|unlock|reset-password|change-password`: staff accounts (C10).

Each acts as a staff member (C12). Administering accounts needs a supervisor, for their own
office only; a national supervisor (no office) for every office (the store checks both). A
created or reset account's temporary password is printed once, never stored; whoever logs in
with it changes it first (`kiosk staff change-password`, or the counter desk)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from kiosk.cli import acting as acting_module
from kiosk.cli.acting import as_staff, staff_option, staff_or_setup
from kiosk.cli.group import EXIT_REFUSED, Env, cli, emit, fail, iso, json_option, pass_env
from store.text import N_

if TYPE_CHECKING:
    from datetime import datetime

    from store.views import StaffPassword, StaffView

NEW_PASSWORD_VARIABLE = "KIOSK_STAFF_NEW_PASSWORD"


def state(account: StaffView, now: datetime) -> str:
    """`active`, `locked` (A11) or `deactivated`."""
    if not account.active:
        return "deactivated"
    return "locked" if account.locked_at(now) else "active"


def account_json(account: StaffView, now: datetime) -> dict[str, object]:
    """One staff account as the commands print it (never a password)."""
    return {
        "username": account.username,
        "full_name": account.full_name,
        "role": account.role,
        "office": account.office,
        "state": state(account, now),
        "locked_until": iso(account.locked_until) if account.locked_at(now) else None,
        "must_change_password": account.must_change_password,
    }


def _line(account: StaffView, now: datetime) -> str:
    return (
        f"{account.username:16} {account.role:10} {account.office or '-':4} "
        f"{state(account, now):11} {account.full_name}"
    )


def _issued(env: Env, issued: StaffPassword, as_json: bool) -> None:
    """The account and its temporary password, printed once."""
    now = env.store().clock.now()
    emit(
        {**account_json(issued.staff, now), "temporary_password": issued.temporary_password},
        as_json,
        env.say(
            N_(
                "Contraseña temporal de {user}: {password} (se muestra una sola vez; deberá "
                "cambiarla al ingresar)."
            ),
            user=issued.staff.username,
            password=issued.temporary_password,
        ),
    )


@cli.group()
def staff() -> None:
    """Staff accounts of an office (C10)."""


@staff.command("add")
@click.option("--username", required=True, help="The user name to log in with.")
@click.option("--full-name", required=True, help="Given names and surnames.")
@click.option("--role", required=True, type=click.Choice(["agent", "supervisor", "auditor"]))
@click.option("--office", help="Office code (default: your office; none: a national account).")
@json_option
@staff_option
@pass_env
def staff_add(
    env: Env, username: str, full_name: str, role: str, office: str | None, as_json: bool
) -> None:
    """Create an account with a temporary password, printed once. On a new store with no
    account yet, the first (a national supervisor) needs no --staff."""
    actor = staff_or_setup(env)
    issued = env.store().add_staff(username, full_name, role, office, actor=actor)
    _issued(env, issued, as_json)


@staff.command("list")
@click.option("--office", help="Office code (default: your office; a national supervisor: all).")
@json_option
@as_staff()
def staff_list(env: Env, acting: StaffView, office: str | None, as_json: bool) -> None:
    """The staff accounts of an office and their state."""
    store = env.store()
    accounts = store.staff_accounts(office, actor=acting.actor)
    now = store.clock.now()
    emit(
        {"staff": [account_json(a, now) for a in accounts]},
        as_json,
        "\n".join(_line(a, now) for a in accounts),
    )


def _changed(env: Env, account: StaffView, as_json: bool, msgid: str) -> None:
    now = env.store().clock.now()
    emit(account_json(account, now), as_json, env.say(msgid, user=account.username))


@staff.command("deactivate")
@click.argument("username")
@json_option
@as_staff()
def staff_deactivate(env: Env, acting: StaffView, username: str, as_json: bool) -> None:
    """Deactivate an account: it can no longer log in."""
    account = env.store().deactivate_staff(username, actor=acting.actor)
    _changed(env, account, as_json, N_("Cuenta {user} desactivada."))


@staff.command("unlock")
@click.argument("username")
@json_option
@as_staff()
def staff_unlock(env: Env, acting: StaffView, username: str, as_json: bool) -> None:
    """End an account's lockout after five failed logins (A11)."""
    account = env.store().unlock_staff(username, actor=acting.actor)
    _changed(env, account, as_json, N_("Cuenta {user} desbloqueada."))


@staff.command("reset-password")
@click.argument("username")
@json_option
@as_staff()
def staff_reset_password(env: Env, acting: StaffView, username: str, as_json: bool) -> None:
    """A new temporary password for an account, printed once; it is changed at first use."""
    _issued(env, env.store().reset_staff_password(username, actor=acting.actor), as_json)


def _new_password(env: Env) -> str:
    """The new password from $KIOSK_STAFF_NEW_PASSWORD, else asked twice without echo."""
    password = os.environ.get(NEW_PASSWORD_VARIABLE)
    if password:
        return password
    if not acting_module._terminal():
        fail(
            env.say(
                N_(
                    "Falta la contraseña nueva: defina KIOSK_STAFF_NEW_PASSWORD o ejecute el "
                    "comando en una terminal."
                )
            ),
            EXIT_REFUSED,
        )
    answer: str = click.prompt(
        env.say(N_("Contraseña nueva (al menos 8 caracteres)")),
        hide_input=True,
        confirmation_prompt=env.say(N_("Repita la contraseña nueva")),
        err=True,
    )
    return answer


@staff.command("change-password")
@json_option
@as_staff(temporary_ok=True)
def staff_change_password(env: Env, acting: StaffView, as_json: bool) -> None:
    """Replace your own password (a temporary one must be, before anything else)."""
    current = env.staff_password or ""
    account = env.store().change_staff_password(current, _new_password(env), actor=acting.actor)
    _changed(
        env,
        account,
        as_json,
        N_("Contraseña de {user} cambiada. Use la nueva desde ahora (KIOSK_STAFF_PASSWORD)."),
    )
