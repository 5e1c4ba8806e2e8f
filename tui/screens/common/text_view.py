"""A pushed screen that shows a long text (describe output, a manifest): scrollable, optionally highlighted."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.models.logs.safe_text import safe_lines
from tui.screens.common.footer import AppFooter


class TextViewScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="textview.back"),
    ]
    DEFAULT_CSS = """
    TextViewScreen #heading { dock: top; height: 1; padding: 0 1; background: $panel; text-style: bold; }
    TextViewScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, heading: str, text: str, syntax: str | None = None) -> None:
        super().__init__()
        self.heading = heading
        self.text = safe_lines(text)  # describe output holds what pods and users wrote: never terminal commands
        self.syntax = syntax

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="heading", markup=False)
        body = (
            Syntax(self.text, self.syntax, theme="ansi_dark", word_wrap=False, background_color="default")
            if self.syntax
            else Text(self.text)
        )
        with VerticalScroll():
            yield Static(body, id="text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
