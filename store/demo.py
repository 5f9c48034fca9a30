"""The demo catalogue (`kiosk demo`): Chile's 16 regions, real-world offices and procedures,
four weeks of capacity, some applicants, one office full with people waiting, and staff.

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
from store.errors import Refused
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
from store.text import N_
from store.timefmt import in_zone

DEMO_APPLICANT_PASSWORD = "demo-kiosk-2026"
STAFF = (
    ("agente", "Camila Rojas Fuentes", "agent", "agente-demo-2026"),
    ("supervisora", "Paula Ñancupil Soto", "supervisor", "supervisora-demo-2026"),
    ("auditor", "Joaquín Díaz O’Ryan", "auditor", "auditor-demo-2026"),
)
FULL_OFFERINGS = (("STG", "RD"), ("VAP", "RT"))

_PASSPORT = "Pasaporte vigente (original)"
_PASSPORT_EN = "Valid passport (original)"
_PHOTO = "Fotografía a color tamaño carné, fondo blanco"
_PHOTO_EN = "Colour passport-size photograph, white background"

# code, Spanish name, English name, minutes, [(document es, document en)]
PROCEDURES = (
    (
        "RT",
        "Solicitud de residencia temporal",
        "Temporary residence application",
        30,
        [
            (_PASSPORT, _PASSPORT_EN),
            (
                "Certificado de antecedentes penales del país de origen, apostillado",
                "Criminal record certificate from the country of origin, apostilled",
            ),
            (
                "Documento que acredite el motivo: contrato de trabajo, matrícula o vínculo familiar",
                "Proof of the reason: employment contract, enrolment or family tie",
            ),
            (_PHOTO, _PHOTO_EN),
        ],
    ),
    (
        "RD",
        "Solicitud de residencia definitiva",
        "Permanent residence application",
        30,
        [
            (_PASSPORT, _PASSPORT_EN),
            ("Cédula de identidad para extranjeros vigente", "Valid foreigner identity card"),
            (
                "Certificado de antecedentes para fines especiales (Registro Civil)",
                "Criminal record certificate for special purposes (Civil Registry)",
            ),
            (
                "Certificado de viajes emitido por la PDI",
                "Travel record certificate issued by the PDI",
            ),
            (
                "Acreditación de medios de vida: liquidaciones de sueldo o declaración de impuestos",
                "Proof of means of support: payslips or tax return",
            ),
        ],
    ),
    (
        "EST",
        "Estampado electrónico de residencia",
        "Electronic residence stamping",
        15,
        [
            (_PASSPORT, _PASSPORT_EN),
            ("Resolución de residencia otorgada, impresa", "Printed residence resolution"),
        ],
    ),
    (
        "PT",
        "Permiso de trabajo con residencia en trámite",
        "Work permit while the residence application is in process",
        20,
        [
            (_PASSPORT, _PASSPORT_EN),
            (
                "Comprobante de solicitud de residencia en trámite",
                "Receipt of the pending residence application",
            ),
            (
                "Contrato de trabajo firmado ante notario",
                "Employment contract signed before a notary",
            ),
        ],
    ),
    (
        "PR",
        "Prórroga de permanencia transitoria",
        "Extension of temporary stay",
        20,
        [
            (_PASSPORT, _PASSPORT_EN),
            ("Tarjeta o registro de ingreso al país", "Entry card or record of entry into Chile"),
            ("Comprobante de pago del derecho de prórroga", "Receipt of the extension fee payment"),
        ],
    ),
    (
        "CD",
        "Actualización de datos o de pasaporte",
        "Update of personal data or passport",
        15,
        [
            ("Pasaporte nuevo y pasaporte anterior", "New passport and previous passport"),
            ("Cédula de identidad para extranjeros", "Foreigner identity card"),
        ],
    ),
    (
        "CR",
        "Certificado de residencia",
        "Residence certificate",
        15,
        [
            (
                "Cédula de identidad para extranjeros o pasaporte",
                "Foreigner identity card or passport",
            ),
        ],
    ),
    (
        "NAC",
        "Carta de nacionalización",
        "Naturalisation (carta de nacionalización)",
        45,
        [
            (_PASSPORT, _PASSPORT_EN),
            (
                "Certificado de residencia definitiva con más de cinco años",
                "Permanent residence certificate of more than five years",
            ),
            ("Certificado de nacimiento apostillado", "Apostilled birth certificate"),
            (_PHOTO, _PHOTO_EN),
        ],
    ),
    (
        "REF",
        "Solicitud de reconocimiento de la condición de refugiado",
        "Application for recognition of refugee status",
        45,
        [
            (
                "Cualquier documento de identidad que tenga; si no tiene ninguno, venga igual",
                "Any identity document you have; if you have none, come anyway",
            ),
        ],
    ),
)

# code, name, region, address, cancellation policy (None = "never", else hours before)
OFFICES = (
    ("ARI", "Oficina Arica", "CL-AP", "Avenida 21 de Mayo 345, Arica", 24),
    ("IQQ", "Oficina Iquique", "CL-TA", "Serrano 145, Iquique", 24),
    ("ANF", "Oficina Antofagasta", "CL-AN", "Avenida Grecia 1550, Antofagasta", 24),
    ("CJC", "Oficina Calama", "CL-AN", "Vicuña Mackenna 1899, Calama", 24),
    ("CPO", "Oficina Copiapó", "CL-AT", "Atacama 810, Copiapó", 24),
    ("LSC", "Oficina La Serena", "CL-CO", "Cordovez 551, La Serena", 24),
    ("VAP", "Oficina Valparaíso", "CL-VS", "Melgarejo 669, Valparaíso", None),
    ("VDM", "Oficina Viña del Mar", "CL-VS", "Arlegui 440, Viña del Mar", 24),
    ("STG", "Oficina Santiago Centro", "CL-RM", "San Antonio 580, Santiago", 48),
    ("MAT", "Oficina Matucana", "CL-RM", "Avenida Matucana 1206, Estación Central", 48),
    ("PRV", "Oficina Providencia", "CL-RM", "Avenida Providencia 2330, Providencia", 24),
    ("MAI", "Oficina Maipú", "CL-RM", "Avenida Pajaritos 1920, Maipú", 24),
    ("PTA", "Oficina Puente Alto", "CL-RM", "José Luis Coo 0185, Puente Alto", 24),
    ("MEL", "Oficina Melipilla", "CL-RM", "Serrano 395, Melipilla", 24),
    ("RAN", "Oficina Rancagua", "CL-LI", "Campos 241, Rancagua", 24),
    ("TLX", "Oficina Talca", "CL-ML", "1 Poniente 1150, Talca", 24),
    ("CHL", "Oficina Chillán", "CL-NB", "Libertad 520, Chillán", 24),
    ("CCP", "Oficina Concepción", "CL-BI", "Aníbal Pinto 442, Concepción", 24),
    ("TCO", "Oficina Temuco", "CL-AR", "Manuel Bulnes 590, Temuco", 24),
    ("VLD", "Oficina Valdivia", "CL-LR", "Arauco 371, Valdivia", 24),
    ("PMC", "Oficina Puerto Montt", "CL-LL", "Avenida Décima Región 480, Puerto Montt", 24),
    ("OSO", "Oficina Osorno", "CL-LL", "O’Higgins 667, Osorno", 24),
    ("COY", "Oficina Coyhaique", "CL-AI", "Avenida Ogana 1060, Coyhaique", 24),
    ("PUQ", "Oficina Punta Arenas", "CL-MA", "Lautaro Navarro 1100, Punta Arenas", 24),
)
# Procedures booked only where the specialised teams sit; elsewhere they are served in person (B4).
BOOKABLE_ONLY_AT = {"NAC": {"STG"}, "REF": {"ARI", "IQQ", "ANF", "STG"}}
LARGE_OFFICES = {"STG", "MAT", "PRV", "ANF", "VAP", "CCP"}

# document type, number, nationality, given names, first surname, second surname, e-mail, birth
APPLICANTS = (
    (
        "passport",
        "V31456789",
        "VE",
        "José Antonio",
        "Muñoz",
        "Pérez",
        "jose.munoz@correo.cl",
        "1988-04-12",
    ),
    (
        "passport",
        "HT4427181",
        "HT",
        "Wyddeline Ñusta",
        "Désir",
        "Saint-Fleur",
        "wyddeline@correo.cl",
        "1993-09-30",
    ),
    (
        "cedula",
        "25.123.456-6",
        "PE",
        "María José",
        "Quispe",
        "Huamán",
        "mjquispe@correo.cl",
        "1979-01-05",
    ),
    (
        "passport",
        "AX9981234",
        "CO",
        "Luz Ángela",
        "O’Neill",
        "Cárdenas",
        "luz.oneill@correo.cl",
        "2001-11-17",
    ),
    (
        "passport",
        "BO551200",
        "BO",
        "Juan Carlos",
        "Mamani",
        "Mamani",
        "jcmamani@correo.cl",
        "1985-06-21",
    ),
    ("passport", "E87654321", "CN", "Wei", "Zhang", "Zhang", "wei.zhang@correo.cl", "1990-02-14"),
    (
        "cedula",
        "26.456.789-0",
        "HT",
        "Jean-Baptiste",
        "Pierre",
        "Louis",
        "jb.pierre@correo.cl",
        "1982-12-01",
    ),
    (
        "passport",
        "RD1122334",
        "DO",
        "Ana Lucía",
        "Peña",
        "Núñez",
        "analucia.pena@correo.cl",
        "1996-08-08",
    ),
    (
        "passport",
        "AR7788990",
        "AR",
        "Martín",
        "Gómez",
        "Gómez",
        "martin.gomez@correo.cl",
        "1975-03-03",
    ),
    (
        "passport",
        "EC3344556",
        "EC",
        "Fernanda",
        "Zambrano",
        "Vélez",
        "fer.zambrano@correo.cl",
        "1999-10-10",
    ),
)


def load_regions(session: Session) -> dict[str, tuple[int, str]]:
    """B1: Chile's 16 regions from the shipped CSV; returns code -> (id, time zone)."""
    with (Path(__file__).parent / "data" / "regions_cl.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    loaded = {}
    for row in rows:
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


def load(ctx: Ctx, today: date | None = None) -> dict[str, object]:
    """Fill an empty database with the demo; refused when a catalogue is already there."""
    if ctx.session.scalar(sa.select(col(Region.id)).limit(1)) is not None:
        raise Refused(
            "-",
            "demo_loaded",
            N_("La base de datos ya tiene un catálogo; no se cargó la demostración."),
        )
    start = (today or in_zone(ctx.now, "America/Santiago").date()) + timedelta(days=1)
    region_ids = load_regions(ctx.session)
    procedure_ids = {}
    for code, name, name_en, minutes, documents in PROCEDURES:
        procedure = Procedure(code=code, name=name, name_en=name_en, minutes=minutes)
        ctx.session.add(procedure)
        ctx.session.flush()
        procedure_ids[code] = procedure.id
        for position, (text, text_en) in enumerate(documents, start=1):
            ctx.session.add(
                ProcedureDocument(
                    procedure_id=procedure.id or 0, position=position, text=text, text_en=text_en
                )
            )
    for code, name, region_code, address, cancel_hours in OFFICES:
        region_id, time_zone = region_ids[region_code]
        office = Office(
            code=code,
            name=name,
            region_id=region_id or 0,
            address=address,
            time_zone=time_zone,
            opens_at=time(8, 30),
            closes_at=time(14, 0),
            cancel_policy="never" if cancel_hours is None else "hours_before",
            cancel_hours=cancel_hours or 0,
        )
        ctx.session.add(office)
        ctx.session.flush()
        for procedure_code, procedure_id in procedure_ids.items():
            only = BOOKABLE_ONLY_AT.get(procedure_code)
            ctx.session.add(
                OfficeProcedure(
                    office_id=office.id or 0,
                    procedure_id=procedure_id or 0,
                    bookable=only is None or code in only,
                )
            )
    ctx.session.flush()
    applicants = _applicants(ctx, region_ids["CL-RM"][0] or 0)
    created = 0
    for code, _name, _region, _address, _policy in OFFICES:
        for procedure_code in procedure_ids:
            only = BOOKABLE_ONLY_AT.get(procedure_code)
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
    for username, full_name, role, password in STAFF:
        staff.create_staff(ctx, username, full_name, role, password, "STG")
    return {
        "regions": len(region_ids),
        "offices": len(OFFICES),
        "procedures": len(PROCEDURES),
        "slots": created,
        "applicants": len(applicants),
        "waiting": waiting,
        "staff": [(u, r, p) for u, _n, r, p in STAFF],
        "applicant_password": DEMO_APPLICANT_PASSWORD,
    }


def _applicants(ctx: Ctx, region_id: int) -> list[int]:
    password_hash = ctx.config.passwords.hash(DEMO_APPLICANT_PASSWORD)
    ids = []
    for doc_type, number, nationality, given, first, second, email, birth in APPLICANTS:
        normal = v.normalize_document(doc_type, number)
        applicant = Applicant(
            document_type=doc_type,
            document_number=normal,
            document_key=v.compact_document(normal),
            document_expiry=date(2030, 12, 31),
            nationality=nationality,
            given_names=given,
            first_surname=first,
            second_surname=second,
            name_folded=v.fold(f"{given} {first} {second}"),
            email=email,
            birth_date=date.fromisoformat(birth),
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
            ctx.session.add(
                WaitlistEntry(
                    uuid=str(uuid.uuid4()),
                    applicant_id=applicant_id,
                    office_id=office.id or 0,
                    procedure_id=procedure.id or 0,
                    enrolled_at=datetime.combine(
                        start - timedelta(days=days_ago), time(13, 0), tzinfo=UTC
                    ),
                )
            )
            waiting += 1
    return waiting
