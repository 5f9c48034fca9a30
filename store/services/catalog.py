"""The catalogue: regions, offices, procedures and what each office offers (B1–B4)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col

from store.models import Office, OfficeProcedure, Procedure, Region, Slot, WaitlistEntry
from store.services.context import Ctx
from store.services.lookups import office_views, procedure_by_code, procedure_view, region_by_code
from store.timefmt import in_zone
from store.views import Catalog, OfferingView, OfficeChoice, OfficeView, RegionView


def regions(ctx: Ctx) -> list[RegionView]:
    """B1: Chile's 16 regions, north to south as the catalogue lists them."""
    rows = ctx.session.scalars(sa.select(Region).order_by(col(Region.id))).all()
    return [RegionView(r.code, r.name, r.capital, r.time_zone) for r in rows]


def _next_free_and_waiting(
    ctx: Ctx,
) -> tuple[dict[tuple[int, int], datetime], dict[tuple[int, int], int]]:
    next_free = {
        (office_id, procedure_id): starts
        for office_id, procedure_id, starts in ctx.session.execute(
            sa.select(col(Slot.office_id), col(Slot.procedure_id), sa.func.min(col(Slot.starts_at)))
            .where(
                col(Slot.starts_at) > ctx.now,
                col(Slot.taken) < Slot.seats,
                sa.not_(col(Slot.blocked)),
            )
            .group_by(col(Slot.office_id), col(Slot.procedure_id))
        ).all()
    }
    waiting = {
        (office_id, procedure_id): count
        for office_id, procedure_id, count in ctx.session.execute(
            sa.select(
                col(WaitlistEntry.office_id), col(WaitlistEntry.procedure_id), sa.func.count()
            )
            .where(col(WaitlistEntry.status) == "waiting")
            .group_by(col(WaitlistEntry.office_id), col(WaitlistEntry.procedure_id))
        ).all()
    }
    return next_free, waiting


def _offerings(ctx: Ctx, office_filter: sa.ColumnElement[bool] | None = None) -> list[OfferingView]:
    query = (
        sa.select(
            Office,
            col(OfficeProcedure.procedure_id),
            col(OfficeProcedure.bookable),
            col(Procedure.code),
            col(OfficeProcedure.walk_in),
        )
        .join(OfficeProcedure, col(OfficeProcedure.office_id) == Office.id)
        .join(Procedure, col(Procedure.id) == OfficeProcedure.procedure_id)
        .order_by(col(Office.id), col(Procedure.id))
    )
    if office_filter is not None:
        query = query.where(office_filter)
    rows = ctx.session.execute(query).all()
    next_free, waiting = _next_free_and_waiting(ctx)
    views = {o.code: o for o in office_views(ctx, [row[0] for row in rows])}
    result = []
    for office, procedure_id, bookable, code, walk_in in rows:
        key = (office.id or 0, procedure_id)
        starts = next_free.get(key) if bookable else None
        result.append(
            OfferingView(
                office=views[office.code],
                procedure_code=code,
                bookable=bookable,
                next_free=in_zone(starts, office.time_zone) if starts else None,
                waiting=waiting.get(key, 0),
                walk_in=walk_in,
            )
        )
    return result


def catalog(ctx: Ctx) -> Catalog:
    """Everything a kiosk lists: regions, offices, procedures with documents, and offerings."""
    offices = ctx.session.scalars(sa.select(Office).order_by(col(Office.id))).all()
    procedures = ctx.session.scalars(sa.select(Procedure).order_by(col(Procedure.id))).all()
    return Catalog(
        regions=tuple(regions(ctx)),
        offices=tuple(office_views(ctx, offices)),
        procedures=tuple(procedure_view(ctx, p) for p in procedures),
        offerings=tuple(_offerings(ctx)),
    )


def offices_for(ctx: Ctx, region_code: str, procedure_code: str) -> OfficeChoice:
    """B3, B4: the region's offices that book this procedure, or where to go instead."""
    region = region_by_code(ctx, region_code)
    procedure = procedure_by_code(ctx, procedure_code)
    here = [
        o
        for o in _offerings(ctx, col(Office.region_id) == region.id)
        if o.procedure_code == procedure.code
    ]
    bookable = tuple(o for o in here if o.bookable)
    walk_in: tuple[OfficeView, ...] = ()
    if not bookable:
        # B4: the offices that serve it in person, or failing that any office of the region.
        in_person = [o.office for o in here]
        if not in_person:
            offices = ctx.session.scalars(
                sa.select(Office).where(col(Office.region_id) == region.id).order_by(col(Office.id))
            ).all()
            in_person = office_views(ctx, offices)
        walk_in = tuple(in_person)
    return OfficeChoice(
        region=RegionView(region.code, region.name, region.capital, region.time_zone),
        procedure=procedure_view(ctx, procedure),
        offerings=bookable,
        walk_in=walk_in,
    )
