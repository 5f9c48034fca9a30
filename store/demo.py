"""The demo (`kiosk demo`): Chile's 16 regions, real-world offices and procedures, four weeks
of capacity, some applicants, two offerings full with people waiting, and staff accounts.

The catalogue is the set of plain data files in store/data/catalog/ (regions, offices,
procedures, documents, offerings), loaded as `kiosk catalog load` loads any such set; the
applicants and the staff are store/data/demo_applicants.csv and demo_staff.csv. This module
loads them and decides the capacity: which offerings get times, with how many seats, and which
are full.
Offices and addresses are realistic, not an official directory."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

import store.validation as v
from store.errors import InvalidInput, Refused
from store.models import Applicant, Office, OfficeProcedure, Procedure, Region
from store.services import booking, calendar, catalog_files, staff, waitlist
from store.services.accounts import TERMS_VERSION
from store.services.context import Ctx
from store.services.training import mark_training
from store.text import N_
from store.timefmt import fmt_date, in_zone

DATA = Path(__file__).parent / "data"
DEMO_APPLICANT_PASSWORD = "demo-kiosk-2026"
# Offerings with no free time: a few times, all booked, and people waiting behind them (W1).
FULL_OFFERINGS = (("STG", "RD"), ("VAP", "RT"))
# Offices whose times have two seats; one elsewhere.
LARGE_OFFICES = {"STG", "MAT", "PRV", "ANF", "VAP", "CCP"}


def read_rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file of store/data/, each a dictionary by column name."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_regions(session: Session) -> dict[str, tuple[int, str]]:
    """B1: Chile's 16 regions from the shipped catalogue; returns code -> (id, time zone).
    (The test catalogue of tests/factories.py starts from them.)"""
    loaded = {}
    for row in read_rows("catalog/regions.csv"):
        region = Region(
            code=row["code"],
            number=row["number"],
            name=row["name"],
            capital=row["capital"],
            time_zone=row["time_zone"],
        )
        session.add(region)
        session.flush()
        loaded[region.code] = (region.id or 0, region.time_zone)
    return loaded


def _offerings(ctx: Ctx) -> list[tuple[str, str, bool]]:
    """(office, procedure, bookable) in the catalogue's order."""
    return [
        (office, procedure, bookable)
        for office, procedure, bookable in ctx.session.execute(
            sa.select(col(Office.code), col(Procedure.code), col(OfficeProcedure.bookable))
            .join(Office, col(Office.id) == col(OfficeProcedure.office_id))
            .join(Procedure, col(Procedure.id) == col(OfficeProcedure.procedure_id))
            .order_by(col(Office.id), col(Procedure.id))
        ).all()
    ]


def load(ctx: Ctx, today: date | None = None) -> dict[str, object]:
    """Fill an empty database with the demo; refused when a catalogue is already there."""
    if ctx.session.scalar(sa.select(col(Region.id)).limit(1)) is not None:
        raise Refused(
            "-",
            "demo_loaded",
            N_("La base de datos ya tiene un catálogo; no se cargó la demostración."),
        )
    actual = in_zone(ctx.now, "America/Santiago").date()
    if today is not None and today < actual:
        # Its times would all have passed: nothing could be booked or assigned.
        raise InvalidInput(
            "today",
            N_("El día de la demostración no puede ser anterior a hoy ({date})."),
            {"date": fmt_date(actual)},
        )
    start = (today or actual) + timedelta(days=1)
    mark_training(ctx)  # its people, passwords and dates are for practice
    # The catalogue is the same plain data files a real store is set up from (issue 15 §2b).
    loaded = catalog_files.load(ctx, catalog_files.read_folder(DATA / "catalog"))
    santiago = ctx.session.scalar(sa.select(col(Region.id)).where(col(Region.code) == "CL-RM"))
    applicants = _applicants(ctx, santiago or 0)
    offerings = _offerings(ctx)
    created = 0
    for code, procedure_code, bookable in offerings:
        if not bookable or (code, procedure_code) in FULL_OFFERINGS:
            continue
        created += calendar.open_capacity(
            ctx,
            code,
            procedure_code,
            start,
            start + timedelta(days=27),
            "09:00-13:00",
            30,
            2 if code in LARGE_OFFICES else 1,
        ).created
    waiting = _full_offerings(ctx, start, applicants)
    accounts = read_rows("demo_staff.csv")
    for row in accounts:
        staff.create_staff(
            ctx, row["username"], row["full_name"], row["role"], row["password"], row["office"]
        )
    return {
        "regions": loaded["regions"]["added"],
        "offices": loaded["offices"]["added"],
        "procedures": loaded["procedures"]["added"],
        "slots": created,
        "applicants": len(applicants),
        "waiting": waiting,
        "staff": [(row["username"], row["role"], row["password"]) for row in accounts],
        "applicant_password": DEMO_APPLICANT_PASSWORD,
    }


def _applicants(ctx: Ctx, region_id: int) -> list[int]:
    password_hash = ctx.config.passwords.hash(DEMO_APPLICANT_PASSWORD)
    ids = []
    for row in read_rows("demo_applicants.csv"):
        normal = v.normalize_document(row["document_type"], row["document_number"])
        given, first, second = row["given_names"], row["first_surname"], row["second_surname"]
        applicant = Applicant(
            document_type=row["document_type"],
            document_number=normal,
            document_key=v.compact_document(normal),
            document_expiry=date.fromisoformat(row["document_expiry"]),
            nationality=row["nationality"],
            given_names=given,
            first_surname=first,
            second_surname=second,
            name_folded=v.fold(f"{given} {first} {second}"),
            email=row["email"],
            birth_date=date.fromisoformat(row["birth_date"]),
            region_id=region_id,
            password_hash=password_hash,
            must_change_password=False,
            terms_version=TERMS_VERSION,
            terms_accepted_at=ctx.now,
            created_at=ctx.now,
        )
        ctx.session.add(applicant)
        ctx.session.flush()
        ids.append(applicant.id or 0)
    return ids


def _full_offerings(ctx: Ctx, start: date, applicants: list[int]) -> int:
    """A few times for each full office, all booked, and people waiting behind them (W1)."""
    waiting = 0
    for (office_code, procedure_code), (bookers, waiters) in zip(
        FULL_OFFERINGS,
        ((applicants[:3], applicants[3:8]), (applicants[8:9], applicants[9:])),
        strict=True,
    ):
        # Exactly one time per booker, so that not one seat is left free.
        plan = calendar.plan_capacity(
            ctx, office_code, procedure_code, start, start + timedelta(days=13), "09:00-10:00", 60
        )
        for day in plan.days[: len(bookers)]:
            calendar.open_capacity(ctx, office_code, procedure_code, day, day, "09:00-10:00", 60, 1)
        slots = calendar.list_slots(
            ctx, office_code, procedure_code, start, start + timedelta(days=13)
        )
        for applicant_id, slot in zip(bookers, slots, strict=True):
            booked = booking.book(ctx, applicant_id, slot.id)
            if isinstance(booked, Refused):
                raise booked
        for days_ago, applicant_id in zip(range(40, 0, -7), waiters, strict=False):
            # Enrolled as anyone is (W1, with its notice in the mailbox), weeks ago: the unit of
            # work is the demo's, only its moment is the enrolment's.
            enrolled = datetime.combine(start - timedelta(days=days_ago), time(13, 0), tzinfo=UTC)
            waitlist.enrol(replace(ctx, now=enrolled), applicant_id, office_code, procedure_code)
            waiting += 1
    return waiting
