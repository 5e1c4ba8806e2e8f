"""What every screen of the app shares: the status line on top, the footer of key bindings below."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from tui.widgets.screen_tabs import ScreenTabs
from tui.widgets.status_line import StatusLine


class AppFooter(Footer):
    """The footer with `? Help` first, so it stays visible however many keys the screen has."""

    def compose(self) -> ComposeResult:
        items = list(super().compose())  # the app binds no key groups, so the items can be reordered
        items.sort(key=lambda item: getattr(item, "action", None) != "show_help")  # FooterKey.action
        yield from items


class AppScreen(Screen[None]):
    """A top-level screen (one per mode). Subclasses compose their body only."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield ScreenTabs(self.mode)
        yield from self.compose_body()
        yield AppFooter()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError
