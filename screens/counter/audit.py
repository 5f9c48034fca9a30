"""The audit log (C1, W7), for auditors and supervisors: who did what, to what, when. Read-only:
this screen has filters and nothing that changes anything. Enter on an event shows it whole."""

from __future__ import annotations

import logging

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static

from screens.counter.base import CounterScreen, cells
from screens.dialogs.audit_event import AuditEventDialog
from screens.text import _, n_, plain, say, short_moment
from screens.widgets.table import Table
from store.errors import InvalidInput, StoreError
from store.text import N_
from store.views import AuditEventView

log = logging.getLogger("kiosk.screens.audit")
LIMIT = 500
# What the filter fields are called when one of them is refused.
FIELD_NAMES = {"date_from": N_("Desde"), "date_to": N_("Hasta")}


def _fit(text: str, width: int | None) -> str:
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


class AuditScreen(CounterScreen):
    """Filter by days, action (its start: "booking." finds every booking action), who (the
    actor or a staff member's name) and subject (as stored, or a person or booking code);
    Enter on an event opens its whole detail."""

    ROLES = ("auditor", "supervisor")
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        # K5: from the filters, the down arrow goes on to the events.
        Binding("down", "to_events", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.events: list[AuditEventView] = []
        self._to_events = False
        self._verify = False

    def heading(self) -> str:
        return _("Registro de auditoría")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            with Horizontal(classes="actions counter-bar"):
                yield Input(id="from", placeholder=_("Desde (DD-MM-AAAA)"))
                yield Input(id="to", placeholder=_("Hasta (DD-MM-AAAA)"))
                yield Input(id="action", placeholder=_("Acción (p. ej. booking.)"))
            with Horizontal(classes="actions counter-bar"):
                yield Input(id="who", placeholder=_("Quién (nombre, usuario)"))
                yield Input(id="subject", placeholder=_("Sobre (persona, código)"))
                yield Button(_("Filtrar"), id="filter", variant="primary")
            yield Static(_("Verificando la cadena del registro…"), id="audit-chain")
            yield Static("", id="audit-status", classes="lead")
            yield Table(id="events", cursor_type="row", zebra_stripes=True)

    def ready(self) -> None:
        self._verify = True  # W7: the chain is walked once the first events are shown
        self._load()

    def action_to_events(self) -> None:
        if self.events:
            self.query_one("#events").focus()

    def _widths(self) -> tuple[int, int, int, int | None]:
        """Date, who, action, subject: at 80 columns the four fit, and a longer name, action
        or subject ends in "…" (the event's dialog has it whole); wider, only the name is
        shortened and the subject takes what it needs."""
        if self.app.size.width >= 110:
            return 16, 22, 29, None
        # The page's padding and a cell padding of one on each side of every column.
        return 16, 14, 20, max(16, self.app.size.width - 6 - 8 - 16 - 14 - 20)

    def after_relabel(self) -> None:
        self.ready()

    @on(Input.Submitted)
    @on(Button.Pressed, "#filter")
    def _filter(self) -> None:
        self._to_events = True  # filtered: the events come next
        self._load()

    def _load(self) -> None:
        since, until, action, who, subject = (
            self.query_one(f"#{name}", Input).value.strip() or None
            for name in ("from", "to", "action", "who", "subject")
        )
        actor = self.actor
        self.call_store(
            lambda: self.store.audit_log(
                action,
                LIMIT,
                actor_filter=who,
                subject=subject,
                date_from=since,
                date_to=until,
                actor=actor,
            ),
            self._show,
            self._refused,
        )

    def _show(self, events: list[AuditEventView]) -> None:
        self.events = events
        table = self.query_one("#events", Table)
        table.clear(columns=True)
        widths = self._widths()
        for title, width in zip(
            (_("Fecha (UTC)"), _("Quién"), _("Acción"), _("Sobre")), widths, strict=True
        ):
            table.add_column(title, width=width)
        for event in events:
            values = (
                short_moment(event.at, "UTC"),
                event.actor_name or event.actor,
                event.action,
                say(event.subject_label) if event.subject_label else event.subject,
            )
            table.add_row(*cells(*(_fit(v, w) for v, w in zip(values, widths, strict=True))))
        self.query_one("#audit-status", Static).update(
            n_(
                "{count} evento. Enter: verlo completo.",
                "{count} eventos, del más nuevo al más antiguo (máximo {limit}). "
                "Enter: ver el evento completo.",
                len(events),
                limit=LIMIT,
            )
            if events
            else _("Ningún evento coincide con los filtros.")
        )
        if events and self._to_events:  # K5: arrows and Enter go straight on to the events
            table.focus()
        self._to_events = False
        if self._verify:
            self._verify = False
            self._verify_chain()

    def _verify_chain(self) -> None:
        """W7: walk the log's chain (as `kiosk audit verify`) in a worker of its own, so that
        filtering and reading events go on meanwhile on a long log."""
        actor = self.actor

        def job() -> None:
            try:
                verdict = self.store.verify_audit(actor=actor)
            except Exception as error:  # a refusal, or a database that cannot answer now
                log.warning("audit chain not verified", exc_info=error)
                self.app.call_from_thread(
                    self._chain_said, _("No se pudo verificar la cadena del registro ahora."), True
                )
                return
            self.app.call_from_thread(self._chain_said, say(verdict.message), not verdict.ok)

        self.run_worker(job, thread=True, group="audit-chain", exit_on_error=False)

    def _chain_said(self, text: str, alarm: bool) -> None:
        line = self.query_one("#audit-chain", Static)
        line.update(plain(text))
        line.set_class(alarm, "-broken")

    @on(DataTable.RowSelected, "#events")
    def _open(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.events):
            self.app.push_screen(AuditEventDialog(self.events[event.cursor_row]))

    def _refused(self, error: StoreError) -> None:
        text = say(error.message)
        if isinstance(error, InvalidInput) and error.field in FIELD_NAMES:
            text = f"{_(FIELD_NAMES[error.field])}: {text}"
            self.query_one("#from" if error.field == "date_from" else "#to").focus()
        self.query_one("#audit-status", Static).update(plain(text))
