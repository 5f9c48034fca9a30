"""K8: in assisted mode every applicant screen says who is being served and by whom, so that a
stray key never puts an agent, unnoticed, into a step for the person (or the person into a
step they did not ask for). Kept light: the welcome screen imports it through screens.base."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screens.text import _
from store.text import N_

if TYPE_CHECKING:
    from screens.host import Host

ROLE_NAMES = {"agent": N_("Agente"), "supervisor": N_("Supervisor/a"), "auditor": N_("Auditor/a")}


def assisting_line(host: Host) -> str | None:
    """ "Atendiendo a NAME · Agente NAME" while a staff member acts for a person at the desk;
    None at a kiosk (no staff member) and before anyone logs in at the desk."""
    staff = host.staff
    if staff is None:
        return None
    session = host.session
    role = _(ROLE_NAMES.get(staff.role, staff.role))
    if session is None:
        return _(
            "Modo asistido: registro de una persona nueva · {role} {staff}",
            role=role.lower(),
            staff=staff.full_name,
        )
    return _(
        "Atendiendo a {person} · {role} {staff}",
        person=session.applicant.full_name,
        role=role.lower(),
        staff=staff.full_name,
    )
