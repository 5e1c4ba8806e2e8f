"""Small modal dialogs shared by the screens: confirm a destructive action, pick one of several names."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option


class ConfirmScreen(ModalScreen[bool]):
    """Asks before anything is destroyed; Cancel has the focus, so a stray Enter destroys nothing."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel", id="dialog.cancel")]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: auto; max-width: 90%; height: auto; padding: 1 2;
        border: thick $error; background: $surface;
    }
    ConfirmScreen Label { margin-bottom: 1; max-width: 100%; }  /* wrapped at the dialog's edge, not cut */
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """

    def __init__(self, question: str, action_label: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.action_label = action_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="question", markup=False)  # names and paths may hold [ ]
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.action_label, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")


class ChoiceScreen(ModalScreen[str | None]):
    """Pick a name from a list, or type one that is not listed (e.g. a namespace you may not list)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="dialog.cancel")]
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical {
        width: 60; height: auto; max-height: 80%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ChoiceScreen Label { width: 100%; }  /* wrapped: a Label is as wide as its text, and cut at the edge */
    ChoiceScreen OptionList { height: auto; max-height: 20; }
    ChoiceScreen #problem { color: $text-error; }
    """

    def __init__(self, title: str, choices: list[str], current: str | None = None, problem: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False)
            if self.problem:
                yield Label(self.problem, id="problem", markup=False)
            yield Input(placeholder="type to narrow, Enter to choose", id="choice-input")
            yield OptionList(*(Option(Content(c), id=c) for c in self.choices), id="choices")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in self.choices:
            options.highlighted = self.choices.index(self.current)
        self.query_one(Input).focus()

    @on(Input.Changed)
    def narrow(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        text = event.value.lower()
        shown = [c for c in self.choices if text in c.lower()]
        options.add_options([Option(Content(c), id=c) for c in shown])
        if shown:  # what was typed exactly, if listed ("sh" must not pick "bash"), else the first
            exact = [i for i, c in enumerate(shown) if c.lower() == text.strip()]
            options.highlighted = exact[0] if exact else 0

    @on(Input.Submitted)
    def choose_typed(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(str(options.get_option_at_index(options.highlighted).id))
        elif event.value.strip():
            self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected)
    def choose(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))

    def key_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()
