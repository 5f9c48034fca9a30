"""The office's staff (C10; supervisors): the accounts and their state, create one, deactivate,
unlock, and reset a password (the temporary one is shown once).

A supervisor of an office sees and changes that office's accounts; a national supervisor (no
office) chooses the office, or "every office". Keyboard alone (K5): the arrows choose an
account and Enter goes to its actions; left and right walk the actions, up goes back to the
list (and from its first row to the office)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Select, Static

from screens.counter.base import ROLE_NAMES, CounterScreen, cells
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.staff_account import NewStaff, NewStaffDialog, TemporaryPasswordDialog
from screens.text import _, plain, say
from screens.widgets.choice_table import ChoiceTable
from store.errors import InvalidInput, StoreError
from store.text import N_
from store.timefmt import fmt_time, in_zone
from store.views import StaffPassword, StaffView

EVERY_OFFICE = ""  # the national supervisor's choice of no office in particular
LOCK_ZONE = "America/Santiago"  # A11: lockouts are told on Chile's wall clock, as at login
ACTIONS = ("add-staff", "unlock", "reset-password", "deactivate")


class StaffTable(ChoiceTable):
    """The accounts; up from the first row leaves the table for the office above (K5)."""

    def action_cursor_up(self) -> None:
        if self.show_cursor and self.cursor_row == 0:
            self.screen.focus_previous()
            return
        super().action_cursor_up()


class StaffScreen(CounterScreen):
    """The accounts of the office, with what a supervisor may do to the chosen one."""

    ROLES = ("supervisor",)
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f5", "reload", N_("Actualizar"), key_display="F5"),
        # K5: the actions are a row of buttons; the arrows walk it and lead back up.
        Binding("left", "step(-1)", show=False),
        Binding("right", "step(1)", show=False),
        Binding("up", "to_list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.office = ""
        self.accounts: list[StaffView] = []
        self.chosen: str | None = None  # the chosen account's user name

    def heading(self) -> str:
        return _("Personal de la oficina")

    @property
    def national(self) -> bool:
        return self.staff.office is None

    def body(self) -> ComposeResult:
        offices = [(f"{o.code} · {o.name}", o.code) for o in self.host.catalog.offices]
        if self.national:
            offices = [(_("Todas las oficinas"), EVERY_OFFICE), *offices]
        else:
            self.office = self.staff.office or ""
        with VerticalScroll(classes="page", id="staff-page"):
            with Horizontal(classes="counter-bar"):
                yield Select(
                    offices,
                    value=self.office,
                    allow_blank=False,
                    id="office",
                    disabled=not self.national,
                )
            yield Static("", id="staff-status", classes="lead")
            yield StaffTable(id="staff")
            yield Static("", id="staff-chosen")
            with Horizontal(classes="actions", id="staff-actions"):
                yield Button(_("Crear una cuenta"), id="add-staff", variant="primary")
                yield Button(_("Desbloquear"), id="unlock", disabled=True)
                yield Button(_("Nueva contraseña"), id="reset-password", disabled=True)
                yield Button(_("Desactivar"), id="deactivate", variant="warning", disabled=True)

    def ready(self) -> None:
        # The office column only where several offices show (a national supervisor).
        columns = [_("Nombre"), _("Usuario"), _("Rol"), _("Estado")]
        if self.national:
            columns.insert(3, _("Oficina"))
        self.query_one("#staff", ChoiceTable).add_columns(*columns)
        self.query_one("#staff").focus()
        self.action_reload()

    def after_relabel(self) -> None:
        self.ready()

    # -- the list ---------------------------------------------------------------------------

    @on(Select.Changed, "#office")
    def _office(self, event: Select.Changed) -> None:
        if str(event.value) == self.office:
            return  # the same office, redrawn (in another language): keep the chosen row
        self.office = str(event.value)
        self.chosen = None
        self.action_reload()
        self.query_one("#staff").focus()

    def action_reload(self) -> None:
        office, actor = self.office or None, self.actor
        self.call_store(lambda: self.store.staff_accounts(office, actor=actor), self._show)

    def state(self, account: StaffView) -> str:
        """Active, locked until when (A11), or deactivated; and a temporary password (C10)."""
        if not account.active:
            return _("Desactivada")
        if account.locked_until is not None and account.locked_at(self.store.clock.now()):
            return _(
                "Bloqueada hasta las {until}",
                until=fmt_time(in_zone(account.locked_until, LOCK_ZONE)),
            )
        if account.must_change_password:
            return _("Activa (contraseña temporal)")
        return _("Activa")

    def _show(self, accounts: list[StaffView]) -> None:
        self.accounts = accounts
        table = self.query_one("#staff", ChoiceTable)
        table.clear()
        for account in accounts:
            row = [account.full_name, account.username, _(ROLE_NAMES[account.role])]
            if self.national:
                row.append(account.office or _("nacional"))
            table.add_row(*cells(*row, self.state(account)), key=account.username)
        table.choose(self.chosen)
        self._chosen_changed()

    def chosen_account(self) -> StaffView | None:
        return next((a for a in self.accounts if a.username == self.chosen), None)

    @on(DataTable.RowHighlighted, "#staff")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.show_cursor:
            self._chosen_changed()

    def _chosen_changed(self) -> None:
        self.chosen = self.query_one("#staff", ChoiceTable).chosen
        account = self.chosen_account()
        if not self.accounts:
            hint = _("No hay cuentas del personal en esta oficina.")
        elif account is None:
            hint = _("Elija una cuenta (flechas y Enter, o un clic) para ver qué puede hacer.")
        else:
            hint = _(
                "Cuenta elegida: {name} ({user}), {state}.",
                name=account.full_name,
                user=account.username,
                state=self.state(account).lower(),
            )
        self.query_one("#staff-chosen", Static).update(plain(hint))
        active = account is not None and account.active
        now = self.store.clock.now()
        self.query_one("#unlock", Button).disabled = not (
            active and account is not None and account.locked_at(now)
        )
        self.query_one("#reset-password", Button).disabled = not active
        # Nobody deactivates their own account (the store refuses it too).
        self.query_one("#deactivate", Button).disabled = not active or (
            account is not None and account.id == self.staff.id
        )

    @on(DataTable.RowSelected, "#staff")
    def _row_selected(self) -> None:
        """Enter on an account: on to the first thing that can be done to it."""
        enabled = [b for b in self._buttons() if not b.disabled and b.id != "add-staff"]
        (enabled[0] if enabled else self.query_one("#add-staff", Button)).focus()

    # -- K5: arrows between the actions ---------------------------------------------------------

    def _buttons(self) -> list[Button]:
        return [self.query_one(f"#{name}", Button) for name in ACTIONS]

    def action_step(self, step: int) -> None:
        """Left and right: the next action that can be used, or the office chooser."""
        buttons = [b for b in self._buttons() if not b.disabled]
        if self.focused in buttons:
            here = buttons.index(self.focused)
            if 0 <= here + step < len(buttons):
                buttons[here + step].focus()
        elif isinstance(self.focused, Select) and step > 0:
            self.query_one("#staff").focus()

    def action_to_list(self) -> None:
        """Up from the actions: back to the list of accounts."""
        if isinstance(self.focused, Button):
            self.query_one("#staff").focus()

    # -- what a supervisor does -------------------------------------------------------------

    def _office_label(self) -> str:
        if not self.office:
            return _("Cuenta nacional: sin oficina (para agentes, elija una oficina arriba).")
        name = next((o.name for o in self.host.catalog.offices if o.code == self.office), "")
        return _("Oficina: {code} · {name}", code=self.office, name=name)

    @on(Button.Pressed, "#add-staff")
    def _add(self) -> None:
        self._ask_new()

    def _ask_new(
        self, previous: NewStaff | None = None, problem: tuple[str, str] | None = None
    ) -> None:
        if self.busy:
            return
        office, actor = self.office or None, self.actor

        def answered(new: NewStaff | None) -> None:
            if new is None:
                return

            def refused(error: StoreError) -> None:
                field = error.field if isinstance(error, InvalidInput) else "username"
                text = say(error.message)
                if field == "office":  # the store's sentence names --office: say it the desk's way
                    text = _(
                        "Un agente atiende en una oficina: elija la oficina arriba, no «Todas»."
                    )
                self._ask_new(new, (field, text))

            self.call_store(
                lambda: self.store.add_staff(
                    new.username, new.full_name, new.role, office, actor=actor
                ),
                lambda issued: self._issued(issued, _("Cuenta creada")),
                refused,
            )

        self.app.push_screen(NewStaffDialog(self._office_label(), previous, problem), answered)

    def _issued(self, issued: StaffPassword, title: str) -> None:
        self.chosen = issued.staff.username
        self._say(_("{title}: {user}.", title=title, user=issued.staff.username))
        self.app.push_screen(
            TemporaryPasswordDialog(
                title, issued.staff.full_name, issued.staff.username, issued.temporary_password
            )
        )
        self.action_reload()

    @on(Button.Pressed, "#unlock")
    def _unlock(self) -> None:
        account = self.chosen_account()
        if account is None or self.busy:
            return
        username, actor = account.username, self.actor
        self.call_store(
            lambda: self.store.unlock_staff(username, actor=actor),
            lambda done: self._changed(_("Cuenta {user} desbloqueada.", user=done.username)),
            self._refused,
        )

    @on(Button.Pressed, "#reset-password")
    def _reset(self) -> None:
        account = self.chosen_account()
        if account is None or self.busy:
            return
        username, actor = account.username, self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.reset_staff_password(username, actor=actor),
                    lambda issued: self._issued(issued, _("Contraseña temporal nueva")),
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Nueva contraseña temporal"),
                _(
                    "{name} ({user}) recibirá una contraseña temporal nueva; la actual deja de "
                    "servir y la cuenta se desbloquea. Al ingresar, elegirá una propia.",
                    name=account.full_name,
                    user=username,
                ),
                _("Sí, dar una nueva"),
            ),
            answered,
        )

    @on(Button.Pressed, "#deactivate")
    def _deactivate(self) -> None:
        account = self.chosen_account()
        if account is None or self.busy:
            return
        username, actor = account.username, self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.deactivate_staff(username, actor=actor),
                    lambda done: self._changed(_("Cuenta {user} desactivada.", user=done.username)),
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Desactivar la cuenta"),
                _("{name} ({user}) ya no podrá ingresar.", name=account.full_name, user=username),
                _("Sí, desactivar"),
                warning=_(
                    "Lo que hizo queda en el registro de auditoría. Para volver a trabajar "
                    "necesitará una cuenta nueva."
                ),
            ),
            answered,
        )

    def _changed(self, text: str) -> None:
        self._say(text)
        self.action_reload()

    def _refused(self, error: StoreError) -> None:
        self._say(say(error.message))

    def _say(self, text: str) -> None:
        self.query_one("#staff-status", Static).update(plain(text))
