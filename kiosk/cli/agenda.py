"""`kiosk agenda [close-day]` and `kiosk checkin|attended|missed`: the counter's day (C5, C11).

Each acts as a staff member for their own office (C9, C12): `--office` defaults to it, and a
national supervisor names one. The store checks the roles: the counter's work needs an agent or
a supervisor; closing a day, a supervisor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import COUNTER_ROLES, acting_staff, as_staff, office_scope, staff_option
from kiosk.cli.group import Env, cli, emit, iso, json_option, parse_day
from store.codes import display_code
from store.text import N_

if TYPE_CHECKING:
    from store.views import AgendaRow, StaffView

office_option = click.option("--office", help="Office code (default: your office).")


def row_json(r: AgendaRow) -> dict[str, object]:
    """One appointment of the day (document masked, K6); `missable_at`: from when "did not
    come" may be marked (C11)."""
    return {
        "code": display_code(r.code),
        "start": r.start.strftime("%H:%M"),
        "applicant": r.applicant_name,
        "document": r.document,
        "procedure": r.procedure,
        "status": r.status,
        "checked_in_at": iso(r.checked_in_at),
        "missable_at": iso(r.missable_at),
    }


def row_line(r: AgendaRow) -> str:
    return f"{r.start:%H:%M} {display_code(r.code)} {r.status:10} {r.procedure:4} {r.applicant_name} {r.document}"


@cli.group(invoke_without_command=True)
@office_option
@click.option("--day", help="The day (default: the office's today).")
@json_option
@staff_option
@click.pass_context
def agenda(ctx: click.Context, office: str | None, day: str | None, as_json: bool) -> None:
    """An office's appointments of one day (C5); `agenda close-day` ends a day (C11)."""
    if ctx.invoked_subcommand is not None:
        return
    env = ctx.find_object(Env)
    assert env is not None
    staff = acting_staff(env, COUNTER_ROLES)
    code = office_scope(env, staff, office)
    when = parse_day("day", day)
    store = env.store()
    rows = store.agenda(code, when, actor=staff.actor)
    if when is None:  # the office's today, on its own wall clock
        from store.timefmt import in_zone

        zone = next(o.time_zone for o in store.catalog().offices if o.code == code)
        when = in_zone(store.clock.now(), zone).date()
    emit(
        {
            "office": code,
            "day": when.isoformat(),
            "appointments": [row_json(r) for r in rows],
        },
        as_json,
        "\n".join(row_line(r) for r in rows),
    )


@agenda.command("close-day")
@office_option
@click.option("--day", required=True)
@json_option
@as_staff()
def agenda_close_day(
    env: Env, staff: StaffView, office: str | None, day: str, as_json: bool
) -> None:
    """Mark the day's remaining bookings missed once their time plus the grace has passed
    (C11); later ones are left and counted."""
    code = office_scope(env, staff, office)
    when = parse_day("day", day)
    assert when is not None
    closed = env.store().close_day(code, when, actor=staff.actor)
    emit(
        {"day": closed.day.isoformat(), "marked": closed.marked, "left": closed.left},
        as_json,
        env.say(
            N_("Día {day} cerrado: {marked} marcadas como no presentadas; {left} pendientes."),
            day=closed.day.isoformat(),
            marked=closed.marked,
            left=closed.left,
        ),
    )


def _done(env: Env, row: AgendaRow, as_json: bool) -> None:
    emit(row_json(row), as_json, row_line(row))


@cli.command()
@click.argument("code_or_document", metavar="CODE")
@office_option
@json_option
@as_staff()
def checkin(
    env: Env, staff: StaffView, code_or_document: str, office: str | None, as_json: bool
) -> None:
    """Check an arrival in by booking code or document (C5)."""
    row = env.store().check_in(
        office_scope(env, staff, office), code_or_document, actor=staff.actor
    )
    _done(env, row, as_json)


@cli.command()
@click.argument("code")
@office_option
@json_option
@as_staff()
def attended(env: Env, staff: StaffView, code: str, office: str | None, as_json: bool) -> None:
    """Mark a checked-in appointment attended (C5)."""
    row = env.store().mark_attended(office_scope(env, staff, office), code, actor=staff.actor)
    _done(env, row, as_json)


@cli.command()
@click.argument("code")
@office_option
@click.option("--undo", is_flag=True, help="Undo a 'did not come' marked by mistake (same day).")
@json_option
@as_staff()
def missed(
    env: Env, staff: StaffView, code: str, office: str | None, undo: bool, as_json: bool
) -> None:
    """Mark that the person did not come, once their time plus the office's grace has passed
    (C11); --undo takes it back the same day."""
    scope = office_scope(env, staff, office)
    store = env.store()
    if undo:
        row = store.undo_missed(scope, code, actor=staff.actor)
    else:
        row = store.mark_missed(scope, code, actor=staff.actor)
    _done(env, row, as_json)
