"""A table that draws only the rows on screen (Textual's Line API): a header line, then rows under a cursor that
moves by row, page and end, the view scrolling to keep it shown; space marks rows (for an action on several).
A subclass says how many rows there are, each one's key, what its header says and how one row is drawn; showing
10,000 rows is then one assignment, where a DataTable takes over a second to add them.

The subclass lays its columns out at their natural widths with pad() (a header of titles, one segment a cell); the
view fits them to its width, as k9s does: when they do not fit, the gaps narrow to one blank, then the widest
columns are cut (tui/models/column_widths.py). The widths are worked out when the view's size or the columns'
natural widths change; drawing a row only cuts its cells to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.models.column_widths import ColumnHint, ellipsize, fit_widths, floors, hints_of

GAP = 2  # blanks after each column
MARK = "✓ "  # before a marked row while any row is marked: marks read without colour too


def cursor_bindings(scope: str) -> list[BindingType]:
    """The cursor's keys, with ids in the screen's scope (tui/keymap.py: "pods.up", "runs.up", ...)."""
    return [
        Binding("up,k", "cursor(-1)", "Up", show=False, id=f"{scope}.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id=f"{scope}.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id=f"{scope}.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id=f"{scope}.page-down"),
        Binding("home", "jump(0)", "First", show=False, id=f"{scope}.first"),
        Binding("end", "jump(-1)", "Last", show=False, id=f"{scope}.last"),
    ]


def pad(text: str, width: int) -> str:
    """A cell `width` wide (cut with an ellipsis when longer), then the gap to the next column."""
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.ljust(width + GAP)


_TITLE = re.compile(r"\S+(?: \S+)*")  # a header title: words one blank apart (pad() puts GAP blanks after it)


def header_columns(header: str) -> list[tuple[str, int, int]]:
    """Each column of a header laid out by pad(): its title, where it starts, its natural width."""
    titles = list(_TITLE.finditer(header))
    ends = [match.start() for match in titles[1:]] + [len(header)] * bool(titles)
    return [(match.group(), match.start(), end - match.start() - GAP) for match, end in zip(titles, ends, strict=True)]


class ColumnFit:
    """The columns' widths on screen: their natural ones, or those fitted to the view (cut, with narrower gaps)."""

    def __init__(self, header: str = "", room: int = 0, hints: Mapping[str, ColumnHint] | None = None) -> None:
        columns = header_columns(header)
        titles = [title for title, _, _ in columns]
        self.starts = [start for _, start, _ in columns]
        self.natural = [width for _, _, width in columns]
        self.hints = hints_of(titles, hints or {})
        self.widths, self.gap = self.natural, GAP
        between = max(0, len(columns) - 1)  # the last column's gap may fall off the edge
        if sum(self.natural) + GAP * between > room:
            self.gap = 1
            room -= between
            self.widths = fit_widths(self.natural, floors(self.natural, titles, self.hints, room), room)
        self.cut = self.gap != GAP or self.widths != self.natural

    @property
    def line_width(self) -> int:
        """The columns' width (the last one's gap left out)."""
        return sum(self.widths) + self.gap * max(0, len(self.widths) - 1)

    def cell(self, text: str, column: int) -> str:
        """A cell that pad() laid out at its natural width, at its fitted width."""
        width = self.widths[column]
        return ellipsize(text.rstrip(), width, self.hints[column].keep).ljust(width + self.gap)

    def header(self, header: str) -> str:
        return "".join(
            self.cell(header[start : start + width], column)
            for column, (start, width) in enumerate(zip(self.starts, self.natural, strict=True))
        )

    def column_at(self, x: int) -> int | None:
        """The column drawn at `x` (from the table's left edge), None past the last one."""
        for column, width in enumerate(self.widths):
            x -= width + self.gap
            if x < 0:
                return column
        return None


class RowTableView(ScrollView):
    """Row 0 of the widget is the header; row y > 0 shows table row `scroll_offset.y + y - 1`."""

    HEADER_CLASS = ""  # the component classes of the header, the cursor's row and a marked row (each subclass's)
    CURSOR_CLASS = ""
    MARKED_CLASS = ""
    COLUMN_HINTS: ClassVar[Mapping[str, ColumnHint]] = {}  # how a column is cut when the view is narrow, by title
    COMPONENT_CLASSES = {  # a STATUS cell's colours (pod_table.status_class), in the pod list and the runs list
        "pod-status--running",
        "pod-status--pending",
        "pod-status--completed",
        "pod-status--terminating",
        "pod-status--failed",
    }
    DEFAULT_CSS = """
    RowTableView > .pod-status--running { color: $pod-running; }
    RowTableView > .pod-status--pending { color: $pod-pending; }
    RowTableView > .pod-status--completed { color: $pod-succeeded; }
    RowTableView > .pod-status--terminating { color: $pod-terminating; }
    RowTableView > .pod-status--failed { color: $pod-failed; text-style: bold; }
    """

    cursor_index = 0
    marked: set[str]  # row keys (kept across reloads and filters)
    fit = ColumnFit()  # the columns' widths on screen, worked out for a header and a width:
    _fitted_header, _fitted_room = "", -1

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def row_key(self, index: int) -> str:
        raise NotImplementedError

    def marks_changed(self) -> None:
        """After space marked or unmarked a row (a subclass posts its own message: the screen says how many)."""

    def header_text(self) -> str:
        raise NotImplementedError

    def row_segments(self, index: int, base: Style) -> list[Segment]:
        """Table row `index` (below `row_count`), its cells styled on `base`."""
        raise NotImplementedError

    def cursor_moved(self) -> None:
        """After every cursor move, before the redraw."""

    # ---------------------------------------------------------------- cursor

    def _set_cursor(self, index: int, scroll: bool = True) -> None:
        count = self.row_count
        self.cursor_index = max(0, min(index, count - 1)) if count else 0
        if scroll:
            body = max(1, self.size.height - 1)
            top = self.scroll_offset.y
            if self.cursor_index < top:
                self.scroll_to(y=self.cursor_index, animate=False)
            elif self.cursor_index >= top + body:
                self.scroll_to(y=self.cursor_index - body + 1, animate=False)
        self.cursor_moved()
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor_index + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor_index + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self._set_cursor(self.row_count - 1 if where < 0 else 0)

    # ---------------------------------------------------------------- marks

    def _gutter(self) -> int:
        return len(MARK) if self.marked else 0

    def _set_size(self) -> None:
        """After the rows, their natural widths, the marks or the view's size changed: the columns are fitted again
        (the vertical scrollbar, when the rows need one, takes its cells first)."""
        width = self.size.width - self._gutter()
        if self.row_count + 1 > self.size.height and self.styles.overflow_y != "hidden":
            width -= self.styles.scrollbar_size_vertical
        header = self.header_text()
        if header != self._fitted_header or width != self._fitted_room:
            self.fit = ColumnFit(header, width, self.COLUMN_HINTS)
            self._fitted_header, self._fitted_room = header, width
        self.virtual_size = Size(self._gutter() + self.fit.line_width, self.row_count + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._set_size()

    def column_at(self, x: int) -> int | None:
        """The column under a click at `x` on the view (its scroll and the marks' gutter counted)."""
        return self.fit.column_at(x + self.scroll_offset.x - self._gutter())

    def action_toggle_mark(self) -> None:
        if not 0 <= self.cursor_index < self.row_count:
            return
        self.marked ^= {self.row_key(self.cursor_index)}
        self._set_size()
        self.marks_changed()
        self._set_cursor(self.cursor_index + 1)

    # ---------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.rich_style
        gutter = " " * self._gutter()
        if y == 0:
            header = base + self.get_component_rich_style(self.HEADER_CLASS)
            title = self.header_text()
            return self._crop([Segment(gutter + (self.fit.header(title) if self.fit.cut else title), header)], header)
        index = self.scroll_offset.y + y - 1
        if index >= self.row_count:
            return Strip.blank(width, base)
        marked = self.row_key(index) in self.marked
        row_style = base + self.get_component_rich_style(self.MARKED_CLASS) if marked else base
        segments = [Segment(MARK if marked else gutter, row_style)] if gutter else []
        cells = self.row_segments(index, row_style)
        if self.fit.cut and len(cells) == len(self.fit.widths):
            cells = [Segment(self.fit.cell(text, column), style) for column, (text, style, _) in enumerate(cells)]
        segments += cells
        if index == self.cursor_index:
            cursor = self.get_component_rich_style(self.CURSOR_CLASS)
            segments = [Segment(text, (style or row_style) + cursor) for text, style, _ in segments]
            return self._crop(segments, row_style + cursor)
        return self._crop(segments, row_style)

    def _crop(self, segments: list[Segment], fill: Style) -> Strip:
        """The line scrolled to the view's column and filled out to its width."""
        scroll_x, width = self.scroll_offset.x, self.size.width
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, fill)
