"""`kiosk waitlist enrol|list|withdraw`: automated assignment (W1–W4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import COUNTER_ROLES, as_staff
from kiosk.cli.applicants import applicant_id
from kiosk.cli.group import Env, cli, emit, json_option
from store.text import N_

if TYPE_CHECKING:
    from store.views import StaffView, WaitlistEntryView


def entry_json(e: WaitlistEntryView) -> dict[str, object]:
    """A place on the list: whose, where, and its position (1 is next)."""
    return {
        "applicant": e.document_number,
        "office": e.office,
        "procedure": e.procedure,
        "position": e.position,
        "enrolled_at": e.enrolled_at.isoformat(),
        "status": e.status,
    }


@cli.group()
def waitlist() -> None:
    """Automated assignment (the waitlist)."""


@waitlist.command("enrol")
@click.option("--applicant", "document", required=True)
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@json_option
@as_staff(COUNTER_ROLES)
def waitlist_enrol(
    env: Env, staff: StaffView, document: str, office: str, procedure: str, as_json: bool
) -> None:
    """Enrol an applicant (W1)."""
    entry = env.store().enrol(applicant_id(env, document), office, procedure, actor=staff.actor)
    emit(
        entry_json(entry),
        as_json,
        env.say(N_("Inscrito en el lugar {position}."), position=entry.position),
    )


@waitlist.command("list")
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@json_option
@as_staff(COUNTER_ROLES)
def waitlist_list(env: Env, staff: StaffView, office: str, procedure: str, as_json: bool) -> None:
    """The queue in enrolment order (W3)."""
    entries = env.store().waitlist(office, procedure, actor=staff.actor)
    emit(
        {"entries": [entry_json(e) for e in entries]},
        as_json,
        "\n".join(
            f"{e.position:4} {e.enrolled_at:%Y-%m-%d %H:%M} {e.document_number}" for e in entries
        ),
    )


@waitlist.command("withdraw")
@click.option("--applicant", "document", required=True)
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@json_option
@as_staff(COUNTER_ROLES)
def waitlist_withdraw(
    env: Env, staff: StaffView, document: str, office: str, procedure: str, as_json: bool
) -> None:
    """Remove an applicant from the list (W4): the place is lost."""
    entry = env.store().withdraw(applicant_id(env, document), office, procedure, actor=staff.actor)
    emit(entry_json(entry), as_json, env.say(N_("Inscripción eliminada; el lugar se perdió.")))
