"""Verification codes for new bookings (B7): fresh ones that no booking uses yet."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

import store.codes as codes
from store.models import Booking
from store.services.context import Ctx


def unique_codes(ctx: Ctx, count: int) -> list[str]:
    """`count` fresh verification codes that no booking uses yet (B7)."""
    fresh: set[str] = set()
    while len(fresh) < count:
        candidates = {codes.new_code() for _ in range(count - len(fresh))} - fresh
        taken = set()
        listed = list(candidates)
        for start in range(0, len(listed), 500):
            taken |= set(
                ctx.session.scalars(
                    sa.select(col(Booking.code)).where(
                        col(Booking.code).in_(listed[start : start + 500])
                    )
                )
            )
        fresh |= candidates - taken
    return list(fresh)
