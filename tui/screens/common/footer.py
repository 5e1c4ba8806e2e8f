"""The footer of key bindings every screen of the app shows: `? Help` first, and as many rows as its keys need, so
no key is ever cut in half at the screen's edge (Textual's footer is one row, clipped)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_CLASS = "-command-palette"  # Textual's class for the ctrl+p key, docked right


def key_width(key: Widget) -> int:
    """Cells a footer key takes: " key " then "description " (the paddings of Textual's footer keys)."""
    if not isinstance(key, FooterKey):
        return 12  # a key group (the app binds none): a guess, a row too many at worst
    described = cell_len(key.description) + 1 if key.description else 0
    return cell_len(key.key_display) + 2 + described


def wrap_widths(widths: list[int], room: int) -> list[int]:
    """How many keys go on each row, in order, each row at most `room` cells (a key wider than that alone)."""
    rows: list[int] = []
    used = room + 1  # start a new row on the first key
    for width in widths:
        if used + width > room or not rows:
            rows.append(0)
            used = 0
        rows[-1] += 1
        used += width
    return rows


class AppFooter(Footer):
    """Redone only while its screen shows, once however many changes come together, and again when the width of
    the terminal changes how its keys wrap."""

    DEFAULT_CSS = """
    AppFooter { height: auto; layout: vertical; }
    AppFooter > .footer-row { width: 1fr; height: 1; }
    """

    _recompose_due = False
    _rows: list[int] | None = None  # keys per row, as composed
    _composed: tuple[object, ...] | None = None  # the keys and width last composed

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Textual's Footer recomposes on every change, shown or not: a pod list under a dialog and a copy screen
        # did twice (a few dozen keys each time) as the copy started, holding the GIL its worker needed. A hidden
        # screen loses nothing: showing it again (its resume) is a change of its own.
        if screen is not self.app.screen:
            return
        self._bindings_ready = True
        self._recompose_soon()

    def _recompose_soon(self) -> None:
        if self.app.app_focus and self.is_attached and not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_due = False
        wanted = self._keys_wanted()
        if wanted == self._composed:  # a screen's first show signals its focus, then its resume: the same keys
            return
        self._composed = wanted
        await self.recompose()

    def _keys_wanted(self) -> tuple[object, ...]:
        shown = self.screen.active_bindings.values()
        keys = tuple((b.key, b.description, b.action, on, tip) for _, b, on, tip in shown if b.show)
        return keys, self.size.width or self.app.size.width

    def on_resize(self, event: events.Resize) -> None:
        if self._rows is not None and self._rows != self._wrap(self._keys_now(), event.size.width):
            self._recompose_soon()

    def _keys_now(self) -> list[Widget]:
        return [key for key in self.query(FooterKey) if not key.has_class(PALETTE_CLASS)]

    def _wrap(self, keys: list[Widget], width: int) -> list[int]:
        palette = 12 if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else 0  # "▏^p palette "
        return wrap_widths([key_width(key) for key in keys], max(1, width - palette))

    def compose(self) -> ComposeResult:
        items = list(super().compose())  # the app binds no key groups, so the items can be reordered
        items.sort(key=lambda item: getattr(item, "action", None) != "show_help")  # FooterKey.action
        keys = [item for item in items if not item.has_class(PALETTE_CLASS)]
        self._rows = self._wrap(keys, self.size.width or self.app.size.width)
        start = 0
        for count in self._rows:
            yield HorizontalGroup(*keys[start : start + count], classes="footer-row")
            start += count
        yield from (item for item in items if item.has_class(PALETTE_CLASS))
