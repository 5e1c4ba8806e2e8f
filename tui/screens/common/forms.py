"""A modal form: labelled text fields and switches, returned as a dict (or None when cancelled)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from tui.widgets.tick_box import TickBox


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    default: str = ""
    placeholder: str = ""
    switch: bool = False  # a yes/no Checkbox instead of a text Input
    required: bool = False


FormValues = dict[str, str | bool]
Check = Callable[[FormValues], str | None]  # a form's own check: a problem in words, or None


class FormScreen(ModalScreen[FormValues | None]):
    # The scroll container is focusable too: without this the first keys typed would go to it, not a field.
    AUTO_FOCUS = "Input, Checkbox"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "OK", id="form.ok"),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical {
        width: 90; max-width: 95%; height: auto; max-height: 90%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    /* Only the fields scroll: the title, the problem and the buttons stay in view in a short terminal. */
    FormScreen VerticalScroll { height: auto; max-height: 60vh; }
    FormScreen Label { width: 100%; }  /* wrapped: a Label is as wide as its text, and cut at the form's edge */
    FormScreen .form-title { text-style: bold; margin-bottom: 1; }
    FormScreen .form-label { margin-top: 1; color: $text-muted; }
    FormScreen #form-problem { color: $text-error; margin-top: 1; }
    FormScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    FormScreen Button { margin-left: 2; }
    """

    def __init__(
        self,
        title: str,
        fields: list[Field],
        ok_label: str = "OK",
        note: str = "",
        check: Check | None = None,
        *,
        enter_moves_on: bool = False,
    ) -> None:
        """`check` looks at the values before the form closes: what it returns is said, and the form stays open.
        `enter_moves_on`: Enter in a text field goes to the next one, only the last text field's Enter submits (for
        a form where an early Enter would start something with fields left unfilled)."""
        super().__init__()
        self.enter_moves_on = enter_moves_on
        self.form_title = title
        self.fields = fields
        self.ok_label = ok_label
        self.note = note
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.form_title, classes="form-title", markup=False)
            yield from self._fields()
            yield Label("", id="form-problem", markup=False)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.ok_label, id="ok", variant="primary")

    def _fields(self) -> ComposeResult:
        with VerticalScroll():
            if self.note:
                yield Label(self.note, markup=False)
            for field in self.fields:
                if field.switch:
                    yield TickBox(field.label, value=field.default == "yes", id=f"field-{field.name}")
                else:
                    yield Label(field.label + (" *" if field.required else ""), classes="form-label", markup=False)
                    yield Input(field.default, placeholder=field.placeholder, id=f"field-{field.name}")

    def values(self) -> FormValues:
        values: FormValues = {}
        for field in self.fields:
            if field.switch:
                values[field.name] = self.query_one(f"#field-{field.name}", Checkbox).value
            else:
                values[field.name] = self.query_one(f"#field-{field.name}", Input).value.strip()
        return values

    def action_submit(self) -> None:
        values = self.values()
        missing = [f.label for f in self.fields if f.required and not values[f.name]]
        problem = f"needed: {', '.join(missing)}" if missing else self.check(values) if self.check else None
        if problem:
            self.query_one("#form-problem", Label).update(problem)
            return
        self.dismiss(values)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if self.enter_moves_on and event.input is not self.query(Input).last():
            self.focus_next()
            return
        self.action_submit()

    @on(Button.Pressed, "#ok")
    def ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
