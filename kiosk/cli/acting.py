"""Who acts (C12) and for which office (C9): the one place the command line resolves the staff
member behind a command.

A command that changes data or shows a person's data names a staff member: `--staff USERNAME`
(on the command or on `kiosk` itself; default `$KIOSK_STAFF`), the password from
`$KIOSK_STAFF_PASSWORD`, else a hidden prompt when a terminal is attached. Missing or wrong
credentials end with exit 1 before the command does anything. The store then records that
person in the audit log (`actor=staff.actor`) and applies their role; the office scope of C9
(`office_scope`) is checked here, before the store is asked."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import click

from kiosk.cli.group import EXIT_BAD_INPUT, EXIT_REFUSED, Env, fail, pass_env
from store.text import N_

if TYPE_CHECKING:
    from store.views import Actor, StaffView

P = ParamSpec("P")
R = TypeVar("R")

STAFF_VARIABLE = "KIOSK_STAFF"
PASSWORD_VARIABLE = "KIOSK_STAFF_PASSWORD"
# The counter's roles (the desk's "find a person", "agenda", "register"): the person-data
# commands whose store calls check no role themselves. An auditor reads the audit log only.
COUNTER_ROLES = ("agent", "supervisor")


def _remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """`--staff` on a command: remembered for `acting_staff` (it wins over `kiosk --staff`)."""
    env = ctx.find_object(Env)
    if value is not None and env is not None:
        env.staff_username = value


staff_option = click.option(
    "--staff",
    metavar="USERNAME",
    expose_value=False,
    callback=_remember,
    help="Who acts (default: $KIOSK_STAFF); password from $KIOSK_STAFF_PASSWORD, else asked.",
)


def _terminal() -> bool:
    """Whether a person can be asked for the password (stdin is a terminal)."""
    return sys.stdin.isatty()


def _password(env: Env, username: str) -> str:
    """The password from $KIOSK_STAFF_PASSWORD, else asked without echo; refused without."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    if not _terminal():
        fail(
            env.say(
                N_(
                    "Falta la contraseña de {user}: defina KIOSK_STAFF_PASSWORD o ejecute el "
                    "comando en una terminal."
                ),
                user=username,
            ),
            EXIT_REFUSED,
        )
    answer: str = click.prompt(
        env.say(N_("Contraseña de {user}"), user=username),
        hide_input=True,
        err=True,
        default="",
        show_default=False,
    )
    return answer


def acting_staff(
    env: Env, roles: tuple[str, ...] | None = None, *, temporary_ok: bool = False
) -> StaffView:
    """C12: the staff member who runs this command, logged in once; exit 1 when no one is
    named, the password is missing or wrong (A11 counts it), the password is a temporary one
    still to be changed (C10; `temporary_ok` only for `kiosk staff change-password`), or their
    role is not in `roles`."""
    if env.staff is None:
        username = (env.staff_username or os.environ.get(STAFF_VARIABLE) or "").strip()
        if not username:
            fail(
                env.say(
                    N_(
                        "Este comando necesita saber quién lo ejecuta: indique --staff USUARIO "
                        "(o KIOSK_STAFF) y la contraseña."
                    )
                ),
                EXIT_REFUSED,
            )
        env.staff_password = _password(env, username)
        env.staff = env.store().login_staff(username, env.staff_password)
    if env.staff.must_change_password and not temporary_ok:
        from store.services.roles import password_change_required

        raise password_change_required()
    if roles is not None and env.staff.role not in roles:
        fail(
            env.say(
                N_("Su cuenta no tiene permiso para esta acción (se requiere: {roles})."),
                roles=", ".join(roles),
            ),
            EXIT_REFUSED,
        )
    return env.staff


def as_staff(
    roles: tuple[str, ...] | None = None, *, temporary_ok: bool = False
) -> Callable[[Callable[Concatenate[Env, StaffView, P], R]], Callable[P, R]]:
    """A command that acts as a staff member: adds `--staff`, and passes the `Env` and the
    logged-in `StaffView` first. `roles`: only for commands whose store call checks none;
    `temporary_ok`: the one command a temporary password may run (C10)."""

    def decorate(command: Callable[Concatenate[Env, StaffView, P], R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(env: Env, /, *args: P.args, **kwargs: P.kwargs) -> R:
            staff = acting_staff(env, roles, temporary_ok=temporary_ok)
            return command(env, staff, *args, **kwargs)

        return staff_option(pass_env(run))

    return decorate


def staff_or_setup(env: Env) -> Actor:
    """C12 for what also sets a store up (`catalog load`, the first `staff add`): the staff
    member named by --staff or $KIOSK_STAFF, logged in as for any command; with no one named,
    no one (the store allows that only while it has no staff account at all)."""
    from store.views import SYSTEM

    if (
        env.staff is None
        and not (env.staff_username or os.environ.get(STAFF_VARIABLE) or "").strip()
    ):
        return SYSTEM
    return acting_staff(env).actor


def office_scope(env: Env, staff: StaffView, office: str | None) -> str:
    """C9: the office this staff member acts for: their own when none is given; another is
    refused (exit 1). A national supervisor (no office) acts for any, and must name it.
    Returns the office's code as the store spells it (upper case)."""
    if office is None:
        if staff.office is None:
            fail(env.say(N_("Indique la oficina con --office CÓDIGO.")), EXIT_BAD_INPUT)
        return staff.office
    from store.validation import printable

    code = printable(office).upper()
    if staff.office is not None and code != staff.office.upper():
        fail(
            env.say(N_("Su cuenta actúa solo para la oficina {office}."), office=staff.office),
            EXIT_REFUSED,
        )
    return code
