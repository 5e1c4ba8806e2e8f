"""The pod table: renders only the rows on screen (Textual's Line API), so 100,000 pods cost what 50 do."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.models.metrics.text import cpu_text, gpu_text, memory_text, percent_text
from tui.models.metrics.usage import Usage
from tui.models.pods.row import PodRow, short_age
from tui.models.pods.table import FIGURES, PodTable

GAP = 2
MARK = "✓ "  # before a marked pod's row while any pod is marked: marks read without colour too
FIXED_WIDTHS = {"READY": 5, "RESTARTS": 8, "AGE": 5, "IP": 15, "CPU": 7, "MEM": 7, "GPU": 3}
FIXED_WIDTHS |= {column: 6 for column in FIGURES if column.startswith("%")}
MAX_WIDTH = 64

# The resource columns `m` cycles through: k9s's set does not fit in 120 columns beside the rest, so the /L ones wait
# for the second press, and a third hides them all.
RESOURCE_SETS = {
    "requests": ("CPU", "MEM", "%CPU/R", "%MEM/R", "GPU"),
    "limits": ("CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L", "GPU"),
    "hidden": (),
}

_RUNNING = {"Running"}
_DONE = {"Completed", "Succeeded"}
_PENDING = {"Pending", "ContainerCreating", "PodInitializing", "Terminating"}


def status_class(status: str) -> str:
    """The component class that colours a STATUS cell ($pod-running … $pod-failed of the theme)."""
    if status in _RUNNING:
        return "pod-status--running"
    if status in _DONE:
        return "pod-status--completed"
    if status == "Terminating":
        return "pod-status--terminating"
    if status in _PENDING or status.startswith("Pending:") or (status.startswith("Init:") and status[5:6].isdigit()):
        return "pod-status--pending"
    return "pod-status--failed"


def usage_class(value: int | None) -> str:
    """The component class of a % cell: at 80% and over the limit or request it stands out (the number says it too)."""
    if value is None or value < 80:
        return ""
    return "pod-usage--over" if value >= 100 else "pod-usage--high"


def cell_text(row: PodRow, column: str, now: datetime, usage: Usage | None = None) -> str:
    match column:
        case "CPU":
            return cpu_text(usage.cpu_m if usage else None)
        case "MEM":
            return memory_text(usage.memory if usage else None)
        case "GPU":
            return gpu_text(row.gpus)
        case _ if column in FIGURES:
            return percent_text(FIGURES[column](row, usage))
        case "NAMESPACE":
            return row.namespace
        case "NAME":
            return row.name
        case "READY":
            return row.ready
        case "STATUS":
            return row.status
        case "RESTARTS":
            return str(row.restarts)
        case "AGE":
            return short_age(row.created, now)
        case "IP":
            return row.ip
        case "NODE":
            return row.node
        case _:
            return row.image


class PodTableView(ScrollView, can_focus=True):
    """Draws a PodTable. The cursor follows its pod (by key) when rows move; space marks pods for bulk actions."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="pods.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="pods.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="pods.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="pods.page-down"),
        Binding("home", "jump(0)", "First", show=False, id="pods.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="pods.last"),
        Binding("space", "toggle_mark", "Mark", id="pods.mark"),
    ]
    COMPONENT_CLASSES = {
        "pod-table--header",
        "pod-table--cursor",
        "pod-table--marked",
        "pod-status--running",
        "pod-status--pending",
        "pod-status--completed",
        "pod-status--terminating",
        "pod-status--failed",
        "pod-usage--high",
        "pod-usage--over",
    }
    DEFAULT_CSS = """
    PodTableView { height: 1fr; background: $surface; }
    PodTableView > .pod-table--header { text-style: bold; color: $text-accent; background: $panel; }
    PodTableView > .pod-table--cursor { background: $block-cursor-blurred-background; }
    PodTableView:focus > .pod-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    PodTableView > .pod-table--marked { color: $text-warning; text-style: bold; }
    PodTableView > .pod-status--running { color: $pod-running; }
    PodTableView > .pod-status--pending { color: $pod-pending; }
    PodTableView > .pod-status--completed { color: $pod-succeeded; }
    PodTableView > .pod-status--terminating { color: $pod-terminating; }
    PodTableView > .pod-status--failed { color: $pod-failed; text-style: bold; }
    PodTableView > .pod-usage--high { color: $text-warning; }
    PodTableView > .pod-usage--over { color: $text-error; text-style: bold; }
    """

    @dataclass
    class CursorMoved(Message):
        key: str | None

    class MarksChanged(Message):
        """The set of marked pods changed (the screen shows how many)."""

    @dataclass
    class SortRequested(Message):
        column: str

    def __init__(self, table: PodTable, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.table = table
        self.columns: list[str] = []
        self.widths: dict[str, int] = {}
        self.cursor_index = 0
        self.cursor_key: str | None = None
        self.marked: set[str] = set()
        self.show_namespace = False
        self.resources = "requests"  # which of RESOURCE_SETS is shown

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)  # AGE ticks
        self.rows_changed()

    # ---------------------------------------------------------------- data

    def rows_changed(self) -> None:
        """Call after the PodTable changed: sizes, cursor and marks follow, then the visible lines redraw."""
        self.columns = [
            *(["NAMESPACE"] if self.show_namespace else []),
            "NAME", "READY", "STATUS", "RESTARTS", "AGE", *RESOURCE_SETS[self.resources], "IP", "NODE", "IMAGE",
        ]  # fmt: skip
        rows = self.table.rows.values()
        self.widths = {}
        for column in self.columns:
            width = FIXED_WIDTHS.get(column)
            if width is None:
                longest = max((len(cell_text(row, column, _NOW_UNUSED)) for row in rows), default=0)
                width = min(MAX_WIDTH, longest)
            self.widths[column] = max(width, len(column) + 1)  # room for the sort arrow
        self.marked &= self.table.rows.keys()
        self._update_virtual_size()
        if self.cursor_key is not None and self.cursor_key in self.table.rows:
            with contextlib.suppress(ValueError):  # filtered out: stay at the same position
                self.cursor_index = self.table.view.index(self.cursor_key)
        self._set_cursor(self.cursor_index, scroll=False)
        self.refresh()

    @property
    def cursor_row(self) -> PodRow | None:
        return self.table.rows.get(self.cursor_key) if self.cursor_key else None

    def targets(self) -> list[PodRow]:
        """The pods an action applies to: the marked ones, else the one under the cursor."""
        if self.marked:
            return [self.table.rows[key] for key in self.table.view if key in self.marked]
        row = self.cursor_row
        return [row] if row is not None else []

    # ---------------------------------------------------------------- cursor

    def _set_cursor(self, index: int, scroll: bool = True) -> None:
        count = len(self.table.view)
        index = max(0, min(index, count - 1)) if count else 0
        previous = self.cursor_key
        self.cursor_index = index
        self.cursor_key = self.table.view[index] if count else None
        if scroll:
            body = max(1, self.size.height - 1)
            top = self.scroll_offset.y
            if index < top:
                self.scroll_to(y=index, animate=False)
            elif index >= top + body:
                self.scroll_to(y=index - body + 1, animate=False)
        if previous != self.cursor_key:
            self.post_message(self.CursorMoved(self.cursor_key))
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor_index + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor_index + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self._set_cursor(len(self.table.view) - 1 if where < 0 else 0)

    def _gutter(self) -> int:
        return len(MARK) if self.marked else 0

    def _update_virtual_size(self) -> None:
        total_width = self._gutter() + sum(self.widths.values()) + GAP * len(self.columns)
        self.virtual_size = Size(total_width, len(self.table.view) + 1)

    def action_toggle_mark(self) -> None:
        if self.cursor_key is None:
            return
        self.marked ^= {self.cursor_key}
        self._update_virtual_size()
        self.post_message(self.MarksChanged())
        self._set_cursor(self.cursor_index + 1)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x + self.scroll_offset.x - self._gutter()
            for column in self.columns:
                x -= self.widths[column] + GAP
                if x < 0:
                    self.post_message(self.SortRequested(column))
                    return
            return
        self._set_cursor(self.scroll_offset.y + event.y - 1)

    # ---------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        gutter = " " * self._gutter()
        if y == 0:
            header = self.get_component_rich_style("pod-table--header")
            line = gutter + "".join(self._pad(self._title(c), c) for c in self.columns)
            return self._crop([Segment(line, base + header)], scroll_x, width, base + header)
        index = scroll_y + y - 1
        if index >= len(self.table.view):
            return Strip.blank(width, base)
        key = self.table.view[index]
        row = self.table.rows[key]
        now = datetime.now(UTC)
        usage = self.table.usage.get(key)
        row_style = base
        if key in self.marked:
            row_style += self.get_component_rich_style("pod-table--marked")
        segments = [Segment(MARK if key in self.marked else gutter, row_style)] if gutter else []
        for column in self.columns:
            style = row_style
            if column == "STATUS":
                style += self.get_component_rich_style(status_class(row.status))
            elif column.startswith("%") and (level := usage_class(FIGURES[column](row, usage))):
                style += self.get_component_rich_style(level)
            segments.append(Segment(self._pad(cell_text(row, column, now, usage), column), style))
        if index == self.cursor_index:
            cursor = self.get_component_rich_style("pod-table--cursor")
            segments = [Segment(text, (style or base) + cursor) for text, style, _ in segments]
            return self._crop(segments, scroll_x, width, base + cursor)
        return self._crop(segments, scroll_x, width, base)

    def _title(self, column: str) -> str:
        if column != self.table.sort_column:
            return column
        return f"{column}{'↓' if self.table.sort_reverse else '↑'}"

    def _pad(self, text: str, column: str) -> str:
        width = self.widths[column]
        if len(text) > width:
            text = text[: width - 1] + "…"
        return text.ljust(width + GAP)

    @staticmethod
    def _crop(segments: list[Segment], scroll_x: int, width: int, fill: Style) -> Strip:
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, fill)


_NOW_UNUSED = datetime(2000, 1, 1, tzinfo=UTC)  # widths of every column but AGE (fixed) ignore the clock
