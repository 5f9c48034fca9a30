"""Staff accounts (C1): agents, supervisors and auditors are created here and log in here."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

import store.validation as v
from store.errors import InvalidInput, Refused
from store.models import Office, Staff
from store.services import audit
from store.services.context import Ctx
from store.services.lookups import office_by_code
from store.services.passwords import check_password
from store.services.roles import ROLES
from store.text import N_
from store.views import StaffView


def staff_view(ctx: Ctx, staff: Staff) -> StaffView:
    office = ctx.session.get(Office, staff.office_id) if staff.office_id else None
    return StaffView(
        staff.id or 0, staff.username, staff.full_name, staff.role, office.code if office else None
    )


def create_staff(
    ctx: Ctx, username: str, full_name: str, role: str, password: str, office_code: str | None
) -> StaffView:
    """C1: a staff account with its own argon2-hashed password and a role."""
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
        created_at=ctx.now,
    )
    ctx.session.add(staff)
    try:
        ctx.session.flush()
    except IntegrityError:
        raise Refused("C1", "username_taken", N_("Ese nombre de usuario ya existe.")) from None
    audit.record(ctx, "staff.created", name, role=role)
    return staff_view(ctx, staff)


def login_staff(ctx: Ctx, username: str, password: str) -> StaffView | Refused:
    """C1, A11: staff log in with their own account; five failures lock it for 15 minutes."""
    name = v.printable(username).lower()
    staff = ctx.session.scalar(
        sa.select(Staff).where(col(Staff.username) == name, col(Staff.active))
    )
    if staff is None:
        return Refused("C1", "bad_credentials", N_("Usuario o contraseña incorrectos."))
    refusal = check_password(ctx, staff, password)
    if refusal is not None:
        audit.record(ctx, "staff.login_failed", name, reason=refusal.code)
        return refusal
    audit.record(ctx, "staff.login", name)
    return staff_view(ctx, staff)
