"""Staff accounts (C1, C10): created, logged in, and administered by supervisors.

C10: a supervisor creates, deactivates and unlocks the accounts of their own office and resets
a password; a national supervisor (no office) does so for every office. A created or reset
account gets a temporary password, to be replaced at first use (A9's rule, for staff). A
failed login reads the same, and costs the same argon2 work, whether the account exists or
not."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

import store.validation as v
from store.errors import InvalidInput, NotFound, Refused
from store.models import Office, Staff
from store.services import audit
from store.services.context import Ctx
from store.services.lookups import office_by_code
from store.services.passwords import (
    check_password,
    no_such_account,
    temporary_expired,
    temporary_until,
)
from store.services.roles import ROLES, require_role
from store.text import N_
from store.views import StaffPassword, StaffView


def staff_view(ctx: Ctx, staff: Staff) -> StaffView:
    office = ctx.session.get(Office, staff.office_id) if staff.office_id else None
    return StaffView(
        staff.id or 0,
        staff.username,
        staff.full_name,
        staff.role,
        office.code if office else None,
        must_change_password=staff.must_change_password,
        active=staff.active,
        locked_until=staff.locked_until,
    )


def create_staff(
    ctx: Ctx,
    username: str,
    full_name: str,
    role: str,
    password: str,
    office_code: str | None,
    *,
    temporary: bool = False,
) -> StaffView:
    """C1: a staff account with its own argon2-hashed password and a role (C10: `temporary`
    when a supervisor created it, so it must be changed at first use)."""
    name = v.printable(username).lower()
    if not name or not name.replace(".", "").replace("-", "").isalnum() or len(name) > 40:
        raise InvalidInput("username", N_("El usuario debe tener letras o dígitos, sin espacios."))
    if role not in ROLES:
        raise InvalidInput("role", N_("El rol debe ser agent, supervisor o auditor."))
    v.check_new_password(password)
    office_id = office_by_code(ctx, office_code).id if office_code else None
    staff = Staff(
        username=name,
        full_name=v.normalize_name("full_name", full_name),
        role=role,
        office_id=office_id,
        password_hash=ctx.config.passwords.hash(password),
        must_change_password=temporary,
        temporary_expires_at=temporary_until(ctx) if temporary else None,
        created_at=ctx.now,
    )
    ctx.session.add(staff)
    try:
        ctx.session.flush()
    except IntegrityError:
        raise Refused("C1", "username_taken", N_("Ese nombre de usuario ya existe.")) from None
    audit.record(ctx, "staff.created", name, role=role)
    return staff_view(ctx, staff)


def _bad_credentials() -> Refused:
    """C10: the one sentence for a failed staff login, whether the account exists or not."""
    return Refused("C10", "bad_credentials", N_("Usuario o contraseña incorrectos."))


def login_staff(ctx: Ctx, username: str, password: str) -> StaffView | Refused:
    """C1, A11: staff log in with their own account; five failures lock it for 15 minutes.
    C10: an unknown or deactivated account reads, and takes as long, as a wrong password."""
    name = v.printable(username).lower()
    staff = ctx.session.scalar(
        sa.select(Staff).where(col(Staff.username) == name, col(Staff.active))
    )
    if staff is None:
        # Audited like a wrong password (the same write), never with the name typed: people
        # type their password in the user field.
        audit.record(ctx, "staff.login_failed", "unknown", reason="bad_credentials")
        return no_such_account(ctx, password, _bad_credentials())
    refusal = check_password(ctx, staff, password, _bad_credentials())
    refusal = refusal or temporary_expired(
        ctx,
        staff,
        N_(
            "Su contraseña temporal venció ({hours} horas después de entregada): pida a una "
            "supervisora o supervisor que la restablezca."
        ),
    )
    if refusal is not None:
        audit.record(ctx, "staff.login_failed", name, reason=refusal.code)
        return refusal
    audit.record(ctx, "staff.login", name)
    return staff_view(ctx, staff)


def change_staff_password(ctx: Ctx, staff_id: int, current: str, new: str) -> StaffView:
    """A9 for staff (C10): replace the password, forced after a temporary one; at least 8
    characters, not the current one."""
    staff = _locked_row(ctx, sa.select(Staff).where(col(Staff.id) == staff_id))
    if staff is None or not staff.active:
        raise _bad_credentials()
    if not ctx.config.passwords.verify(staff.password_hash, current):
        raise InvalidInput("current_password", N_("La contraseña actual no es correcta."))
    v.check_new_password(new, old=current)
    staff.password_hash = ctx.config.passwords.hash(new)
    staff.must_change_password = False
    staff.temporary_expires_at = None
    audit.record(ctx, "staff.password_changed", staff.username)
    return staff_view(ctx, staff)


# -- C10: administration by supervisors ------------------------------------------------------


def _locked_row(ctx: Ctx, query: sa.Select[Any]) -> Staff | None:
    """The one account `query` finds, locked for the change (PostgreSQL; SQLite's write
    transaction already is)."""
    if ctx.is_postgres:
        query = query.with_for_update()
    found: Staff | None = ctx.session.scalar(query)
    return found


def has_staff(ctx: Ctx) -> bool:
    """Whether any staff account exists (a store just set up has none). Asked by no one (the
    set-up path), it also takes the staff table's lock on PostgreSQL until the commit, so two
    first accounts created at once cannot both see an empty table (SQLite: one writer)."""
    if ctx.actor.staff_id is None and ctx.is_postgres:
        ctx.session.execute(sa.text("LOCK TABLE staff IN SHARE ROW EXCLUSIVE MODE"))
    return ctx.session.scalar(sa.select(col(Staff.id)).limit(1)) is not None


def require_catalog_admin(ctx: Ctx) -> None:
    """C9, C12: the catalogue is national; a national supervisor loads it. On a store being
    set up, before any staff account exists, no one needs to (like `db upgrade`)."""
    if ctx.actor.staff_id is None:
        if has_staff(ctx):
            raise Refused(
                "C12",
                "staff_only",
                N_(
                    "Esta base de datos ya tiene cuentas del personal: el catálogo lo carga una "
                    "supervisora o supervisor nacional (--staff USUARIO o KIOSK_STAFF)."
                ),
            )
        return
    admin = _administrator(ctx)
    if admin.office_id is not None:
        raise Refused(
            "C9",
            "national_only",
            N_("El catálogo es nacional: lo carga una supervisora o supervisor sin oficina."),
        )


def _administrator(ctx: Ctx) -> Staff:
    """C10: the acting staff member, who must be a supervisor."""
    if ctx.actor.staff_id is None:  # C12: no one named, on a store that has staff
        raise Refused(
            "C12",
            "staff_only",
            N_(
                "Este comando necesita saber quién lo ejecuta: indique --staff USUARIO "
                "(o KIOSK_STAFF) y la contraseña."
            ),
        )
    return require_role(ctx, ("supervisor",))


def _office_code(ctx: Ctx, office_id: int | None) -> str | None:
    office = ctx.session.get(Office, office_id) if office_id else None
    return office.code if office else None


def _check_scope(ctx: Ctx, admin: Staff, office_id: int | None) -> None:
    """C9, C10: a supervisor of an office acts for that office only; a national one for all."""
    if admin.office_id is not None and office_id != admin.office_id:
        raise Refused(
            "C10",
            "other_office",
            N_("Su cuenta actúa solo para la oficina {office}."),
            {"office": _office_code(ctx, admin.office_id)},
        )


def _account(ctx: Ctx, admin: Staff, username: str) -> Staff:
    """The account a supervisor may administer, by user name, locked for the change."""
    name = v.printable(username).lower()
    staff = _locked_row(ctx, sa.select(Staff).where(col(Staff.username) == name))
    if staff is None:
        raise NotFound("staff_not_found", N_("No hay una cuenta del personal con ese usuario."))
    _check_scope(ctx, admin, staff.office_id)
    return staff


def _refuse_inactive(staff: Staff) -> None:
    if not staff.active:
        raise Refused(
            "C10", "deactivated", N_("La cuenta {user} está desactivada."), {"user": staff.username}
        )


def add_staff(
    ctx: Ctx, username: str, full_name: str, role: str, office_code: str | None
) -> StaffPassword:
    """C10: a supervisor creates an account of their office (by default theirs; a national
    supervisor names one, or none for a national account) with a temporary password.

    Setting up a real store (issue 15 §2b): on a store with no staff account at all, the
    first one is created without anyone acting, and must be a national supervisor."""
    if ctx.actor.staff_id is None and not has_staff(ctx):
        if role != "supervisor" or (office_code is not None and v.printable(office_code)):
            raise Refused(
                "C10",
                "first_account",
                N_(
                    "La primera cuenta de una base de datos nueva es de una supervisora o "
                    "supervisor nacional: --role supervisor, sin --office."
                ),
            )
        office_id = None
    else:
        admin = _administrator(ctx)
        if office_code is None or not v.printable(office_code):
            office_id = admin.office_id
        else:
            office_id = office_by_code(ctx, office_code).id
        _check_scope(ctx, admin, office_id)
        if office_id is None and role == "agent":
            raise InvalidInput(
                "office", N_("Un agente atiende en una oficina: indique cuál (--office CÓDIGO).")
            )
    temporary = ctx.config.passwords.temporary()
    view = create_staff(
        ctx, username, full_name, role, temporary, _office_code(ctx, office_id), temporary=True
    )
    return StaffPassword(view, temporary)


def list_staff(ctx: Ctx, office_code: str | None) -> list[StaffView]:
    """C10: the accounts of an office (the supervisor's own by default; a national supervisor
    sees every account without one), active first, by name."""
    admin = _administrator(ctx)
    query = sa.select(Staff)
    if office_code is not None and v.printable(office_code):
        office_id = office_by_code(ctx, office_code).id
        _check_scope(ctx, admin, office_id)
        query = query.where(col(Staff.office_id) == office_id)
    elif admin.office_id is not None:
        query = query.where(col(Staff.office_id) == admin.office_id)
    rows = ctx.session.scalars(
        query.order_by(col(Staff.active).desc(), col(Staff.full_name), col(Staff.username))
    )
    return [staff_view(ctx, s) for s in rows]


def deactivate_staff(ctx: Ctx, username: str) -> StaffView:
    """C10: the account can no longer log in (its audit trail stays); not one's own."""
    admin = _administrator(ctx)
    staff = _account(ctx, admin, username)
    if staff.id == admin.id:
        raise Refused(
            "C10", "own_account", N_("No puede desactivar su propia cuenta: pídaselo a otro/a.")
        )
    _refuse_inactive(staff)
    staff.active = False
    staff.deactivated_at = ctx.now
    audit.record(ctx, "staff.deactivated", staff.username)
    return staff_view(ctx, staff)


def unlock_staff(ctx: Ctx, username: str) -> StaffView:
    """C10, A11: end a lockout before its 15 minutes are over."""
    admin = _administrator(ctx)
    staff = _account(ctx, admin, username)
    _refuse_inactive(staff)
    was_locked = staff.locked_until is not None and staff.locked_until > ctx.now
    staff.failed_logins = 0
    staff.locked_until = None
    audit.record(ctx, "staff.unlocked", staff.username, was_locked=was_locked)
    return staff_view(ctx, staff)


def reset_staff_password(ctx: Ctx, username: str) -> StaffPassword:
    """C10: a new temporary password (shown once, never stored), to be changed at first use;
    the account is unlocked too, as after an applicant's recovery (A10)."""
    admin = _administrator(ctx)
    staff = _account(ctx, admin, username)
    _refuse_inactive(staff)
    temporary = ctx.config.passwords.temporary()
    staff.password_hash = ctx.config.passwords.hash(temporary)
    staff.must_change_password = True
    staff.temporary_expires_at = temporary_until(ctx)
    staff.failed_logins = 0
    staff.locked_until = None
    audit.record(ctx, "staff.password_reset", staff.username)
    return StaffPassword(staff_view(ctx, staff), temporary)
