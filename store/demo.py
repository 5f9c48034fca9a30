"""The demo (`kiosk demo`): Chile's 16 regions, real-world offices and procedures, four weeks
of capacity, some applicants, two offerings full with people waiting, and staff accounts.

The catalogue, the applicants and the staff are data files in store/data/: regions_cl.csv,
demo_offices.csv, demo_procedures.csv (each naming its documents by key in
demo_documents.csv), demo_applicants.csv and demo_staff.csv. This module loads them and decides
the capacity: which offerings get times, with how many seats, and which are full.
Offices and addresses are realistic, not an official directory."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

import store.validation as v
from store.errors import InvalidInput, Refused
from store.models import (
    Applicant,
    Office,
    OfficeProcedure,
    Procedure,
    ProcedureDocument,
    Region,
    WaitlistEntry,
)
from store.services import booking, calendar, staff
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
    """B1: Chile's 16 regions from the shipped CSV; returns code -> (id, time zone)."""
    loaded = {}
    for row in read_rows("regions_cl.csv"):
        region = Region(
            code=row["iso_code"],
            number=row["number"],
            name=row["name"],
            capital=row["capital"],
            time_zone=row["time_zone"],
        )
        session.add(region)
        session.flush()
        loaded[region.code] = (region.id or 0, region.time_zone)
    return loaded


def _load_procedures(session: Session) -> tuple[dict[str, int], dict[str, set[str]]]:
    """The procedures with the documents to bring, in order (B2). Returns code -> id, and the
    procedures booked only at some offices (B4): code -> those offices' codes."""
    documents = {
        row["key"]: (row["text"], row["text_en"]) for row in read_rows("demo_documents.csv")
    }
    ids: dict[str, int] = {}
    bookable_only_at: dict[str, set[str]] = {}
    for row in read_rows("demo_procedures.csv"):
        procedure = Procedure(
            code=row["code"], name=row["name"], name_en=row["name_en"], minutes=int(row["minutes"])
        )
        session.add(procedure)
        session.flush()
        ids[procedure.code] = procedure.id or 0
        for position, key in enumerate(row["documents"].split(), start=1):
            text, text_en = documents[key]
            session.add(
                ProcedureDocument(
                    procedure_id=procedure.id or 0, position=position, text=text, text_en=text_en
                )
            )
        if row["bookable_only_at"]:
            bookable_only_at[procedure.code] = set(row["bookable_only_at"].split())
    return ids, bookable_only_at


def _load_offices(
    session: Session,
    region_ids: dict[str, tuple[int, str]],
    procedure_ids: dict[str, int],
    bookable_only_at: dict[str, set[str]],
) -> list[str]:
    """The offices, each offering every procedure, bookable or in person only (B4). Returns
    their codes in order."""
    codes = []
    for row in read_rows("demo_offices.csv"):
        region_id, time_zone = region_ids[row["region"]]
        office = Office(
            code=row["code"],
            name=row["name"],
            region_id=region_id or 0,
            address=row["address"],
            time_zone=time_zone,
            opens_at=time.fromisoformat(row["opens_at"]),
            closes_at=time.fromisoformat(row["closes_at"]),
            cancel_policy=row["cancel_policy"],
            cancel_hours=int(row["cancel_hours"]),
        )
        session.add(office)
        session.flush()
        codes.append(office.code)
        for procedure_code, procedure_id in procedure_ids.items():
            only = bookable_only_at.get(procedure_code)
            session.add(
                OfficeProcedure(
                    office_id=office.id or 0,
                    procedure_id=procedure_id,
                    bookable=only is None or office.code in only,
                )
            )
    return codes


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
    region_ids = load_regions(ctx.session)
    procedure_ids, bookable_only_at = _load_procedures(ctx.session)
    office_codes = _load_offices(ctx.session, region_ids, procedure_ids, bookable_only_at)
    ctx.session.flush()
    applicants = _applicants(ctx, region_ids["CL-RM"][0] or 0)
    created = 0
    for code in office_codes:
        for procedure_code in procedure_ids:
            only = bookable_only_at.get(procedure_code)
            if (only is not None and code not in only) or (code, procedure_code) in FULL_OFFERINGS:
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
        "regions": len(region_ids),
        "offices": len(office_codes),
        "procedures": len(procedure_ids),
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
            booking.book(ctx, applicant_id, slot.id)
        office = ctx.session.scalar(sa.select(Office).where(col(Office.code) == office_code))
        procedure = ctx.session.scalar(
            sa.select(Procedure).where(col(Procedure.code) == procedure_code)
        )
        assert office and procedure
        for days_ago, applicant_id in zip(range(40, 0, -7), waiters, strict=False):
            enrolled = datetime.combine(start - timedelta(days=days_ago), time(13, 0), tzinfo=UTC)
            ctx.session.add(
                WaitlistEntry(
                    uuid=str(uuid.uuid4()),
                    applicant_id=applicant_id,
                    office_id=office.id or 0,
                    procedure_id=procedure.id or 0,
                    enrolled_at=enrolled,
                    ranked_at=enrolled,
                )
            )
            waiting += 1
    return waiting
