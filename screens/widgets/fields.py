"""Form fields with their message underneath, validated as the person types (A2–A7).

The check itself is the store's (`store.forms.field_problem` and friends): the widget only asks
"what is wrong with this, as typed?" and shows the answer in the person's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message as TextualMessage
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, RadioSet, Select, Static

from screens.widgets.toggles import TickBox
from store.text import Message

Check = Callable[[str, str], Message | None]


class StoreCheck(Validator):
    """A Textual validator that asks the store's validation what is wrong with a field."""

    def __init__(self, field: str, check: Check, render: Callable[[Message], str]) -> None:
        super().__init__()
        self.field = field
        self._check = check
        self._render = render

    def validate(self, value: str) -> ValidationResult:
        problem = self._check(self.field, value)
        return self.success() if problem is None else self.failure(self._render(problem))


class FormField(Vertical):
    """A label, the input (or any widget), and the message under it."""

    def __init__(self, label: str, widget: Widget, field: str, hint: str | None = None) -> None:
        super().__init__(classes="field", id=f"field-{field}")
        self._label = label
        self._widget = widget
        self._hint = hint
        self.field = field

    def compose(self) -> ComposeResult:
        yield Label(self._label)
        if self._hint:
            yield Static(self._hint, classes="lead field-hint")
        yield self._widget
        yield Static("", classes="field-error", id=f"{self.field}-error")

    def show(self, message: str | None) -> None:
        """Show (or clear) the message under the field."""
        self.query_one(".field-error", Static).update(message or "")
        if isinstance(self._widget, Input):
            self._widget.set_class(bool(message), "-invalid")


class NewPasswordFields(Vertical):
    """A9, C10: a new password typed twice. Enter in the first goes to the second; Enter in the
    second (or the screen's "Guardar contraseña" calling `submit`) posts `Chosen` once both
    match, else says so under the second. The rules of a good password are the store's."""

    DEFAULT_CSS = "NewPasswordFields { height: auto; }"

    @dataclass
    class Chosen(TextualMessage):
        """Both fields hold the same new password."""

        password: str

    def compose(self) -> ComposeResult:
        from screens.text import _

        yield FormField(_("Contraseña nueva"), Input(id="new", password=True), "new")
        yield FormField(
            _("Repita la contraseña nueva"), Input(id="repeat", password=True), "repeat"
        )

    def focus_first(self) -> None:
        self.query_one("#new").focus()

    @on(Input.Submitted, "#new")
    def _to_repeat(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#repeat").focus()

    @on(Input.Submitted, "#repeat")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        """Check that both say the same; post `Chosen` if they do."""
        from screens.text import _

        new = self.query_one("#new", Input).value
        repeat = self.query_one("#repeat", Input)
        self.query_one("#field-new", FormField).show(None)
        if new != repeat.value:
            self.query_one("#field-repeat", FormField).show(
                _("Las dos contraseñas no coinciden: escríbala otra vez.")
            )
            repeat.value = ""
            repeat.focus()
            return
        self.query_one("#field-repeat", FormField).show(None)
        self.post_message(self.Chosen(new))

    def refused(self, text: str, *, clear: bool = False) -> None:
        """The store's refusal under the first field (`clear`: both fields emptied)."""
        self.query_one("#field-new", FormField).show(text)
        if clear:
            for field in ("#new", "#repeat"):
                self.query_one(field, Input).value = ""
        self.focus_first()


class FormCheckbox(TickBox, inherit_bindings=False):
    """K5 in a form: Space ticks or unticks; Enter goes on to the next field as it does from
    every text field, so pressing it in passing never changes an answer."""

    BINDINGS = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "app.focus_next", show=False),
    ]


class FormChoices(RadioSet, inherit_bindings=False):
    """K5 in a form: the arrows move between the answers, Space chooses one, and Enter chooses
    the one under the cursor and goes on to the next field, as Enter does everywhere in a form
    (a keypad with arrows and Enter alone gets past it)."""

    BINDINGS = [
        Binding("down,right", "next_button", show=False),
        Binding("up,left", "previous_button", show=False),
        Binding("space", "toggle_button", show=False),
        Binding("enter", "choose_and_go_on", show=False),
    ]

    def action_choose_and_go_on(self) -> None:
        self.action_toggle_button()
        self.screen.focus_next()


class FormSelect(Select[str], inherit_bindings=False):
    """K5 in a form: Enter or Space opens the list; up and down move to the field above and
    below, as from a text field (Textual's drop-down opens its list on them too, so a keypad that
    had chosen could never leave it)."""

    BINDINGS = [
        Binding("enter,space", "show_overlay", show=False),
        Binding("down", "app.focus_next", show=False),
        Binding("up", "app.focus_previous", show=False),
    ]
