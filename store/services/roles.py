"""Staff roles (C1): which there are, and the check that the acting staff member holds one."""

from __future__ import annotations

from collections.abc import Iterable

from store.errors import Refused
from store.models import Staff
from store.services.context import Ctx
from store.text import N_

ROLES = ("agent", "supervisor", "auditor")


def require_role(ctx: Ctx, roles: Iterable[str]) -> Staff:
    """The acting staff member, if their role allows the action; refused otherwise."""
    staff = ctx.session.get(Staff, ctx.actor.staff_id) if ctx.actor.staff_id else None
    allowed = tuple(roles)
    if staff is None or not staff.active or staff.role not in allowed:
        raise Refused(
            "C1",
            "not_allowed",
            N_("Su cuenta no tiene permiso para esta acción (se requiere: {roles})."),
            {"roles": ", ".join(allowed)},
        )
    return staff
