"""What every screen of the app shares: the status line on top, the footer of key bindings below."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from tui.widgets.screen_tabs import ScreenTabs
from tui.widgets.status_line import StatusLine


class AppFooter(Footer):
    """The footer with `? Help` first, so it stays visible however many keys the screen has; redone only while its
    screen shows, once however many changes come together."""

    _recompose_due = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Textual's Footer recomposes on every change, shown or not: a pod list under a dialog and a copy screen
        # did twice (a few dozen keys each time) as the copy started, holding the GIL its worker needed. A hidden
        # screen loses nothing: showing it again (its resume) is a change of its own.
        if screen is not self.app.screen:
            return
        self._bindings_ready = True
        if self.app.app_focus and self.is_attached and not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_due = False
        await self.recompose()

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
