"""What every screen of the app shares: the status line on top, the footer of key bindings below (footer.py), a
line that says what failed unexpectedly, and keys that work alike everywhere (Esc in a field, Home/End in a
table)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea

from tui.screens.common.failures import WorkerFailures
from tui.screens.common.footer import AppFooter as AppFooter  # re-exported: screens import it from here
from tui.screens.common.table_keys import TableKeys
from tui.widgets.screen_tabs import ScreenTabs
from tui.widgets.status_line import StatusLine


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


class AppScreen(WorkerFailures, TableKeys, Screen[None]):
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

    async def on_key(self, event: events.Key) -> None:
        """Esc in a text field always gives the keys back: the screen's own Esc runs (a filter's clears it, a
        prompt's cancels it) and, if the field still has the focus after it (the Push form has no Esc of its own),
        the focus goes back to the screen. Typed digits, `?` and letters are then keys again, not text."""
        field = self.focused
        if event.key != "escape" or not isinstance(field, Input | TextArea):
            return
        event.stop()  # the app would run the screen's Esc next: done here, before the focus is checked
        own = self.active_bindings.get("escape")
        if own is not None and own.enabled:
            await self.app.run_action(own.binding.action, own.node)
        if self.focused is field:
            self.set_focus(None)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError
