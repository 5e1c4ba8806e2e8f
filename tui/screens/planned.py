"""Screens whose features are still being built: each says what it will do and how to get there meanwhile."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import AppScreen


class PlannedScreen(AppScreen):
    DEFAULT_CSS = """
    PlannedScreen .purpose {
        margin: 1 2;
        padding: 1 2;
        border: round $primary;
        height: auto;
    }
    """

    def __init__(self, mode: str, title: str, purpose: str) -> None:
        super().__init__(mode)
        self.title = title
        self.purpose = purpose

    def compose_body(self) -> ComposeResult:
        yield Static(f"[b]{self.title}[/b]\n\n{self.purpose}\n\n[dim]Not built yet.[/dim]", classes="purpose")
