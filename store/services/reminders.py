"""The day-before reminder (M4): one notice per booking in the mailbox (and the outbox, M3),
however often it runs, from any number of processes at once."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import col

from store.models import Booking, Office, Slot
from store.services import audit, mailbox
from store.services.booking import notice_params
from store.services.context import Ctx
from store.services.lookups import booking_view
from store.text import N_
from store.timefmt import in_zone

SUBJECT = N_("Recordatorio: {procedure}, el {date} a las {time}")
BODY = N_(
    "Le recordamos su hora para {procedure} el {date} a las {time} en {office} ({address}). "
    "Código de verificación: {code}. Traiga el comprobante impreso y los documentos indicados. "
    "Si no puede venir, anule la hora en un quiosco para que otra persona la aproveche."
)


def send_reminders(ctx: Ctx, day: date | None = None) -> int:
    """M4: remind every confirmed booking still to come on `day` (by default each office's
    tomorrow on its own clock) that was not reminded yet; returns how many were reminded.

    Each booking is claimed by one conditional update (`reminded_at IS NULL`), so running it
    twice, or from two processes at once, reminds each booking once."""
    due = sa.and_(
        col(Booking.status) == "confirmed",
        col(Booking.reminded_at).is_(None),
        col(Slot.id) == Booking.slot_id,
        col(Slot.starts_at) > ctx.now,
    )
    if day is not None:
        days = sa.and_(due, col(Slot.day) == day)
    else:
        zones = ctx.session.execute(sa.select(col(Office.id), col(Office.time_zone))).all()
        tomorrow = {zone: in_zone(ctx.now, zone).date() + timedelta(days=1) for _, zone in zones}
        days = sa.and_(
            due,
            sa.or_(
                *(
                    sa.and_(col(Booking.office_id) == office_id, col(Slot.day) == tomorrow[zone])
                    for office_id, zone in zones
                )
            ),
        )
    chosen = sa.select(col(Booking.id)).where(days).scalar_subquery()
    ids = ctx.session.scalars(
        sa.update(Booking)
        .where(col(Booking.id).in_(chosen), col(Booking.reminded_at).is_(None))
        .values(reminded_at=ctx.now)
        .returning(col(Booking.id))
        .execution_options(synchronize_session=False)
    ).all()
    if not ids:
        return 0
    bookings = ctx.session.scalars(
        sa.select(Booking).where(col(Booking.id).in_(ids)).order_by(col(Booking.id))
    ).all()
    notices = []
    for booking in bookings:
        view = booking_view(ctx, booking)
        notices.append(
            mailbox.NewNotice(
                booking.applicant_id,
                "reminder",
                SUBJECT,
                BODY,
                notice_params(view),
                booking_id=booking.id,
            )
        )
    mailbox.deposit_many(ctx, notices)
    audit.record_many(
        ctx,
        "booking.reminded",
        [(b.uuid, {"code": b.code, "slot": b.slot_id}) for b in bookings],
    )
    return len(ids)
