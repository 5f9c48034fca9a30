"""What each document says, block by block, in the applicant's language (B7, W1, W5, A8, M2).

Fixed sentences are Spanish msgids (marked with `N_` for extraction) translated by the
`translate` function the caller passes; this package never imports the interface's catalogues."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import singledispatch
from typing import Any

from receipts.blocks import (
    BigCode,
    Block,
    Bullets,
    Field,
    FinePrint,
    Heading,
    Paragraph,
    QRCode,
    Subheading,
)
from receipts.documents import (
    BookingReceipt,
    CancellationReceipt,
    CredentialsSlip,
    NoticePrintout,
    QueueSlip,
    TicketAnswer,
    WaitlistReceipt,
)
from store.codes import display_code
from store.daywords import long_day
from store.text import N_

Translate = Callable[[str], str]


class Words:
    """Translation and date formatting for one document's language."""

    def __init__(self, translate: Translate, language: str) -> None:
        self._t = translate
        self.language = language

    def __call__(self, msgid: str, **params: Any) -> str:
        text = self._t(msgid)
        return text.format(**params) if params else text

    def day(self, value: date) -> str:
        """The day in words: lunes, 30 de noviembre de 2026."""
        return long_day(value, self.language)

    def clock(self, moment: datetime) -> str:
        return f"{moment:%H:%M}"

    def moment(self, moment: datetime) -> str:
        """A date and a time with its zone: "lunes, 30 de noviembre de 2026, 09:30 (America/Santiago)"."""
        return self(
            N_("{day}, {time} ({zone})"),
            day=self.day(moment.date()),
            time=self.clock(moment),
            zone=getattr(moment.tzinfo, "key", None) or moment.tzname() or "UTC",
        )


def _free_of_charge(w: Words) -> FinePrint:
    # H4: nobody should pay an intermediary for what is free.
    return FinePrint(w(N_("El trámite es gratuito. No pague a intermediarios («tramitadores»).")))


@singledispatch
def blocks_for(document: object, w: Words) -> list[Block]:
    """The blocks of a document, in reading order."""
    raise TypeError(f"not a printable document: {type(document).__name__}")


@blocks_for.register
def _booking(receipt: BookingReceipt, w: Words) -> list[Block]:
    blocks: list[Block] = [
        Heading(w(N_("Comprobante de reserva de hora"))),
        BigCode(w(N_("Código de verificación")), display_code(receipt.code)),
        QRCode(receipt.code),
        Field(w(N_("Fecha")), w.day(receipt.start.date())),
        Field(w(N_("Hora")), w(N_("{time} (hora de la oficina)"), time=w.clock(receipt.start))),
        Field(w(N_("Oficina")), receipt.office_name),
        Field(w(N_("Dirección")), receipt.office_address),
        Field(w(N_("Trámite")), receipt.procedure),
        Field(w(N_("Nombre")), receipt.applicant_name),
        Field(w(N_("Documento")), receipt.document_masked),
    ]
    if receipt.enrolled_at is not None:
        # W5: the enrolment date stays the legal reference for fines.
        blocks.append(
            Field(w(N_("Inscrito en asignación automatizada")), w.moment(receipt.enrolled_at))
        )
    blocks.append(Paragraph(w(N_("Traiga este comprobante impreso el día de su cita.")), True))
    if receipt.documents:
        blocks += [Subheading(w(N_("Documentos que debe traer"))), Bullets(receipt.documents)]
    blocks.append(_free_of_charge(w))
    return blocks


@blocks_for.register
def _cancellation(receipt: CancellationReceipt, w: Words) -> list[Block]:
    # No big code and no QR: this paper must never pass for a booking receipt at the door.
    return [
        Heading(w(N_("Comprobante de anulación de hora"))),
        Field(w(N_("Código de la hora anulada")), display_code(receipt.code)),
        Field(w(N_("Fecha")), w.day(receipt.start.date())),
        Field(w(N_("Hora")), w(N_("{time} (hora de la oficina)"), time=w.clock(receipt.start))),
        Field(w(N_("Oficina")), receipt.office_name),
        Field(w(N_("Dirección")), receipt.office_address),
        Field(w(N_("Trámite")), receipt.procedure),
        Field(w(N_("Nombre")), receipt.applicant_name),
        Field(w(N_("Documento")), receipt.document_masked),
        Field(w(N_("Anulada el")), w.moment(receipt.cancelled_at)),
        Paragraph(
            w(
                N_(
                    "Esta hora fue anulada y ya no es válida. Si necesita una hora, reserve otra "
                    "o inscríbase en la lista."
                )
            ),
            True,
        ),
        _free_of_charge(w),
    ]


@blocks_for.register
def _waitlist(receipt: WaitlistReceipt, w: Words) -> list[Block]:
    return [
        Heading(w(N_("Inscripción en asignación automatizada de citas"))),
        Field(w(N_("Nombre")), receipt.applicant_name),
        Field(w(N_("Documento")), receipt.document_masked),
        Field(w(N_("Trámite")), receipt.procedure),
        Field(w(N_("Oficina")), receipt.office_name),
        Field(w(N_("Dirección")), receipt.office_address),
        Field(w(N_("Fecha y hora de inscripción")), w.moment(receipt.enrolled_at)),
        Field(w(N_("Posición al inscribirse")), str(receipt.position)),
        Paragraph(
            w(
                N_(
                    "La fecha y hora de inscripción es la referencia legal para cualquier multa: "
                    "conserve este comprobante."
                )
            ),
            True,
        ),
        Subheading(w(N_("Cómo funciona la asignación"))),
        Paragraph(
            w(
                N_(
                    "Cada vez que la oficina abre horas nuevas, se asignan estrictamente en orden "
                    "de inscripción. Cuando le toque, la hora asignada llegará a su buzón; no "
                    "necesita volver a pedirla."
                )
            )
        ),
        Subheading(w(N_("Cómo salir de la lista"))),
        Paragraph(
            w(
                N_(
                    "En cualquier quiosco: «Ya tengo cuenta», luego «Eliminarme de asignación "
                    "automatizada de citas». Perderá su lugar; si se inscribe de nuevo, tendrá "
                    "un lugar y una fecha nuevos."
                )
            )
        ),
        _free_of_charge(w),
    ]


@blocks_for.register
def _credentials(slip: CredentialsSlip, w: Words) -> list[Block]:
    return [
        Heading(w(N_("Su contraseña temporal"))),
        BigCode(w(N_("Contraseña temporal")), slip.temporary_password),
        Paragraph(
            w(
                N_(
                    "Cómo ingresar: en cualquier quiosco elija «Ya tengo cuenta» y escriba su "
                    "correo electrónico o su número de documento y esta contraseña."
                )
            )
        ),
        Paragraph(
            w(
                N_(
                    "Al ingresar por primera vez deberá cambiarla por una contraseña nueva de al "
                    "menos 8 caracteres."
                )
            ),
            True,
        ),
        Paragraph(w(N_("No comparta esta contraseña. Nadie del servicio se la pedirá."))),
        FinePrint(w(N_("Emitida el {moment}"), moment=w.moment(slip.issued_at))),
    ]


@blocks_for.register
def _notice(notice: NoticePrintout, w: Words) -> list[Block]:
    blocks: list[Block] = [
        Heading(w(N_("Notificación de su buzón"))),
        Field(w(N_("Nombre")), notice.applicant_name),
        Field(w(N_("Asunto")), notice.subject),
        Field(w(N_("Recibida el")), w.moment(notice.created_at)),
    ]
    if notice.read_at is not None:
        blocks.append(Field(w(N_("Leída el")), w.moment(notice.read_at)))
    if notice.booking_code:
        blocks.append(Field(w(N_("Código de verificación")), display_code(notice.booking_code)))
    if notice.deadline is not None:
        blocks.append(Field(w(N_("Plazo")), w.day(notice.deadline)))
    blocks += [Paragraph(notice.body), _free_of_charge(w)]
    return blocks


@blocks_for.register
def _ticket(ticket: TicketAnswer, w: Words) -> list[Block]:
    return [
        Heading(w(N_("Respuesta a su solicitud de ayuda"))),
        Field(w(N_("Nombre")), ticket.applicant_name),
        Field(w(N_("Solicitud N.º")), str(ticket.ticket_id)),
        Field(w(N_("Asunto")), ticket.subject),
        Field(w(N_("Enviada el")), w.moment(ticket.opened_at)),
        Field(w(N_("Respondida el")), w.moment(ticket.answered_at)),
        Subheading(w(N_("Su mensaje"))),
        Paragraph(ticket.message),
        Subheading(w(N_("Respuesta"))),
        Paragraph(ticket.answer),
        _free_of_charge(w),
    ]


@blocks_for.register
def _queue(slip: QueueSlip, w: Words) -> list[Block]:
    # K1: no name, no document, no booking code: a number anyone may see on the floor.
    blocks: list[Block] = [
        Heading(w(N_("Su número de atención"))),
        BigCode(w(N_("Número")), str(slip.number)),
        Field(w(N_("Oficina")), slip.office_name),
        Field(w(N_("Trámite")), slip.procedure),
    ]
    if slip.appointment_at is not None:
        blocks.append(
            Field(
                w(N_("Su cita")),
                w(N_("{time} (hora de la oficina)"), time=w.clock(slip.appointment_at)),
            )
        )
    blocks += [
        Field(w(N_("Entregado")), w.moment(slip.taken_at)),
        Field(w(N_("Personas antes que usted")), str(slip.ahead)),
        Field(
            w(N_("Espera estimada")),
            w(N_("sin estimación"))
            if slip.estimate_minutes is None
            else w(N_("unos {minutes} min"), minutes=slip.estimate_minutes),
        ),
        Paragraph(
            w(
                N_(
                    "Espere en la sala: la pantalla mostrará su número y el mesón al que debe "
                    "acercarse."
                )
            ),
            True,
        ),
        _free_of_charge(w),
    ]
    return blocks


def title_of(document: object, w: Words) -> str:
    """The PDF's title metadata: the document's heading."""
    heading = next(block for block in blocks_for(document, w) if isinstance(block, Heading))
    return heading.text
