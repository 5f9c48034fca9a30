"""The audit log (C1, W7), for auditors and supervisors: who did what, to what, when. Read-only:
this screen has filters and nothing that changes anything."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from screens.counter.base import CounterScreen, cells
from screens.text import _, plain, say, short_moment
from screens.widgets.table import Table
from store.errors import StoreError
from store.text import N_
from store.views import AuditEventView

LIMIT = 500


class AuditScreen(CounterScreen):
    """Filter by action (its start: "booking." finds every booking action), actor or subject."""

    ROLES = ("auditor", "supervisor")
    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    def heading(self) -> str:
        return _("Registro de auditoría")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            with Horizontal(classes="actions counter-bar"):
                yield Input(id="action", placeholder=_("Acción (p. ej. booking.)"))
                yield Input(id="who", placeholder=_("Quién (p. ej. staff:)"))
                yield Input(id="subject", placeholder=_("Sobre qué"))
                yield Button(_("Filtrar"), id="filter", variant="primary")
            yield Static("", id="audit-status", classes="lead")
            yield Table(id="events", cursor_type="row", zebra_stripes=True)

    def ready(self) -> None:
        self.query_one("#events", Table).add_columns(
            _("Fecha (UTC)"), _("Quién"), _("Acción"), _("Sobre"), _("Detalle")
        )
        self._filter()

    def after_relabel(self) -> None:
        self.ready()

    @on(Input.Submitted)
    @on(Button.Pressed, "#filter")
    def _filter(self) -> None:
        action, who, subject = (
            self.query_one(f"#{name}", Input).value or None for name in ("action", "who", "subject")
        )
        actor = self.actor
        self.call_store(
            lambda: self.store.audit_log(
                action, LIMIT, actor_filter=who, subject=subject, actor=actor
            ),
            self._show,
            self._refused,
        )

    def _show(self, events: list[AuditEventView]) -> None:
        table = self.query_one("#events", Table)
        table.clear()
        for event in events:
            table.add_row(
                *cells(
                    short_moment(event.at, "UTC"),
                    event.actor,
                    event.action,
                    event.subject,
                    event.details,
                )
            )
        self.query_one("#audit-status", Static).update(
            _(
                "{count} evento(s), del más nuevo al más antiguo (máximo {limit}).",
                count=len(events),
                limit=LIMIT,
            )
        )

    def _refused(self, error: StoreError) -> None:
        self.query_one("#audit-status", Static).update(plain(say(error.message)))
