"""`kiosk outbox send` and `kiosk reminders send`: e-mail that leaves the office (M3) and the
day-before reminders (M4).

Both act as a staff member (C12): a cron job or a systemd timer runs them with a staff account
of its own (`KIOSK_STAFF` and `KIOSK_STAFF_PASSWORD` in the timer's environment file). A
counter desk that is running does both by itself every minute, so an office with a counter
needs neither. `outbox send` exits 0 when some sends failed: the counts say so, and the
failed e-mails are retried at the next run after their backoff."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import COUNTER_ROLES, as_staff
from kiosk.cli.group import EXIT_BAD_INPUT, Env, cli, emit, fail, json_option, parse_day
from kiosk.i18n import translator
from store.text import N_

if TYPE_CHECKING:
    from store.views import StaffView


@cli.group()
def outbox() -> None:
    """E-mail waiting to leave (M3)."""


@outbox.command("send")
@json_option
@as_staff(COUNTER_ROLES)
def outbox_send(env: Env, staff: StaffView, as_json: bool) -> None:
    """Send the e-mails that are due: {"sent", "failed", "pending"} (exit 0 even when some
    sends failed; they are tried again later)."""
    mailer = env.settings.make_mailer()
    if mailer is None:
        fail(
            env.say(
                N_(
                    "El correo no está configurado: defina KIOSK_SMTP_URL y KIOSK_MAIL_FROM "
                    "para enviar avisos por correo."
                )
            ),
            EXIT_BAD_INPUT,
        )
    run = env.store().deliver_outbox(mailer, translator, actor=staff.actor)
    emit(
        {"sent": run.sent, "failed": run.failed, "pending": run.pending},
        as_json,
        env.say(
            N_("Enviados: {sent}. Fallidos: {failed}. Pendientes: {pending}."),
            sent=run.sent,
            failed=run.failed,
            pending=run.pending,
        ),
    )


@cli.group()
def reminders() -> None:
    """The day-before reminders (M4)."""


@reminders.command("send")
@click.option("--day", help="The appointments' day (default: each office's tomorrow).")
@json_option
@as_staff(COUNTER_ROLES)
def reminders_send(env: Env, staff: StaffView, day: str | None, as_json: bool) -> None:
    """Remind the appointments of a day, once per booking: {"reminded": n}. Run it the day
    before."""
    count = env.store().send_reminders(parse_day("day", day), actor=staff.actor)
    emit(
        {"reminded": count},
        as_json,
        env.t(N_("Recordatorios enviados: {count}.")).format(count=count),
    )
