"""One applicant at the counter: who they are, their bookings and places; verify identity in
person (C4), act for them in assisted mode (C2), ask for missing documents (C8).

The highlighted booking's actions: a confirmed one can be cancelled (B9) or moved (B13), also
outside the office's policy, with a reason the audit log keeps; one the office took away (B12)
can be booked the next free time, or put back on the waitlist with its original date.

The person's notices (M1) with what became of each one's e-mail (M3): read with
`store.notices`, never opened, so what staff look at is not the person's acknowledgement (K8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, DataTable, Label, Static

from screens.base import Outcome
from screens.counter.base import STATUS_NAMES, CounterScreen, cells
from screens.dialogs.cancel import CancelDialog, MoveDialog, staff_policy
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.message import MessageDialog
from screens.dialogs.request_documents import RequestDocumentsDialog
from screens.labels import document_type_name, procedure_name
from screens.text import _, language, long_day, moment, plain, say, short_moment
from screens.widgets.table import Table
from store.codes import display_code
from store.errors import InvalidInput, StoreError
from store.text import N_
from store.validation import nationalities
from store.views import (
    ApplicantView,
    BookingView,
    Cancelled,
    EmailStatus,
    NoticeView,
    WaitlistEntryView,
)

# M3: what became of a notice's e-mail, in a word for the table (the highlighted notice's line
# under it says when, to which address, and the server's answer).
MAIL_STATES = {
    "sent": N_("enviado"),
    "pending": N_("pendiente"),
    "failed": N_("no se pudo enviar"),
}

Loaded = tuple[ApplicantView, list[BookingView], list[WaitlistEntryView], list[NoticeView]]


def mail_word(email: EmailStatus | None) -> str:
    """M3: the e-mail's state in the notices table ("sin correo" when none was queued)."""
    if email is None:
        return _("sin correo")
    return _(MAIL_STATES.get(email.state, email.state))


def mail_sentence(email: EmailStatus | None, now: datetime) -> str:
    """M3: what became of the e-mail, in full: when it went out, when it is tried next and why
    the last try failed, or the server's whole answer when it was given up (the server's words
    come last and as they are, never cut)."""
    if email is None:
        return _("Sin correo: el envío por correo no estaba activo cuando llegó este aviso.")
    where = {"address": email.to_address}
    if email.state == "sent" and email.sent_at is not None:
        return _(
            "Correo a {address}: enviado el {moment}.", moment=short_moment(email.sent_at), **where
        )
    if email.state == "failed":
        given_up = _(
            "Se dejó de intentar el {moment}, tras {attempts} intentos; el aviso sigue en su "
            "buzón del kiosco.",
            moment=short_moment(email.failed_at) if email.failed_at else "—",
            attempts=email.attempts,
        )
        answer = _(
            "Correo a {address}: no se pudo enviar: {answer}",
            answer=email.last_error or "—",
            **where,
        )
        return f"{answer}\n{given_up}"
    if email.attempts == 0 or email.next_attempt_at is None:
        return _("Correo a {address}: pendiente, aún sin intentar.", **where)
    if email.next_attempt_at <= now and email.last_error:
        # Due already: it goes with the next round of sending (the counter's, or cron's).
        return _(
            "Correo a {address}: pendiente: se intentará de nuevo en la próxima ronda de envío "
            "(último intento: {answer})",
            answer=email.last_error,
            **where,
        )
    when = {"moment": short_moment(email.next_attempt_at), **where}
    if email.last_error:
        return _(
            "Correo a {address}: pendiente: próximo intento {moment} (último intento: {answer})",
            answer=email.last_error,
            **when,
        )
    return _("Correo a {address}: pendiente: próximo intento {moment}.", **when)


def replacement(booking: BookingView, bookings: list[BookingView]) -> BookingView | None:
    """B12: the person's standing booking for the same procedure made after a displaced one
    (by the waitlist, at the counter or by themselves), if any."""
    return next(
        (
            b
            for b in bookings
            if b.id > booking.id
            and b.procedure.code == booking.procedure.code
            and b.status in ("confirmed", "checked_in")
        ),
        None,
    )


def actions_for(
    booking: BookingView | None, bookings: list[BookingView] | None = None
) -> tuple[str, ...]:
    """What the file offers for a booking: a confirmed one is cancelled or moved (B9, B13); one
    the office took away is booked the next free time, or put back on the list if it is not on
    it any more (B12)."""
    if booking is None:
        return ()
    if booking.status == "confirmed":
        return ("cancel", "move")
    if booking.status == "displaced":
        if replacement(booking, bookings or []) is not None:
            return ()  # they have a time again
        return ("rebook",) if booking.waitlist_position is not None else ("rebook", "reenrol")
    return ()


class ApplicantScreen(CounterScreen):
    """The applicant's file, read fresh each time the agent comes back to it."""

    ROLES = ("agent", "supervisor")
    # K5: a keypad has arrows and Enter, no Tab: up and down walk the file from one row of
    # buttons or table to the next (a table's own rows first), left and right along a row.
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("up", "walk(-1)", show=False, priority=True),
        Binding("down", "walk(1)", show=False, priority=True),
        Binding("left", "along(-1)", show=False, priority=True),
        Binding("right", "along(1)", show=False, priority=True),
    ]

    @dataclass
    class AssistChosen(Outcome):
        """C2: "Atender (modo asistido)": the kiosk's screens, run for this person."""

        applicant: ApplicantView

    @dataclass
    class MoveChosen(Outcome):
        """B13, C2: "Cambiar hora": the person's grid in moving mode, the agent acting; the
        reason (needed outside the office's policy) goes with the move to the audit log."""

        applicant: ApplicantView
        booking: BookingView
        reason: str

    def __init__(self, applicant: ApplicantView) -> None:
        super().__init__()
        self.applicant = applicant
        self.bookings: list[BookingView] = []
        self.entries: list[WaitlistEntryView] = []
        self.notices: list[NoticeView] = []
        self._notices_width = 0  # the terminal's width the notices' columns were made for, once in

    def heading(self) -> str:
        return _("Ficha de {name}", name=self.applicant.full_name)

    def body(self) -> ComposeResult:
        person = self.applicant
        regions = {r.code: r.name for r in self.host.catalog.regions}
        verified = (
            _("sí, el {date}", date=moment(person.verified_at))
            if person.verified_at
            else _("no: revise el documento y verifique")
        )
        with VerticalScroll(classes="page", id="applicant"):
            with Grid(id="applicant-facts"):
                for label, value in (
                    (_("Nombre"), person.full_name),
                    (
                        _("Documento"),
                        f"{document_type_name(person.document_type)} {person.document_number}",
                    ),
                    (
                        _("Nacionalidad"),
                        nationalities(language()).get(person.nationality, person.nationality),
                    ),
                    (_("Nacimiento"), person.birth_date.strftime("%d-%m-%Y")),
                    (_("Correo"), person.email),
                    (_("Teléfono"), person.phone or "—"),
                    (_("Región"), regions.get(person.region, person.region)),
                    (_("Identidad verificada en el mesón"), verified),
                ):
                    yield Label(label, classes="review-label")
                    yield Static(plain(value), classes="review-value")
            with Horizontal(classes="actions"):
                yield Button(_("Atender (modo asistido)"), id="assist", variant="primary")
                if not person.verified_at:
                    yield Button(_("Verificar identidad"), id="verify")
                yield Button(_("Pedir documentos"), id="request")
            yield Static(_("Horas"), classes="page-title")
            yield Table(id="bookings", cursor_type="row", zebra_stripes=True)
            yield Static("", id="booking-detail", classes="lead")
            with Horizontal(classes="actions", id="booking-actions"):
                yield Button(_("Anular"), id="cancel", variant="warning")
                yield Button(_("Cambiar hora"), id="move")
                yield Button(_("Reservar la próxima hora libre"), id="rebook")
                yield Button(_("Inscribir de nuevo en la lista"), id="reenrol")
            yield Static(_("Listas de espera"), classes="page-title")
            yield Static("", id="entries", classes="lead")
            with Vertical(id="notices-section"):
                yield Static(_("Avisos"), classes="page-title")
                yield Table(id="notices", cursor_type="row", zebra_stripes=True)
                yield Static("", id="notice-detail", classes="lead")

    def ready(self) -> None:
        # The state right after the code: at 80x24 the office and procedure may be cut, never
        # what became of the booking.
        self.query_one("#bookings", Table).add_columns(
            _("Código"), _("Estado"), _("Fecha"), _("Oficina"), _("Trámite")
        )
        # K8: the file opens on something harmless (reading the bookings), never on
        # "Atender": a stray Enter must not put the agent into a step for the person.
        self.query_one("#bookings").focus()

    def after_relabel(self) -> None:
        self.ready()
        self._fill()

    def on_screen_resume(self) -> None:
        """Shown for the first time or come back to (after assisting): read it fresh, once."""
        if self.allowed:
            self.reload()

    def reload(self) -> None:
        applicant_id = self.applicant.id
        store = self.store

        def load() -> Loaded:
            return (
                store.applicant(applicant_id),
                store.bookings_of(applicant_id),
                store.waitlist_entries_of(applicant_id),
                # K8: read, never opened: staff looking is not the person's acknowledgement.
                store.notices(applicant_id),
            )

        self.call_store(load, self._loaded)

    def _loaded(self, data: Loaded) -> None:
        changed = data[0] != self.applicant
        self.applicant, self.bookings, self.entries, self.notices = data
        if changed:
            self.call_later(self.relabel)
            return
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#bookings", Table)
        table.clear()
        for booking in self.bookings:
            table.add_row(
                *cells(
                    booking.display_code,
                    _(STATUS_NAMES.get(booking.status, booking.status)),
                    f"{booking.start:%d-%m-%Y %H:%M}",
                    booking.office.name,
                    procedure_name(booking.procedure),
                )
            )
        self._show_actions()
        waiting = [e for e in self.entries if e.status == "waiting"]
        self.query_one("#entries", Static).update(
            plain("\n".join(self._entry_line(e) for e in waiting) or _("No está en ninguna lista."))
        )
        self._fill_notices()

    def _entry_line(self, entry: WaitlistEntryView) -> str:
        """W3: office, procedure, place and date; B12: a place a displaced booking gave keeps
        that booking's date, so it says which booking it stands for."""
        offices = {o.code: o.name for o in self.host.catalog.offices}
        procedures = {p.code: p for p in self.host.catalog.procedures}
        procedure = procedures.get(entry.procedure)
        where = {
            "office": offices.get(entry.office, entry.office),
            "procedure": procedure_name(procedure) if procedure else entry.procedure,
            "position": entry.position,
        }
        if entry.displaced_code is not None:
            return _(
                "{office} · {procedure}: lugar {position}, por la hora {code} que canceló la "
                "oficina (con la fecha de esa reserva)",
                code=display_code(entry.displaced_code),
                **where,
            )
        return _(
            "{office} · {procedure}: lugar {position}, inscrito el {date}",
            date=moment(entry.enrolled_at),
            **where,
        )

    # -- the keys alone: K5 ----------------------------------------------------------------

    def _stops(self) -> list[list[Widget]]:
        """The file's focus stops, top to bottom: each table, each row of shown buttons."""
        page = self.query_one("#applicant")
        rows: list[list[Widget]] = []
        for widget in self.focus_chain:
            if page not in widget.ancestors:
                continue  # the top bar's language buttons: F2 switches from anywhere
            if (
                rows
                and isinstance(widget, Button)
                and isinstance(rows[-1][-1], Button)
                and widget.parent is rows[-1][-1].parent
            ):
                rows[-1].append(widget)
            else:
                rows.append([widget])
        return rows

    def action_walk(self, step: int) -> None:
        """Down or up: the table's next row, else the next stop (the first or last one shows
        the top or the bottom of the page, which are text)."""
        focused = self.focused
        if isinstance(focused, DataTable) and 0 <= focused.cursor_row + step < focused.row_count:
            focused.move_cursor(row=focused.cursor_row + step)
            return
        rows = self._stops()
        here = next((i for i, row in enumerate(rows) if focused in row), -1)
        there = min(max(here + step, 0), len(rows) - 1) if here >= 0 else 0
        if not rows or there == here:
            return
        rows[there][0].focus()
        page = self.query_one("#applicant", VerticalScroll)
        if there == 0:
            page.scroll_home(animate=False)
        elif there == len(rows) - 1:
            page.scroll_end(animate=False)

    def action_along(self, step: int) -> None:
        """Left or right: the next button of the row (a table scrolls sideways)."""
        focused = self.focused
        if isinstance(focused, DataTable):
            if step > 0:
                focused.action_cursor_right()
            else:
                focused.action_cursor_left()
            return
        for row in self._stops():
            if focused in row and 0 <= row.index(focused) + step < len(row):
                row[row.index(focused) + step].focus()

    # -- the notices and their e-mails: M1, M3 -------------------------------------------------

    def _fill_notices(self) -> None:
        """Newest first (as the store gives them): when it came, subject, read, e-mail. The
        subject takes the width the other columns leave (cut with "…": the line under the
        table has it whole), so the states stay on screen at 80 columns too."""
        table = self.query_one("#notices", Table)
        row = table.cursor_row
        table.clear(columns=True)
        table.display = bool(self.notices)
        rows = [
            (
                short_moment(n.created_at),
                say(n.subject),
                _("leído") if n.read_at else _("sin leer"),
                mail_word(n.email),
            )
            for n in self.notices
        ]
        headers = (_("Fecha"), _("Asunto"), _("Leído"), _("Correo"))
        widths = [
            max(cell_len(text) for text in column) for column in zip(headers, *rows, strict=True)
        ]
        # The page's padding and scroll bar, and each column's padding of one on either side.
        self._notices_width = self.app.size.width
        room = self.app.size.width - 6 - 2 * table.cell_padding * len(headers)
        subject = max(16, min(widths[1], room - widths[0] - widths[2] - widths[3]))
        table.add_column(headers[0])
        table.add_column(headers[1], width=subject)
        table.add_column(headers[2])
        table.add_column(headers[3])
        failed = Style(color=self.app.get_css_variables().get("text-error"), bold=True)
        for notice, (deposited, title, read, mail) in zip(self.notices, rows, strict=True):
            table.add_row(
                Text(deposited),
                Text(title, no_wrap=True, overflow="ellipsis"),
                Text(read),
                # M3: a give-up stands out, in words as well as in colour (K5).
                Text(mail, style=failed if notice.email and notice.email.state == "failed" else ""),
            )
        if self.notices:
            table.move_cursor(row=min(row, len(self.notices) - 1), animate=False)
        self._show_notice()

    def on_resize(self, event: events.Resize) -> None:
        """The subject's column follows the terminal's width (only when it changed: a table
        built anew while the page lays out may be left without room until the next layout)."""
        if self._notices_width and self.app.size.width != self._notices_width:
            self._fill_notices()  # once the notices are in, for a new width

    @property
    def chosen_notice(self) -> NoticeView | None:
        """The notice under the notices table's cursor."""
        table = self.query_one("#notices", Table)
        if not self.notices or not 0 <= table.cursor_row < len(self.notices):
            return None
        return self.notices[table.cursor_row]

    @on(DataTable.RowHighlighted, "#notices")
    def _notice_highlighted(self) -> None:
        self._show_notice()
        if self.query_one("#notices", Table).has_focus:
            # The table scrolls the page to its cursor; the lines under it, laid out anew for
            # this notice, must stay in view too (the section ends the page).
            self.query_one("#applicant", VerticalScroll).scroll_end(animate=False)

    def _show_notice(self) -> None:
        """The highlighted notice in full: subject, when it was deposited and read (M1), and
        what became of its e-mail (M3), the server's whole answer included."""
        detail = self.query_one("#notice-detail", Static)
        notice = self.chosen_notice
        detail.set_class(
            bool(notice and notice.email and notice.email.state == "failed"), "-failed"
        )
        if notice is None:
            detail.update(_("No tiene avisos en su buzón."))
            return
        read = (
            _("leído el {moment}", moment=short_moment(notice.read_at))
            if notice.read_at
            else _("sin leer")
        )
        detail.update(
            plain(
                "\n".join(
                    (
                        say(notice.subject),
                        _(
                            "En el buzón desde el {moment}; {read}.",
                            moment=short_moment(notice.created_at),
                            read=read,
                        ),
                        mail_sentence(notice.email, self.host.clock.now()),
                    )
                )
            )
        )

    # -- the highlighted booking: B9, B12, B13 ----------------------------------------------

    @property
    def chosen(self) -> BookingView | None:
        """The booking under the table's cursor."""
        table = self.query_one("#bookings", Table)
        if not self.bookings or not 0 <= table.cursor_row < len(self.bookings):
            return None
        return self.bookings[table.cursor_row]

    @on(DataTable.RowHighlighted, "#bookings")
    def _highlighted(self) -> None:
        self._show_actions()

    @on(DataTable.RowSelected, "#bookings")
    def _selected(self) -> None:
        """Enter on a booking: on to its first action (K5)."""
        for button in self.query("#booking-actions Button").results(Button):
            if button.display:
                button.focus()
                return

    def _show_actions(self) -> None:
        """What the highlighted booking's state allows, and one sentence about it."""
        booking = self.chosen
        allowed = actions_for(booking, self.bookings)
        for button in self.query("#booking-actions Button").results(Button):
            button.display = button.id in allowed
        self.query_one("#booking-actions").display = bool(allowed)
        self.query_one("#booking-detail", Static).update(
            plain(self._detail(booking) if booking else "")
        )

    def _detail(self, booking: BookingView) -> str:
        if booking.status == "confirmed":
            return staff_policy(booking, self.host.clock.now())
        if booking.status == "moved" and booking.moved_to:
            return _("Cambiada a la hora de código {code}.", code=booking.moved_to)
        if booking.status != "displaced":
            return ""
        lines = [
            _("La oficina canceló esta hora ({reason}).", reason=booking.displaced_reason)
            if booking.displaced_reason
            else _("La oficina canceló esta hora.")
        ]
        again = replacement(booking, self.bookings)
        if again is not None:
            lines.append(
                _(
                    "Ya tiene otra hora para este trámite: {code}, {date} a las {time}.",
                    code=again.display_code,
                    date=long_day(again.start.date()),
                    time=f"{again.start:%H:%M}",
                )
            )
        elif booking.waitlist_position is not None:
            lines.append(
                _(
                    "Está en la lista en el lugar {position}, con la fecha de su reserva original.",
                    position=booking.waitlist_position,
                )
            )
        else:
            lines.append(_("No está en la lista por esta hora."))
        return " ".join(lines)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        if (booking := self.chosen) is not None and not self.busy:
            self.ask_cancel(booking)

    def ask_cancel(self, booking: BookingView, reason: str = "", error: str | None = None) -> None:
        """B9: the reason (required outside the office's policy), then cancel as the agent."""
        actor = self.actor

        def answered(given: str | None) -> None:
            if given is None or not booking.code:
                return
            code = booking.code

            def refused(problem: StoreError) -> None:
                if isinstance(problem, InvalidInput) and problem.field == "reason":
                    self.ask_cancel(booking, given, say(problem.message))
                else:
                    self.show_refusal(problem)
                    self.reload()

            self.call_store(
                lambda: self.store.cancel(code, reason=given or None, actor=actor),
                self._cancelled,
                refused,
            )

        dialog = CancelDialog(
            booking, self.host.clock.now(), staff=True, reason=reason, error=error
        )
        self.app.push_screen(dialog, answered)

    def _cancelled(self, cancelled: Cancelled) -> None:
        lines = [_("Se anuló la hora {code}.", code=cancelled.booking.display_code or "-")]
        if cancelled.assigned:
            lines.append(_("La hora pasó a la siguiente persona de la lista de espera."))
        lines.append(_("El aviso quedó en el buzón de la persona."))
        self.app.push_screen(MessageDialog(_("Hora anulada"), " ".join(lines)))
        self.reload()

    @on(Button.Pressed, "#move")
    def _move(self) -> None:
        """B13: the reason first (when the policy needs one), then the person's grid."""
        booking = self.chosen
        if booking is None or self.busy:
            return

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.post_message(self.MoveChosen(self.applicant, booking, reason))

        self.app.push_screen(MoveDialog(booking, self.host.clock.now(), staff=True), answered)

    @on(Button.Pressed, "#rebook")
    def _rebook(self) -> None:
        """B12: the next free time of the same office and procedure, booked by the agent."""
        booking = self.chosen
        if booking is None or not booking.code or self.busy:
            return
        code, actor = booking.code, self.actor
        lines = [
            _(
                "Se reservará para {name} la próxima hora libre de {procedure} en {office}.",
                name=booking.applicant_name,
                procedure=procedure_name(booking.procedure),
                office=booking.office.name,
            )
        ]
        if booking.waitlist_position is not None:
            lines.append(
                _(
                    "Deja su lugar {position} en la lista de espera.",
                    position=booking.waitlist_position,
                )
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(lambda: self.store.rebook(code, actor=actor), self._rebooked)

        self.app.push_screen(
            ConfirmDialog(_("Reservar la próxima hora libre"), "\n".join(lines), _("Sí, reservar")),
            answered,
        )

    def _rebooked(self, booking: BookingView) -> None:
        self.app.push_screen(
            MessageDialog(
                _("Hora reservada"),
                _(
                    "Nueva hora: {date} a las {time}, código {code}. El aviso quedó en el buzón "
                    "de la persona.",
                    date=long_day(booking.start.date()),
                    time=f"{booking.start:%H:%M}",
                    code=booking.display_code or "-",
                ),
            )
        )
        self.reload()

    @on(Button.Pressed, "#reenrol")
    def _reenrol(self) -> None:
        """B12: back on the waitlist, ranked by the original booking's date."""
        booking = self.chosen
        if booking is None or not booking.code:
            return
        code, actor = booking.code, self.actor
        self.call_store(lambda: self.store.reenrol_displaced(code, actor=actor), self._reenrolled)

    def _reenrolled(self, entry: WaitlistEntryView) -> None:
        text = (
            _(
                "De nuevo en la lista, en el lugar {position}, con la fecha de su reserva original.",
                position=entry.position,
            )
            if entry.position is not None
            else _("La lista le asignó una hora de inmediato; el aviso quedó en su buzón.")
        )
        self.app.push_screen(MessageDialog(_("Inscrito de nuevo en la lista"), text))
        self.reload()

    # -- the person ---------------------------------------------------------------------------

    @on(Button.Pressed, "#assist")
    def _assist(self) -> None:
        self.post_message(self.AssistChosen(self.applicant))

    @on(Button.Pressed, "#verify")
    def _verify(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                applicant_id, actor = self.applicant.id, self.actor
                self.call_store(
                    lambda: self.store.verify_identity(applicant_id, actor=actor), self._verified
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Verificar identidad"),
                _(
                    "¿Revisó el documento original y coincide con {document} a nombre de {name}?",
                    document=self.applicant.document_number,
                    name=self.applicant.full_name,
                ),
                _("Sí, verificar"),
            ),
            answered,
        )

    def _verified(self, applicant: ApplicantView) -> None:
        self.applicant = applicant
        self.app.notify(_("Identidad verificada en el mesón."))
        self.call_later(self.relabel)

    @on(Button.Pressed, "#request")
    def _request(self) -> None:
        def written(request: tuple[str, date] | None) -> None:
            if request:
                documents, deadline = request
                applicant_id, actor = self.applicant.id, self.actor
                self.call_store(
                    lambda: self.store.request_documents(
                        applicant_id, documents, deadline, actor=actor
                    ),
                    self._requested,
                )

        self.app.push_screen(RequestDocumentsDialog(self.host.clock.now().date()), written)

    def _requested(self, _none: None) -> None:
        """C8: said, and read fresh, so the request shows among the notices (M1)."""
        self.app.notify(_("Solicitud enviada a su buzón."))
        self.reload()
