"""M1, M2: the mailbox: every notice, opened (acknowledged) and reprinted at any kiosk."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from screens.base import KioskScreen
from screens.printing import print_document
from screens.text import _, language, moment, plain, say, short_moment, translate
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.page import ScrollPage
from store.errors import StoreError
from store.text import N_
from store.views import BookingView, NoticeView


class MailboxScreen(KioskScreen):
    """The list on the left (unread marked ●), the open notice on the right."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[NoticeView] | None = None
        self.opened: NoticeView | None = None

    def heading(self) -> str:
        return _("Mi buzón")

    def body(self) -> ComposeResult:
        with Horizontal(classes="page", id="mailbox"):
            if self.notices is None:
                yield Static(_("Cargando…"), classes="lead")
            elif not self.notices:
                yield Static(_("Su buzón está vacío."), classes="lead", id="empty-mailbox")
            else:
                yield OptionList(
                    *[
                        Option(
                            plain(
                                f"{'●' if n.read_at is None else ' '} {short_moment(n.created_at)}\n  {say(n.subject)}"
                            ),
                            id=str(n.id),
                        )
                        for n in self.notices
                    ],
                    id="notices",
                )
            with Vertical(id="notice-panel"):
                if self.opened is None:
                    yield Static(
                        _("Elija una notificación para leerla. ● = sin leer."), classes="lead"
                    )
                else:
                    yield Static(
                        plain(say(self.opened.subject)), classes="page-title", id="notice-subject"
                    )
                    yield Static(plain(moment(self.opened.created_at)), classes="lead")
                    with ScrollPage(id="notice-body"):
                        yield Static(plain(say(self.opened.body)))
                    yield Static("", id="print-status", classes="lead")
                with Horizontal(classes="actions"):
                    yield Button(_("Volver"), id="back")
                    if self.opened is not None:
                        yield Button(_("Imprimir"), id="print", variant="primary")

    def on_mount(self) -> None:
        applicant_id, actor = self.session.applicant_id, self.session.actor
        # C1: in assisted mode the agent's reading of the mailbox is recorded.
        self.call_store(lambda: self.store.notices(applicant_id, actor=actor), self._loaded)

    def _loaded(self, notices: list[NoticeView]) -> None:
        self.notices = notices
        self.call_later(self._show)

    async def _show(self) -> None:
        await self.recompose()
        for options in self.query("#notices").results(OptionList):
            options.focus()
            if self.opened is not None and self.notices:
                ids = [n.id for n in self.notices]
                options.highlighted = ids.index(self.opened.id) if self.opened.id in ids else 0

    def after_relabel(self) -> None:
        self.call_later(self._show)

    @on(OptionList.OptionSelected, "#notices")
    def _open(self, event: OptionList.OptionSelected) -> None:
        applicant_id, actor = self.session.applicant_id, self.session.actor
        notice_id = int(event.option.id or 0)
        # K8: opened by the agent in assisted mode, it stays unread for the person.
        self.call_store(
            lambda: self.store.open_notice(applicant_id, notice_id, actor=actor), self._opened
        )

    def _opened(self, notice: NoticeView) -> None:
        self.opened = notice
        if self.notices is not None:
            self.notices = [notice if n.id == notice.id else n for n in self.notices]
        self.call_later(self._show)

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        """M2: reprint the notice; a booking notice reprints the booking's receipt."""
        notice = self.opened
        if notice is None:
            return
        if notice.booking_code:
            code = notice.booking_code
            self.call_store(
                lambda: self.store.booking(code), self._print_booking, self._print_notice_instead
            )
        else:
            self._print_notice_instead()

    def _print_booking(self, booking: BookingView) -> None:
        from receipts.sources import booking_receipt

        print_document(self, booking_receipt(booking, language()))

    def _print_notice_instead(self, _error: StoreError | None = None) -> None:
        from receipts.sources import notice_printout

        assert self.opened is not None
        name = self.session.applicant.full_name
        print_document(self, notice_printout(self.opened, name, translate, language()))
