"""The port question of `f`: a declared port from the list (↑↓, Enter), or whatever is typed. Unlike a name
picker, typed text is never narrowed to a listed port: "80" must not become "8080"."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class PortChoiceScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="forward-port.cancel")]
    DEFAULT_CSS = """
    PortChoiceScreen { align: center middle; }
    PortChoiceScreen > Vertical {
        width: 70; height: auto; max-height: 80%; padding: 1 2; border: thick $primary; background: $surface;
    }
    PortChoiceScreen OptionList { height: auto; max-height: 12; }
    PortChoiceScreen #problem { color: $text-warning; }
    PortChoiceScreen Label { width: 100%; }
    """

    def __init__(self, title: str, choices: list[str], hint: str) -> None:
        super().__init__()
        self.title_text, self.choices, self.hint = title, choices, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False)
            yield Label(self.hint, id="problem", markup=False)
            yield Input(placeholder="Enter: the highlighted port, or type one", id="port-input")
            choices = OptionList(*(Option(Content(choice), id=choice) for choice in self.choices), id="port-choices")
            choices.display = bool(self.choices)  # nothing declared: no empty list under the field
            yield choices

    def on_mount(self) -> None:
        if self.choices:
            self.query_one(OptionList).highlighted = 0
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if typed := event.value.strip():
            self.dismiss(typed)
            return
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(str(options.get_option_at_index(options.highlighted).id))

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))

    def key_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()
