"""What every screen of the app shares: the status line on top, the footer of key bindings below, and a line that
says what failed unexpectedly."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from tui.screens.common.failures import WorkerFailures
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


class FailureLine(Static):
    """Above the footer, shown only while it has something to say: what failed, until a newer failure or
    SHOW_S later (the notification and the log keep it too)."""

    DEFAULT_CSS = """
    FailureLine { dock: bottom; height: auto; max-height: 3; padding: 0 1; color: $text-error; text-style: bold;
                  display: none; }
    FailureLine.-shown { display: block; }
    """
    SHOW_S = 30.0
    _timer: Timer | None = None

    def say(self, text: str) -> None:
        self.update(text)
        self.add_class("-shown")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.SHOW_S, self.clear)

    def clear(self) -> None:
        self.update("")
        self.remove_class("-shown")


class AppScreen(WorkerFailures, Screen[None]):
    """A top-level screen (one per mode). Subclasses compose their body only."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield ScreenTabs(self.mode)
        yield from self.compose_body()
        yield AppFooter()
        yield FailureLine(markup=False)

    def show_failure(self, text: str) -> None:
        self.query_one(FailureLine).say(text)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError
