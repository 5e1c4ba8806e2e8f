"""The log view: draws only the lines on screen (Textual's Line API) from a LogHistory of any size.

Appending a million lines costs nothing here but a new virtual size. Without wrap or JSON pretty-print a row is a
line. With them a line can take several rows; the view then scrolls by lines (the scroll position is the top line)
and, while following, fills the screen upwards from the last line. How one line is drawn (made safe, styled,
cached; a long line only where it is on screen) is in log_lines.py.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.models.logs.safe_text import safe_text
from tui.services.logs.history import LogHistory
from tui.widgets.log_lines import LEVEL_CLASSES, SOURCE_CLASSES, LogLines, crop_columns

SCROLLBAR_WIDTH = 2  # (Textual's default)


class LogView(LogLines, can_focus=True):
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
        self.rows: array[int] | None = None  # the filtered view: line indices; None shows every line
        self.placeholder = ""
        self._following = True
        self.drawn_last = -1  # the highest line index drawn so far (benchmarks read it)
        self._frame_key: tuple[object, ...] | None = None
        self._frame: list[tuple[int, Strip | None]] = []  # None: a long line's row, drawn where it is scrolled to
        self._frame_top = 0
        self._adjusting = False
        self._shown_rows = 0

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
            return crop_columns(Strip(segments, length), scroll_x, width, base)
        line = self.line_at(row) if row >= 0 else -1
        if line > self.drawn_last:
            self.drawn_last = line
        if strip is None:
            return self._long_row(line, scroll_x, width, base)
        return crop_columns(strip, scroll_x, width, base)

    def _long_row(self, line: int, x: int, width: int, base: Style) -> Strip:
        segments, length = self._rows(line, ("row", x, width))[0]
        return crop_columns(Strip(segments, length), 0, width, base)

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

    def notify_style_update(self) -> None:
        """The theme or CSS changed: styles are looked up again and every line redrawn."""
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()
        self._frame_key = None
