"""A terminal widget: draws a TerminalEmulator (only the rows on screen, Textual's Line API) and sends every key,
paste and (when the program asks) mouse event to the program behind it.

Every key goes to the program - ctrl+c, ctrl+d, ctrl+z, tab, arrows, function keys, alt combinations, the app's
own keys too - except the escape chord ctrl+] (gives the keys back to the app, the session lives on) and
shift+PgUp/PgDn (scrollback, as in xterm). Once the session has ended (`ended`) no key is the program's: they are
the app's, and the screen stays readable and scrollable — except while `holding`: the session was cut off while the
user was in it (it had printed or been typed into), and what they type on is dropped until ctrl+], never taken as
the app's keys by surprise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.models.terminal.emulator import TerminalEmulator
from tui.models.terminal.keys import encode_key, encode_mouse, encode_paste
from tui.models.terminal.rows import AttrKey, Row, row_runs

ESCAPE_CHORD = "ctrl+right_square_bracket"
ESCAPE_CHORD_DISPLAY = "ctrl+]"
WHEEL_ROWS = 3
PAINT_WAIT_S = 0.25
_OWN_KEYS = frozenset({ESCAPE_CHORD, "shift+pageup", "shift+pagedown"})


class TerminalView(Widget, can_focus=True):
    """Shows one session's screen; `send` takes the bytes for the program, `on_resize` its new size."""

    BINDINGS = [
        Binding(ESCAPE_CHORD, "release", "Back to the app", key_display=ESCAPE_CHORD_DISPLAY, priority=True,
                id="terminal.release"),
        Binding("shift+pageup", "scrollback(1)", "Scroll back", key_display="shift+PgUp", priority=True,
                id="terminal.scroll-back"),
        Binding("shift+pagedown", "scrollback(-1)", "Scroll forward", key_display="shift+PgDn", priority=True,
                id="terminal.scroll-forward"),
    ]  # fmt: skip
    DEFAULT_CSS = """
    TerminalView { width: 1fr; height: 1fr; background: $surface; color: $foreground; }
    TerminalView > .terminal--scrollback { background: $warning; color: $background; }
    """
    COMPONENT_CLASSES = {"terminal--scrollback"}

    @dataclass
    class Released(Message):
        """The user pressed the escape chord: the app should take the keys back."""

        view: TerminalView

    def __init__(
        self,
        emulator: TerminalEmulator,
        send: Callable[[bytes], None],
        on_resize: Callable[[int, int], None],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.emulator = emulator
        self._send = send
        self._on_resize = on_resize
        self.scrollback = 0  # rows scrolled back from the live screen
        self._history_seen = emulator.screen.history_added
        self._strips: dict[int, Strip] = {}
        self._styles: dict[tuple[AttrKey, bool], Style] = {}
        self._base: Style | None = None  # the widget's own look (its rich_style is costly to compute per row)
        self._after_paint: list[Callable[[], None]] = []
        self.ended = False
        self.holding = False  # cut off while the user was in it: keys are dropped until the escape chord
        self.typed = False  # the user has typed into this session

    # ---------------------------------------------------------------- output from the program

    def output_fed(self) -> None:
        """Call after feeding the emulator: changed rows are drawn again, a scrolled-back view stays put."""
        for y in self.emulator.take_dirty():
            self._strips.pop(y, None)
        added = self.emulator.screen.history_added - self._history_seen
        self._history_seen = self.emulator.screen.history_added
        if self.scrollback and added:
            self.scrollback = min(self.scrollback + added, len(self.emulator.screen.history))
        self.refresh()

    def after_paint(self, callback: Callable[[], None]) -> None:
        """Call back once what was fed has been drawn: the rows rendered for the screen's next update (Textual's
        call_after_refresh may run before a widget's refresh has been painted). Not shown (another tab, another
        screen), or not drawn within PAINT_WAIT_S (covered): called back anyway."""
        if not (self.screen.is_current and self.is_on_screen):
            self.call_later(callback)
            return
        self._after_paint.append(callback)
        asyncio.get_running_loop().call_later(PAINT_WAIT_S, self._painted, callback)

    def _painted(self, only: Callable[[], None] | None = None) -> None:
        waiting = [c for c in self._after_paint if only is None or c is only]
        self._after_paint = [c for c in self._after_paint if c not in waiting]
        for callback in waiting:
            self.call_later(callback)

    def render_lines(self, crop: Region) -> list[Strip]:
        strips = super().render_lines(crop)
        if self._after_paint:
            self._painted()  # after this update, which shows these rows
        return strips

    # ---------------------------------------------------------------- input to the program

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Every key is the program's (so no binding of the screen or the app fires) but the escape chord; none
        once the program has ended."""
        return (not self.ended or self.holding) and key not in _OWN_KEYS

    def send(self, data: bytes) -> None:
        if data and not self.ended:
            if self.scrollback:
                self.scrollback = 0
                self.refresh()
            self.typed = True
            self._send(data)

    async def _on_key(self, event: events.Key) -> None:
        if self.ended and not self.holding:
            return  # on to the screen's and the app's bindings
        event.stop()
        event.prevent_default()
        if event.key in _OWN_KEYS or self.ended:
            return
        self.send(encode_key(event.key, event.character, self.emulator.application_cursor_keys))

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.send(encode_paste(event.text, self.emulator.bracketed_paste))

    def _mouse(self, kind: str, event: events.MouseEvent, button: int) -> bool:
        tracking = self.emulator.mouse_tracking
        if not tracking or self.scrollback or self.ended:
            return False
        data = encode_mouse(
            tracking, self.emulator.mouse_sgr, kind, button, event.x, event.y, event.shift, event.meta, event.ctrl
        )
        if data:
            self._send(data)
        return True

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        if self._mouse("down", event, event.button):
            event.stop()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._mouse("up", event, event.button):
            event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._mouse("move", event, event.button):
            event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        if not self._mouse("scroll", event, 4):
            self.action_scrollback_rows(WHEEL_ROWS)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        if not self._mouse("scroll", event, 5):
            self.action_scrollback_rows(-WHEEL_ROWS)

    def on_focus(self) -> None:
        if self.emulator.focus_events and not self.ended:
            self._send(b"\x1b[I")
        self.refresh()

    def on_blur(self) -> None:
        if self.emulator.focus_events and not self.ended:
            self._send(b"\x1b[O")
        self.refresh()

    def action_release(self) -> None:
        self.holding = False
        self.post_message(self.Released(self))

    def action_scrollback(self, pages: int) -> None:
        self.action_scrollback_rows(pages * max(1, self.size.height - 1))

    def action_scrollback_rows(self, rows: int) -> None:
        history = len(self.emulator.screen.history)
        self.scrollback = max(0, min(history, self.scrollback + rows))
        self.refresh()

    # ---------------------------------------------------------------- size

    def on_resize(self, event: events.Resize) -> None:
        columns, lines = event.size.width, event.size.height
        if columns < 2 or lines < 1:
            return  # hidden (an inactive tab): keep the last real size
        if (columns, lines) != (self.emulator.columns, self.emulator.lines):
            self.emulator.resize(columns, lines)
            self._strips.clear()
            self._on_resize(columns, lines)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._styles.clear()
        self._base = None

    # ---------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        emulator = self.emulator
        base = self._base
        if base is None:
            base = self._base = self.rich_style
        if self.scrollback:
            history = emulator.screen.history
            index = len(history) - self.scrollback + y
            row: Row = history[index] if index < len(history) else emulator.screen.row(index - len(history))
            strip = self._strip(row, -1, base, width)
            return self._scrollback_label(strip, width) if y == 0 else strip
        if y >= emulator.lines:
            return Strip.blank(width, base)
        cursor_x, cursor_y = emulator.cursor
        if y == cursor_y and emulator.cursor_visible and self.has_focus and not self.ended:
            return self._strip(emulator.screen.row(y), cursor_x, base, width)
        cached = self._strips.get(y)
        if cached is None or cached.cell_length != width:
            cached = self._strips[y] = self._strip(emulator.screen.row(y), -1, base, width)
        return cached

    def _strip(self, row: Row, cursor_x: int, base: Style, width: int) -> Strip:
        style = self._style
        segments = [
            Segment(text, style(key, cursor, base))
            for text, key, cursor in row_runs(row, self.emulator.columns, cursor_x)
        ]
        return Strip(segments).adjust_cell_length(width, base)

    def _style(self, key: AttrKey, cursor: bool, base: Style) -> Style:
        cached = self._styles.get((key, cursor))
        if cached is None:
            fg, bg, bold, italics, underline, strike, reverse, blink = key
            look = Style(
                color=None if fg == "default" else fg,
                bgcolor=None if bg == "default" else bg,
                bold=bold or None,
                italic=italics or None,
                underline=underline or None,
                strike=strike or None,
                reverse=(reverse != cursor) or None,
                blink=blink or None,
            )
            cached = self._styles[(key, cursor)] = base + look
        return cached

    def _scrollback_label(self, strip: Strip, width: int) -> Strip:
        label = f" scrollback {self.scrollback}/{len(self.emulator.screen.history)} · shift+PgDn "
        if len(label) >= width:
            return strip
        style = self.get_component_rich_style("terminal--scrollback")
        return Strip.join([strip.crop(0, width - len(label)), Strip([Segment(label, style)])])
