"""The footer wraps its keys onto more rows instead of cutting them at the screen's edge, and re-wraps when the
terminal's width changes."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from tui.screens.common.footer import AppFooter, wrap_widths


def test_keys_wrap_in_order_and_a_too_wide_key_gets_a_row_of_its_own() -> None:
    assert wrap_widths([], 10) == []
    assert wrap_widths([4, 4, 4], 10) == [2, 1]
    assert wrap_widths([4, 6, 4], 10) == [2, 1]  # exactly full
    assert wrap_widths([3, 12, 3], 10) == [1, 1, 1]


class Many(Screen[None]):
    BINDINGS = [Binding(key, f"noop('{key}')", f"Action {key}") for key in "abcdefghijkl"]

    def compose(self) -> ComposeResult:
        yield AppFooter()

    def action_noop(self, _: str) -> None:
        pass


class FooterApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Many())


def rows(app: App[None]) -> int:
    return len({key.region.y for key in app.screen.query(FooterKey) if not key.has_class("-command-palette")})


async def test_the_footer_rewraps_when_the_terminal_gets_wider_or_narrower() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        assert rows(app) == 3  # 12 keys of 12 cells (" a Action a "), five a row in the 68 beside the palette key
        await pilot.resize_terminal(220, 20)
        await pilot.pause()
        await pilot.pause()
        assert rows(app) == 1
        await pilot.resize_terminal(80, 20)
        await pilot.pause()
        await pilot.pause()
        assert rows(app) == 3
