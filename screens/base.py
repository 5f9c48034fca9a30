"""What every kiosk screen shares: the top bar, the footer, store calls in workers, relabelling.

Store calls block (argon2, disk), so they run in thread workers; while one runs the screen
ignores further presses (K3: a double press never books or prints twice)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, RadioButton, RadioSet, Select, Switch

from screens.text import _, say
from screens.widgets.topbar import TopBar
from store.errors import StoreError

if TYPE_CHECKING:
    from screens.session import Session

T = TypeVar("T")
log = logging.getLogger("kiosk.screens")


def translate_bindings(node: DOMNode) -> None:
    """Footer labels in the current language (K4).

    Binding descriptions are fixed when a class is defined, so they are written as Spanish
    msgids (`N_`) and each screen gets its own translated copy, rebuilt on every switch."""
    merged = type(node)._merge_bindings()
    node._bindings = BindingsMap.from_keys(
        {
            key: [replace(binding, description=_(binding.description)) for binding in bindings]
            for key, bindings in merged.key_to_bindings.items()
        }
    )


class KioskScreen(Screen[Any]):
    """A step of the journey. Subclasses give `heading()` and `body()`."""

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        translate_bindings(self)

    # -- what the screen shows --------------------------------------------------------------

    def heading(self) -> str:
        """The title in the top bar, in the current language."""
        return _("Reserva de horas de extranjería")

    def body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def compose(self) -> ComposeResult:
        yield TopBar(self.heading())
        yield from self.body()
        yield Footer(show_command_palette=False)

    # -- shared helpers ---------------------------------------------------------------------

    @property
    def kiosk(self) -> Any:
        """The application (typed loosely: screens never import `kiosk`)."""
        return self.app

    @property
    def store(self) -> Any:
        return self.kiosk.store

    @property
    def session(self) -> Session:
        session = self.kiosk.session
        assert session is not None, "this screen needs a logged-in applicant"
        return session

    def call_store(
        self,
        job: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[Any], None] | None = None,
        errors: tuple[type[Exception], ...] = (StoreError,),
    ) -> bool:
        """Run `job` in a thread worker, then `done(result)` on the UI thread.

        A refusal (any of `errors`) goes to `failed` (or a dialog saying why). While a job runs, further calls
        are ignored and return False: that is what stops a double press (K3)."""
        if self.busy:
            return False
        self.busy = True
        self.add_class("-busy")

        def finish(callback: Callable[..., None], value: Any) -> None:
            self.busy = False
            self.remove_class("-busy")
            callback(value)

        def run() -> None:
            try:
                result = job()
            except errors as error:
                self.app.call_from_thread(finish, failed or self.show_refusal, error)
            except Exception:
                log.exception("store call failed")
                self.app.call_from_thread(finish, self.show_failure, None)
            else:
                self.app.call_from_thread(finish, done, result)

        self.run_worker(run, thread=True, group="store", exit_on_error=False)
        return True

    def show_refusal(self, error: StoreError) -> None:
        """One clear sentence in the person's language (never a traceback)."""
        from screens.dialogs.message import MessageDialog

        self.app.push_screen(MessageDialog(_("No fue posible"), say(error.message)))

    def show_failure(self, _unused: object = None) -> None:
        from screens.dialogs.message import MessageDialog

        self.app.push_screen(
            MessageDialog(
                _("Algo salió mal"),
                _("No se guardó nada. Inténtelo de nuevo o pida ayuda en el mesón de atención."),
            )
        )

    # -- language ---------------------------------------------------------------------------

    async def relabel(self) -> None:
        """Redraw in the new language, keeping whatever the person had typed or chosen."""
        kept: dict[str, Any] = {}
        for widget in self.query("Input, Checkbox, Switch, Select"):
            if widget.id and isinstance(widget, Input | Checkbox | Switch | Select):
                kept[widget.id] = widget.value
        radio = {w.id: w.pressed_index for w in self.query(RadioSet) if w.id}
        focused = self.focused.id if self.focused else None
        translate_bindings(self)
        await self.recompose()
        for widget_id, value in kept.items():
            for widget in self.query(f"#{widget_id}"):
                if isinstance(widget, Input | Checkbox | Switch | Select):
                    with widget.prevent(Input.Changed, Checkbox.Changed, Select.Changed):
                        widget.value = value
        for widget_id, index in radio.items():
            for radio_set in self.query(f"#{widget_id}").results(RadioSet):
                if index >= 0:
                    radio_set.query(RadioButton)[index].value = True
        self.after_relabel()
        if focused:
            for widget in self.query(f"#{focused}"):
                widget.focus()

    def after_relabel(self) -> None:
        """Hook: restore anything `relabel` cannot see (a disabled field, a shown panel)."""

    @on(TopBar.LanguageChosen)
    def _language_chosen(self, event: TopBar.LanguageChosen) -> None:
        self.kiosk.set_language(event.language)
