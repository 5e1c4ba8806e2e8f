"""How the log view draws one line: made safe, styled (its source's label, timestamp, level word, ANSI colours,
search hits, JSON pretty-print, wrap) and cached; of a line longer than LONG_LINE_BYTES only the part on screen.

Log text is data: every line is made safe by `safe_text` (tui/models/logs/safe_text.py) before it is styled, so
only its colours are rendered and no control character reaches the terminal. A long line is read and drawn only
where it is on screen: one row at the horizontal scroll position (a column is a byte of it), or, wrapped, the rows
at its start or end that the screen shows; it is never pretty-printed as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

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


class LogLines(ScrollView):
    """The drawing half of LogView: what it shows (history, labels, look, search) and each line's rows."""

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.history: LogHistory | None = None
        self.labels: list[str] = []  # a prefix per source, shown when there is more than one
        self.look = LogLook()
        self.search: LogMatcher | None = None
        self.current: int | None = None  # the line of the current search hit
        self._cache: dict[int, list[tuple[list[Segment], int]]] = {}
        self._windows: dict[int, Window] = {}  # what part of a long line its cached rows show
        self._styles: dict[str, Style] = {}
        self._drawing_size = Size(0, 0)  # the size at the start of the frame being drawn

    def _label_width(self) -> int:
        return max((len(label) for label in self.labels), default=0)

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


def crop_columns(strip: Strip, x: int, width: int, base: Style) -> Strip:
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
