"""The log view: draws only the lines on screen (Textual's Line API) from a LogHistory of any size.

Lines are rendered on demand (prefix, timestamp, ANSI colours, search highlights, JSON pretty-print, wrap) and
cached; appending a million lines costs nothing here but a new virtual size. Without wrap or JSON pretty-print a
row is a line. With them a line can take several rows; the view then scrolls by lines (the scroll position is the
top line) and, while following, fills the screen upwards from the last line.

Log text is data: every line is made safe by `safe_text` (tui/models/logs/safe_text.py) before it is styled, so
only its colours are rendered and no control character reaches the terminal. A line longer than LONG_LINE_BYTES is
read and drawn only where it is on screen: one row at the horizontal scroll position (a column is a byte of it),
or, wrapped, the rows at its start or end that the screen shows; it is never pretty-printed as JSON.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from tui.models.logs.match import LogMatcher, log_level, split_line
from tui.models.logs.safe_text import (
    LONG_LINE_BYTES,
    LOOKBACK_BYTES,
    cut_window,
    safe_message,
    safe_text,
    window_bytes,
)
from tui.services.logs.history import MARKER_SOURCE, LogHistory

# Rendered lines kept: about three screens. A bigger cache made floods worse: each cached line holds Strips with a
# dozen small caches each; kept for a second they outlived the young GC generations, and the full collections they
# provoked were the longest UI stalls while lines poured in.
CACHE_SCREENS = 3
SOURCE_CLASSES = [f"log-view--source-{i}" for i in range(6)]
LEVEL_CLASSES = {level: f"log-view--level-{level}" for level in ("error", "warning", "info", "debug")}
SCROLLBAR_WIDTH = 2  # (Textual's default)
BACKGROUND_PARTS = {"log-view--match", "log-view--current"}
# Theme variables that, when the theme defines them, override these parts' colours (the CSS below is the fallback:
# a variable the theme lacks cannot be named in CSS, which would fail to parse).
THEME_COLOURS = {
    "log-view--match": "log-match",  # the background of a search hit
    **{component: f"log-{level}" for level, component in LEVEL_CLASSES.items()},  # the level word's colour
}


# The part of a long line drawn: ("row", x, width) or ("start" | "end", rows, width).
Window = tuple[str, int, int]


@dataclass
class LogLook:
    """How lines are drawn; any change redraws every line."""

    timestamps: bool = False
    wrap: bool = False
    pretty_json: bool = False


class LogView(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up,k", "scroll_lines(-1)", "Up", show=False, id="logs.up"),
        Binding("down,j", "scroll_lines(1)", "Down", show=False, id="logs.down"),
        Binding("pageup", "scroll_lines(-0.9)", "Page up", show=False, id="logs.page-up"),
        Binding("pagedown", "scroll_lines(0.9)", "Page down", show=False, id="logs.page-down"),
        Binding("home,g", "top", "Top", show=False, id="logs.top"),
        Binding("end,G", "bottom", "End (follow)", show=False, id="logs.bottom"),
        Binding("left", "scroll_columns(-8)", "Left", show=False, id="logs.left"),
        Binding("right", "scroll_columns(8)", "Right", show=False, id="logs.right"),
    ]
    COMPONENT_CLASSES = {
        "log-view--timestamp",
        "log-view--marker",
        "log-view--match",
        "log-view--current",
        "log-view--placeholder",
        *SOURCE_CLASSES,
        *LEVEL_CLASSES.values(),
    }
    DEFAULT_CSS = """
    LogView { height: 1fr; background: $surface; scrollbar-size-vertical: 0; }
    LogView > .log-view--timestamp { color: $text-muted; }
    LogView > .log-view--marker { color: $text-warning; text-style: bold; }
    LogView > .log-view--match { background: $warning 60%; color: $text; text-style: bold; }
    LogView > .log-view--current { background: $accent 35%; }
    LogView > .log-view--placeholder { color: $text-muted; text-style: italic; }
    LogView > .log-view--level-error { color: $text-error; text-style: bold; }
    LogView > .log-view--level-warning { color: $text-warning; }
    LogView > .log-view--level-info { color: $text-success; }
    LogView > .log-view--level-debug { color: $text-muted; }
    LogView > .log-view--source-0 { color: $text-primary; }
    LogView > .log-view--source-1 { color: $text-success; }
    LogView > .log-view--source-2 { color: $text-warning; }
    LogView > .log-view--source-3 { color: $text-secondary; }
    LogView > .log-view--source-4 { color: $text-accent; }
    LogView > .log-view--source-5 { color: $text-error; }
    """

    @dataclass
    class FollowChanged(Message):
        """The user paused (scrolled away from the end) or resumed following."""

        following: bool

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.history: LogHistory | None = None
        self.rows: array[int] | None = None  # the filtered view: line indices; None shows every line
        self.labels: list[str] = []  # a prefix per source, shown when there is more than one
        self.look = LogLook()
        self.search: LogMatcher | None = None
        self.current: int | None = None  # the line of the current search hit
        self.placeholder = ""
        self._following = True
        self.drawn_last = -1  # the highest line index drawn so far (benchmarks read it)
        self._cache: dict[int, list[tuple[list[Segment], int]]] = {}
        self._windows: dict[int, Window] = {}  # what part of a long line its cached rows show
        self._styles: dict[str, Style] = {}
        self._frame_key: tuple[object, ...] | None = None
        self._frame: list[tuple[int, Strip | None]] = []  # None: a long line's row, drawn where it is scrolled to
        self._frame_top = 0
        self._adjusting = False
        self._shown_rows = 0
        self._drawing_size = Size(0, 0)  # the size at the start of the frame being drawn

    # ---------------------------------------------------------------- what to show

    @property
    def following(self) -> bool:
        """Whether the view stays at the last line as lines come. Meanwhile the vertical scrollbar is hidden: it
        would only sit at the bottom, and redrawing it as the log grows cost more than drawing the lines in a
        flood. Scrolling up pauses, and the scrollbar is back."""
        return self._following

    @following.setter
    def following(self, following: bool) -> None:
        if following != self._following:
            self._following = following
            self.styles.scrollbar_size_vertical = 0 if following else SCROLLBAR_WIDTH
            if self.look.wrap:  # the width to wrap at changed
                self._cache.clear()
                self._frame_key = None

    @property
    def row_count(self) -> int:
        """The rows drawn: as many as there were at the last `lines_changed`. Lines appended since are drawn with
        the next call, together with the screen's info line, so the two never disagree."""
        return self._shown_rows

    def _rows_now(self) -> int:
        if self.rows is not None:
            return len(self.rows)
        return len(self.history) if self.history is not None else 0

    def line_at(self, row: int) -> int:
        return self.rows[row] if self.rows is not None else row

    def row_of(self, line: int) -> int | None:
        """The view row showing a line, or None when the filter hides it."""
        if self.rows is None:
            return line
        row = bisect_left(self.rows, line)
        return row if row < len(self.rows) and self.rows[row] == line else None

    @property
    def multi_row(self) -> bool:
        return self.look.wrap or self.look.pretty_json

    def show(self, history: LogHistory | None, labels: list[str]) -> None:
        """A new history (new pods or options): start over, following."""
        self.history = history
        self.labels = [safe_text(label, colours=False) for label in labels]
        self._windows.clear()
        self.rows = None
        self.current = None
        self.following = True
        self.drawn_last = -1
        self.redraw()

    def redraw(self) -> None:
        """After a change of look, search, filter or labels: every line renders again."""
        self._cache.clear()
        self._frame_key = None
        self.lines_changed()

    def lines_changed(self) -> None:
        """After lines were appended (or the filter changed): new size; stay at the end while following."""
        count = self._shown_rows = self._rows_now()
        if self.multi_row:
            height = count + max(0, self.scrollable_content_region.height - 1)
            width = self.scrollable_content_region.width if self.look.wrap else self._content_width()
        else:
            height, width = count, self._content_width()
        self._set_virtual_size(Size(width, height))
        if self.following:
            self._scroll_quietly(self.max_scroll_y)
        self._frame_key = None
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Like `self.virtual_size = size`, without the layout pass of the whole screen that assignment triggers:
        that pass re-rendered every widget, a heavy cost on every frame while lines poured in. Only the scrollbars
        depend on the virtual size (their visibility changing still lays out, as it must)."""
        if size == self.virtual_size:
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)

    def _content_width(self) -> int:
        if self.history is None:
            return 0
        width = self.history.longest + 2
        if len(self.labels) > 1:
            width += self._label_width() + 1
        return width

    def _label_width(self) -> int:
        return max((len(label) for label in self.labels), default=0)

    # ---------------------------------------------------------------- scrolling and following

    def _scroll_quietly(self, y: float) -> None:
        self._adjusting = True
        try:
            self.scroll_to(y=y, animate=False)
        finally:
            self._adjusting = False

    def set_following(self, following: bool) -> None:
        if following == self.following:
            if following:
                self._scroll_quietly(self.max_scroll_y)
            return
        if not following and self.multi_row:
            self._scroll_quietly(self._frame_top)  # pause where the screen is, not at the last line
        self.following = following
        if following:
            self._scroll_quietly(self.max_scroll_y)
        self._frame_key = None
        self.refresh()
        self.post_message(self.FollowChanged(following))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._adjusting:
            return
        if new_value < old_value and self.following:
            if self.multi_row:  # the screen was filled upwards from the end: continue from what it showed
                top = max(0, self._frame_top - round(old_value - new_value))
                self.following = False
                self._scroll_quietly(top)
                self._frame_key = None
                self.post_message(self.FollowChanged(False))
            else:
                self.set_following(False)
        elif new_value > old_value and not self.following and new_value >= self.max_scroll_y:
            self.set_following(True)

    def action_scroll_lines(self, amount: float) -> None:
        step = round(amount * max(1, self.size.height)) if abs(amount) < 1 else int(amount)
        if step < 0 and self.following:
            self.set_following(False)
        self.scroll_to(y=self.scroll_y + step, animate=False)

    def action_scroll_columns(self, amount: int) -> None:
        if not self.look.wrap:
            self.scroll_to(x=self.scroll_x + amount, animate=False)

    def action_top(self) -> None:
        self.set_following(False)
        self._scroll_quietly(0)

    def action_bottom(self) -> None:
        self.set_following(True)

    def set_current(self, line: int | None) -> None:
        """Mark the current search hit (drawn with a background)."""
        for changed in (self.current, line):
            if changed is not None:
                self._cache.pop(changed, None)
        self.current = line
        self._frame_key = None
        self.refresh()

    def jump_to_line(self, line: int) -> bool:
        """Show a line (a search hit) with context around it; pauses following. False when filtered out."""
        row = self.row_of(line)
        if row is None:
            return False
        if self.following:
            self.following = False
            self.post_message(self.FollowChanged(False))
        height = max(1, self.size.height)
        top = max(0, row - (height // 3 if self.multi_row else height // 2))
        self._scroll_quietly(top)
        self._frame_key = None
        self.refresh()
        return True

    def visible_lines(self) -> tuple[int, int]:
        """The view rows on screen: (first, last+1)."""
        if self.multi_row:
            self._build_frame()
            rows = [row for row, _ in self._frame if row >= 0]
            return (rows[0], rows[-1] + 1) if rows else (0, 0)
        top = round(self.scroll_y)
        return top, min(self.row_count, top + self.size.height)

    def on_resize(self, _: events.Resize) -> None:
        if self.look.wrap:
            self._cache.clear()
        self.lines_changed()

    # ---------------------------------------------------------------- drawing

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawing_size = self.size  # (`size` is computed on every call: once a frame, not once a row and line)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._drawing_size.width or self.size.width
        base = self._base_style()
        if self.row_count == 0:
            if y == self.size.height // 3 and self.placeholder:
                style = base + self.get_component_rich_style("log-view--placeholder")
                return Strip([*Text(self.placeholder.center(width), style=style).render(self.app.console)]).crop(
                    0, width
                )
            return Strip.blank(width, base)
        scroll_x = 0 if self.look.wrap else round(self.scroll_x)
        if self.multi_row:
            self._build_frame()
            if y >= len(self._frame):
                return Strip.blank(width, base)
            row, strip = self._frame[y]
        else:
            row = round(self.scroll_y) + y
            if row >= self.row_count:
                return Strip.blank(width, base)
            line = self.line_at(row)
            if line > self.drawn_last:
                self.drawn_last = line
            if self._is_long(line):
                return self._long_row(line, scroll_x, width, base)
            segments, length = self._rows(line)[0]
            if scroll_x == 0 and length <= width:  # most rows: one Strip, padded here (each Strip costs 7 caches)
                return Strip([*segments, Segment(" " * (width - length), base)], width)
            return _columns(Strip(segments, length), scroll_x, width, base)
        line = self.line_at(row) if row >= 0 else -1
        if line > self.drawn_last:
            self.drawn_last = line
        if strip is None:
            return self._long_row(line, scroll_x, width, base)
        return _columns(strip, scroll_x, width, base)

    def _long_row(self, line: int, x: int, width: int, base: Style) -> Strip:
        segments, length = self._rows(line, ("row", x, width))[0]
        return _columns(Strip(segments, length), 0, width, base)

    def _build_frame(self) -> None:
        """The rows on screen when lines take several rows: from the top line down, or (following) from the last
        line up."""
        height = max(1, self.size.height)
        count = self.row_count
        key = (round(self.scroll_y), height, self.size.width, self.following, count if self.following else 0)
        if key == self._frame_key:
            return
        frame: list[tuple[int, Strip | None]] = []
        if self.following:
            row = count - 1
            while row >= 0 and len(frame) < height:
                frame[:0] = [(row, strip) for strip in self._strips(self.line_at(row), height - len(frame), True)]
                row -= 1
            frame = frame[-height:]
            self._frame_top = frame[0][0] if frame else 0
        else:
            row = round(self.scroll_y)
            self._frame_top = row
            while row < count and len(frame) < height:
                frame.extend((row, strip) for strip in self._strips(self.line_at(row), height - len(frame), False))
                row += 1
            frame = frame[:height]
        self._frame = frame
        self._frame_key = key

    def _strips(self, line: int, limit: int, from_end: bool) -> list[Strip | None]:
        """A line's rows, as fresh Strips: the cache keeps their segments only. (Textual caches what it derives
        from a Strip inside that Strip; cached Strips grew chains of derived ones that lived long enough to reach
        the oldest GC generation, whose full collections were the longest stalls during a flood.)
        Of a long line only what the frame needs: wrapped, the `limit` rows at its start (or end); else None, its
        one row, drawn where the view is scrolled to."""
        if not self._is_long(line):
            return [Strip(segments, length) for segments, length in self._rows(line)]
        if not self.look.wrap:
            return [None]
        window = ("end" if from_end else "start", limit, self.scrollable_content_region.width)
        return [Strip(segments, length) for segments, length in self._rows(line, window)]

    def _rows(self, line: int, window: Window | None = None) -> list[tuple[list[Segment], int]]:
        """A line's rows as (segments, cell length), drawn once and cached; of a long line, the part `window`."""
        rows = self._cache.get(line)
        if rows is None or self._windows.get(line) != window:
            while len(self._cache) >= CACHE_SCREENS * self._drawing_size.height + 16:
                oldest = next(iter(self._cache))  # the oldest first
                del self._cache[oldest]
                self._windows.pop(oldest, None)
            assert self.history is not None
            if window is None:
                drawn = self._draw(line, self.history.line(line), self.history.source(line))
            else:
                drawn = self._draw_long(line, window)
                self._windows[line] = window
            rows = self._cache[line] = [(list(strip), strip.cell_length) for strip in drawn]
        return rows

    def _is_long(self, line: int) -> bool:
        assert self.history is not None
        return self.history.line_size(line) > LONG_LINE_BYTES

    def _draw_long(self, line: int, window: Window) -> list[Strip]:
        """The part of a long line on screen: ("row", x, width), the row at column x; or ("start" | "end", rows,
        width), its first or last rows, wrapped. Only those bytes are read (with the few before them whose colours
        still apply), made safe and styled."""
        assert self.history is not None
        kind, position, width = window
        source = self.history.source(line)
        timestamp = split_line(self.history.line_part(line, 0, 64))[0]
        offset = len(timestamp) + 1 if timestamp else 0  # where the message starts
        size = self.history.line_size(line) - offset
        head = self._head(timestamp, source)
        if kind == "row":
            first = max(0, position - sum(cell_len(segment.text) for segment in head))
            text = self._long_text(line, offset, first, window_bytes(width))
            crop = position if first == 0 else 0
            drawn = self._draw_rich(line, head if first == 0 else [], text, source, pretty=False, level=first == 0)
            return [strip.crop(crop, crop + width) for strip in drawn]
        wanted = window_bytes(max(10, width) * (position + 1))
        first = 0 if kind == "start" else max(0, size - wanted)
        text = self._long_text(line, offset, first, wanted)
        drawn = self._draw_rich(line, head if first == 0 else [], text, source, pretty=False, level=first == 0)
        if kind == "start":
            return drawn[:position]
        return drawn[1 if first > 0 else 0 :][-position:]  # (the first row may start in the middle of a word)

    def _long_text(self, line: int, offset: int, first: int, size: int) -> str:
        """Bytes [first, first + size) of a long line's message, as safe text."""
        assert self.history is not None
        start = max(0, first - LOOKBACK_BYTES)
        data = self.history.line_part(line, offset + start, offset + first + size)
        return safe_message(cut_window(data, first - start))

    def _head(self, timestamp: bytes, source: int) -> list[Segment]:
        """What a line starts with: its source's label when there are several, its timestamp when shown."""
        head: list[Segment] = []
        if len(self.labels) > 1 and source != MARKER_SOURCE:
            label = self.labels[source] if source < len(self.labels) else "?"
            head.append(Segment(label.ljust(self._label_width()) + " ", self.part_style(SOURCE_CLASSES[source % 6])))
        if self.look.timestamps and timestamp:
            stamp = safe_message(timestamp, colours=False)  # drawn as it is: nothing in it may be a colour
            head.append(Segment(stamp + " ", self.part_style("log-view--timestamp")))
        return head

    def _draw(self, line: int, raw: bytes, source: int) -> list[Strip]:
        timestamp, message = split_line(raw)
        text = safe_message(message)
        head = self._head(timestamp, source)
        plain = (
            source != MARKER_SOURCE
            and "\x1b" not in text
            and self.search is None
            and not self.look.wrap
            and not (self.look.pretty_json and text[:1] in "{[")
            and line != self.current
        )
        if plain:  # most lines: no Text, no markup, just segments (on the view's own style, as Textual's Log does)
            base = self._base_style()
            segments = [Segment(part.text, base + part.style) for part in head] + self._level_segments(text, base)
            return [Strip(segments, sum(cell_len(segment.text) for segment in segments))]
        return self._draw_rich(line, head, text, source)

    def _draw_rich(
        self, line: int, head_segments: list[Segment], text: str, source: int, pretty: bool = True, level: bool = True
    ) -> list[Strip]:
        """Lines with colours, search hits, JSON to pretty-print, or wrapping. `text` is safe (`safe_text`); the
        part of a long line is not pretty-printed, and its level word is coloured only at the line's start."""
        console = self.app.console
        head = Text(no_wrap=True, end="")
        for segment in head_segments:
            head.append(segment.text, segment.style)
        if source == MARKER_SOURCE:
            bodies = [Text(safe_text(text, colours=False), style=self.part_style("log-view--marker"))]
        elif pretty and self.look.pretty_json and text[:1] in "{[" and (printed := _pretty_json(text)) is not None:
            # (JSON escapes decode to any character, ESC too: the rows are made safe again, with no colours)
            bodies = [Text(safe_text(row, colours=False)) for row in printed.split("\n")]
        elif "\x1b" in text:  # the program coloured the line itself
            bodies = [Text.from_ansi(text, end="")]
        else:
            bodies = [Text(text, end="")]
            if level and (found := log_level(text)) is not None:
                bodies[0].stylize(self.part_style(LEVEL_CLASSES[found[2]]), found[0], found[1])
        if self.search is not None:
            match_style = self.part_style("log-view--match")
            for body in bodies:
                for start, end in self.search.spans(body.plain):
                    body.stylize(match_style, start, end)
        indent = Text(" " * head.cell_len)
        line_style = self._base_style()
        if line == self.current:
            line_style += self.part_style("log-view--current")
        texts = [
            Text.assemble(head if index == 0 else indent, body, style=line_style) for index, body in enumerate(bodies)
        ]
        if self.look.wrap:
            width = max(10, self.scrollable_content_region.width)
            texts = [part for text_row in texts for part in text_row.wrap(console, width, no_wrap=False)]
        return [Strip([*text_row.render(console)], text_row.cell_len) for text_row in texts]

    def _level_segments(self, text: str, base: Style) -> list[Segment]:
        """A plain message as segments, the word that says its level coloured."""
        level = log_level(text)
        if level is None:
            return [Segment(text, base)]
        start, end, name = level
        word = Segment(text[start:end], base + self.part_style(LEVEL_CLASSES[name]))
        parts = [Segment(text[:start], base), word, Segment(text[end:], base)]
        return [part for part in parts if part.text]

    def _base_style(self) -> Style:
        """The widget's own style (`rich_style` is computed on every call: too costly for every line of every frame)."""
        style = self._styles.get("")
        if style is None:
            style = self._styles[""] = self.rich_style
        return style

    def part_style(self, component: str) -> Style:
        """The Rich style of a part of a line (a component class; the theme's log colours where it has them)."""
        style = self._styles.get(component)
        if style is None:
            style = self.get_component_rich_style(component, partial=True)
            if component in BACKGROUND_PARTS:  # a partial style drops the alpha of `$warning 60%`: blend as CSS does
                style += Style(bgcolor=self.get_component_rich_style(component).bgcolor)
            themed = self._theme_colour(THEME_COLOURS[component]) if component in THEME_COLOURS else None
            if themed is not None and component == "log-view--match":
                style += Style(bgcolor=themed.rich_color, color=(themed + themed.get_contrast_text(0.87)).rich_color)
            elif themed is not None:
                style += Style(color=themed.rich_color)
            self._styles[component] = style
        return style

    def _theme_colour(self, name: str) -> Color | None:
        """The theme's colour for `name` (`#rrggbb`, `red`, `rgb(...)`, optionally `COLOUR 60%`) over the view's
        background, or None when the theme does not define it (or not as a colour)."""
        value = self.app.theme_variables.get(name, "").strip()
        if not value:
            return None
        colour_text, _, alpha = value.partition(" ")
        try:
            colour = Color.parse(colour_text)
            if alpha.strip().endswith("%"):
                colour = colour.multiply_alpha(float(alpha.strip()[:-1]) / 100)
        except (ColorParseError, ValueError):
            return None
        return self.background_colors[1] + colour

    def notify_style_update(self) -> None:
        """The theme or CSS changed: styles are looked up again and every line redrawn."""
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()
        self._frame_key = None


def _columns(strip: Strip, x: int, width: int, base: Style) -> Strip:
    """Columns [x, x + width) of a row, padded to the width. (Textual's `crop_extend` pads up to x + width before
    it crops: scrolled along a 10 MB line, a row of millions of spaces for every short line on screen.)"""
    return strip.crop(x, x + width).extend_cell_length(width, base)


def _pretty_json(text: str) -> str | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict | list):
        return None
    return json.dumps(value, indent=2, ensure_ascii=False)
