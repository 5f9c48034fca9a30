"""Form fields with their message underneath, validated as the person types (A2–A7).

The check itself is the store's (`store.forms.field_problem` and friends): the widget only asks
"what is wrong with this, as typed?" and shows the answer in the person's language."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Static

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
