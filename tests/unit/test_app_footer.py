"""The app's footer is redone only while its screen shows, and shows what changed while it was hidden once it is
back (a screen's resume refreshes its bindings)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tui.screens.common.base import AppFooter


class Below(Screen[None]):
    BINDINGS = [Binding("a", "alpha", "Alpha"), Binding("b", "beta", "Beta")]

    def __init__(self) -> None:
        super().__init__()
        self.beta_shown = True
        self.recomposed = 0

    def compose(self) -> ComposeResult:
        yield Static("below")
        yield CountingFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.beta_shown if action == "beta" else True


class CountingFooter(AppFooter):
    async def recompose(self) -> None:
        assert isinstance(self.screen, Below)
        self.screen.recomposed += 1
        await super().recompose()


class Above(Screen[None]):
    BINDINGS = [Binding("x", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        yield AppFooter()


class FooterApp(App[None]):
    ENABLE_COMMAND_PALETTE = False

    def on_mount(self) -> None:
        self.push_screen(Below())


def keys(screen: Screen[None]) -> list[str]:
    return [key.description for key in screen.query(FooterKey)]


async def test_a_hidden_screens_footer_waits_and_shows_what_changed_once_it_is_back() -> None:
    app = FooterApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        below = app.screen
        assert isinstance(below, Below)
        assert keys(below) == ["Alpha", "Beta"]
        app.push_screen(Above())
        await pilot.pause()
        before = below.recomposed
        below.beta_shown = False
        for _ in range(3):
            below.refresh_bindings()  # changes while hidden: nothing is redone
        await pilot.pause()
        assert below.recomposed == before
        assert keys(app.screen) == ["Close"]
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is below
        assert keys(below) == ["Alpha"]  # what changed while it was hidden
        assert below.recomposed == before + 1  # once, however many changes came together
