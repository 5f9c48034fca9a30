"""Staff roles (C1): which there are, and the check that the acting staff member holds one."""

from __future__ import annotations

from collections.abc import Iterable

from store.errors import Refused
from store.models import Office, Staff
from store.services.context import Ctx
from store.text import N_

ROLES = ("agent", "supervisor", "auditor")


def password_change_required() -> Refused:
    """C10 (A9 for staff): nothing is done with a temporary password until it is replaced."""
    return Refused(
        "C10",
        "password_change_required",
        N_(
            "Su contraseña es temporal: cámbiela antes de seguir, en el mesón de atención o con "
            "«kiosk staff change-password»."
        ),
    )


def require_role(ctx: Ctx, roles: Iterable[str]) -> Staff:
    """The acting staff member, if their role allows the action; refused otherwise (and while
    their password is still a temporary one, C10)."""
    staff = ctx.session.get(Staff, ctx.actor.staff_id) if ctx.actor.staff_id else None
    allowed = tuple(roles)
    if staff is None or not staff.active or staff.role not in allowed:
        raise Refused(
            "C1",
            "not_allowed",
            N_("Su cuenta no tiene permiso para esta acción (se requiere: {roles})."),
            {"roles": ", ".join(allowed)},
        )
    if staff.must_change_password:
        raise password_change_required()
    return staff


def require_office(ctx: Ctx, office_id: int) -> None:
    """C9: staff of an office act for their own office only (its agenda, capacity, closures,
    figures); a national supervisor (no office) for all. Applicants and the system are not
    staff: their rules are elsewhere."""
    if ctx.actor.staff_id is None:
        return
    staff = ctx.session.get(Staff, ctx.actor.staff_id)
    if staff is None or staff.office_id is None or staff.office_id == office_id:
        return
    own = ctx.session.get(Office, staff.office_id)
    raise Refused(
        "C9",
        "other_office",
        N_("Su cuenta actúa solo para la oficina {office}."),
        {"office": own.code if own else "?"},
    )


def staff_office(ctx: Ctx) -> int | None:
    """C9: the office the acting staff member belongs to (None: national, or not staff)."""
    if ctx.actor.staff_id is None:
        return None
    staff = ctx.session.get(Staff, ctx.actor.staff_id)
    return staff.office_id if staff is not None else None


def require_office_code(ctx: Ctx, office_code: str) -> None:
    """C9 by office code (as the screens and the command line name an office)."""
    from store.services.lookups import office_by_code

    require_office(ctx, office_by_code(ctx, office_code).id or 0)
