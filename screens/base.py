"""What every kiosk screen shares: the top bar, the footer, store calls in workers, relabelling,
and the outcome messages through which a screen says its step is done.

A screen never decides which screen comes next and never imports another screen: it posts an
`Outcome` (a dataclass message nested in the screen, e.g. `LoginScreen.LoggedIn`) and the
journey (`screens/journey.py`) maps it to the next step.

Store calls block (argon2, disk), so they run in thread workers; while one runs the screen
ignores further presses (K3: a double press never books or prints twice). One handler, here,
turns the worker's end into the screen's next move, a refusal dialog or an error dialog."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast, overload

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Select
from textual.worker import Worker, WorkerState

from screens.assisting import assisting_line
from screens.text import _, say
from screens.widgets.topbar import TopBar
from store.errors import StoreError

if TYPE_CHECKING:
    from screens.host import Host
    from screens.session import Session
    from store import Store

T = TypeVar("T")
E = TypeVar("E", bound=Exception)
log = logging.getLogger("kiosk.screens")


class Outcome(Message):
    """A step is done. Subclasses are `@dataclass`es nested in the screen that posts them; the
    application hands each one to its journey, which shows the next step."""


def translate_bindings(node: DOMNode) -> None:
    """Footer labels in the current language (K4).

    Binding descriptions are fixed when a class is defined, so they are written as Spanish
    msgids (`N_`) and each screen gets its own translated copy, rebuilt on every switch."""
    merged = type(node)._merge_bindings()
    node._bindings = BindingsMap.from_keys(
        {
            # An empty description stays empty: gettext("") is the catalogue's header.
            key: [
                replace(
                    binding,
                    description=_(binding.description) if binding.description else "",
                    # A key's name as the keyboard prints it: RePág, PgUp.
                    key_display=_(binding.key_display) if binding.key_display else None,
                )
                for binding in bindings
            ]
            for key, bindings in merged.key_to_bindings.items()
        }
    )


@dataclass(frozen=True)
class _StoreCall(Generic[T]):
    """What to do when a store call's worker ends."""

    done: Callable[[T], object]
    failed: Callable[..., None] | None
    errors: tuple[type[Exception], ...]


async def redraw_in_language(screen: Screen[Any]) -> None:
    """K4: compose a screen (or a dialog) again in the language now in use, with the values
    typed or chosen and the focus as they were; its footer labels too."""
    # Imported here, not before the first screen (issue 19): the welcome screen has no switch
    # and no radio buttons.
    from textual.widgets import RadioButton, RadioSet, Switch

    kept: dict[str, Any] = {}
    for widget in screen.query("Input, Checkbox, Switch, Select"):
        if widget.id and isinstance(widget, Input | Checkbox | Switch | Select):
            kept[widget.id] = widget.value
    radio = {w.id: w.pressed_index for w in screen.query(RadioSet) if w.id}
    focused = screen.focused.id if screen.focused else None
    translate_bindings(screen)
    await screen.recompose()
    for widget_id, value in kept.items():
        for widget in screen.query(f"#{widget_id}"):
            if isinstance(widget, Input | Checkbox | Switch | Select):
                with widget.prevent(Input.Changed, Checkbox.Changed, Select.Changed):
                    widget.value = value
    for widget_id, index in radio.items():
        for radio_set in screen.query(f"#{widget_id}").results(RadioSet):
            if index >= 0:
                radio_set.query(RadioButton)[index].value = True
    if focused:
        for widget in screen.query(f"#{focused}"):
            _focus_at(widget)


def _focus_at(widget: Widget) -> None:
    """Focus `widget` again after a redraw, or, when it is not shown any more (an open list
    that the redraw closed), the first control shown beside it: never nothing (K5)."""
    for place in (widget, *widget.ancestors):
        if not isinstance(place, Widget):
            break
        for candidate in (place, *place.query("*")):
            if (
                candidate.focusable
                and candidate.display
                and all(getattr(a, "display", True) for a in candidate.ancestors)
            ):
                candidate.focus(scroll_visible=True)
                return


class KioskScreen(Screen[None]):
    """A step of the journey. Subclasses give `heading()` and `body()`."""

    # K8: an applicant's step shows, in assisted mode, who is served and by whom.
    SERVES_A_PERSON: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        self._calls: dict[Worker[Any], _StoreCall[Any]] = {}
        translate_bindings(self)

    # -- what the screen shows --------------------------------------------------------------

    def heading(self) -> str:
        """The title in the top bar, in the current language."""
        return _("Reserva de horas de extranjería")

    def body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def compose(self) -> ComposeResult:
        banner = assisting_line(self.host) if self.SERVES_A_PERSON else None
        yield TopBar(self.heading(), banner)
        yield from self.body()
        yield Footer(show_command_palette=False)

    # -- the application, as a screen may see it --------------------------------------------

    @property
    def host(self) -> Host:
        """The application through its typed seam (screens never import `kiosk`)."""
        return cast("Host", self.app)

    @property
    def store(self) -> Store:
        return self.host.store

    @property
    def session(self) -> Session:
        session = self.host.session
        assert session is not None, "this screen needs a logged-in applicant"
        return session

    def action_back(self) -> None:
        """Back to the step before (escape, or the screen's "Volver" button)."""
        self.dismiss()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    # -- store calls in workers -------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A store call is running; the screen ignores presses meanwhile (K3)."""
        return bool(self._calls)

    @overload
    def call_store(
        self,
        job: Callable[[], T],
        done: Callable[[T], object],
        failed: Callable[[StoreError], None] | None = None,
    ) -> bool: ...

    @overload
    def call_store(
        self,
        job: Callable[[], T],
        done: Callable[[T], object],
        failed: Callable[[E], None],
        errors: tuple[type[E], ...],
    ) -> bool: ...

    def call_store(
        self,
        job: Callable[[], T],
        done: Callable[[T], object],
        failed: Callable[..., None] | None = None,
        errors: tuple[type[Exception], ...] = (StoreError,),
    ) -> bool:
        """Run `job` in a thread worker, then `done(result)` on the UI thread.

        A refusal (any of `errors`) goes to `failed` (or a dialog saying why); anything else is
        logged and the person is told nothing was saved. While a job runs, further calls are
        ignored and return False: that is what stops a double press (K3)."""
        if self.busy:
            return False
        self.add_class("-busy")
        worker = self.run_worker(job, thread=True, group="store", exit_on_error=False)
        self._calls[worker] = _StoreCall(done, failed, errors)
        return True

    @on(Worker.StateChanged)
    def _store_call_ended(self, event: Worker.StateChanged) -> None:
        """The one place a store call's end is turned into what the person sees."""
        call = self._calls.get(event.worker)
        if call is None or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        del self._calls[event.worker]
        self.remove_class("-busy")
        error = event.worker.error
        if event.state == WorkerState.SUCCESS:
            call.done(event.worker.result)
        elif isinstance(error, call.errors) and call.failed is not None:
            call.failed(error)
        elif isinstance(error, StoreError) and StoreError in call.errors:
            self.show_refusal(error)
        else:
            log.error("store call failed", exc_info=error)
            self.show_failure()

    def show_refusal(self, error: StoreError) -> None:
        """One clear sentence in the person's language (never a traceback)."""
        from screens.dialogs.message import MessageDialog  # not before the first screen

        self.app.push_screen(MessageDialog(lambda: _("No fue posible"), lambda: say(error.message)))

    def show_failure(self) -> None:
        from screens.dialogs.message import MessageDialog  # not before the first screen

        self.app.push_screen(
            MessageDialog(
                lambda: _("Algo salió mal"),
                lambda: _(
                    "No se guardó nada. Inténtelo de nuevo o pida ayuda en el mesón de atención."
                ),
            )
        )

    # -- language ---------------------------------------------------------------------------

    async def relabel(self) -> None:
        """Redraw in the new language, keeping whatever the person had typed or chosen."""
        await redraw_in_language(self)
        self.after_relabel()

    def after_relabel(self) -> None:
        """Hook: restore anything `relabel` cannot see (a disabled field, a shown panel)."""

    @on(TopBar.LanguageChosen)
    def _language_chosen(self, event: TopBar.LanguageChosen) -> None:
        self.host.set_language(event.language)
