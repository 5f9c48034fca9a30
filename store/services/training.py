"""A training store (issue 15 §2): made by `kiosk demo`, it says so on every screen, and only
it accepts what would forge legal dates or weaken passwords: a stood-still clock (`KIOSK_NOW`)
and fast password hashing. A real store refuses them before anything is written."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col

from store.errors import Refused
from store.models import StoreFact
from store.services.context import Ctx
from store.text import N_

PURPOSE = "purpose"
TRAINING = "training"


def is_training(ctx: Ctx) -> bool:
    value = ctx.session.scalar(sa.select(col(StoreFact.value)).where(col(StoreFact.key) == PURPOSE))
    return value == TRAINING


def mark_training(ctx: Ctx) -> None:
    """Set once, by the demo, on the empty store it fills."""
    ctx.session.merge(StoreFact(key=PURPOSE, value=TRAINING))


def require_training(ctx: Ctx, overrides: Sequence[str]) -> None:
    """Refuse `overrides` (the settings that name them) on a store that is not for training."""
    if overrides and not is_training(ctx):
        raise Refused(
            "-",
            "not_training",
            N_(
                "{settings}: solo en una base de datos de capacitación (creada con «kiosk demo»); "
                "esta es real. Quite ese ajuste; no se cambió nada."
            ),
            {"settings": ", ".join(overrides)},
        )
