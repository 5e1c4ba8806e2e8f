"""The pod table: renders only the rows on screen (Textual's Line API), so 100,000 pods cost what 50 do."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message

from tui.models.metrics.text import cpu_text, gpu_text, memory_text, percent_text
from tui.models.metrics.usage import Usage
from tui.models.pods.row import PodRow, short_age
from tui.models.pods.table import FIGURES, PodTable
from tui.widgets.row_table import GAP, MARK, RowTableView, cursor_bindings, pad

__all__ = ["GAP", "MARK"]  # where tests and older callers import them from
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


class PodTableView(RowTableView, can_focus=True):
    """Draws a PodTable. The cursor follows its pod (by key) when rows move; space marks pods for bulk actions."""

    BINDINGS = [*cursor_bindings("pods"), Binding("space", "toggle_mark", "Mark", id="pods.mark")]
    HEADER_CLASS = "pod-table--header"
    CURSOR_CLASS = "pod-table--cursor"
    MARKED_CLASS = "pod-table--marked"
    COMPONENT_CLASSES = {HEADER_CLASS, CURSOR_CLASS, MARKED_CLASS, "pod-usage--high", "pod-usage--over"}
    DEFAULT_CSS = """
    PodTableView { height: 1fr; background: $surface; }
    PodTableView > .pod-table--header { text-style: bold; color: $text-accent; background: $panel; }
    PodTableView > .pod-table--cursor { background: $block-cursor-blurred-background; }
    PodTableView:focus > .pod-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    PodTableView > .pod-table--marked { color: $text-warning; text-style: bold; }
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
        self._set_size()
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

    # ---------------------------------------------------------------- RowTableView

    @property
    def row_count(self) -> int:
        return len(self.table.view)

    def row_key(self, index: int) -> str:
        return self.table.view[index]

    def table_width(self) -> int:
        return sum(self.widths.values()) + GAP * len(self.columns)

    def cursor_moved(self) -> None:
        previous = self.cursor_key
        self.cursor_key = self.table.view[self.cursor_index] if self.table.view else None
        if previous != self.cursor_key:
            self.post_message(self.CursorMoved(self.cursor_key))

    def marks_changed(self) -> None:
        self.post_message(self.MarksChanged())

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

    def header_text(self) -> str:
        return "".join(pad(self._title(column), self.widths[column]) for column in self.columns)

    def row_segments(self, index: int, base: Style) -> list[Segment]:
        key = self.table.view[index]
        row = self.table.rows[key]
        now = datetime.now(UTC)
        usage = self.table.usage.get(key)
        segments = []
        for column in self.columns:
            style = base
            if column == "STATUS":
                style += self.get_component_rich_style(status_class(row.status))
            elif column.startswith("%") and (level := usage_class(FIGURES[column](row, usage))):
                style += self.get_component_rich_style(level)
            segments.append(Segment(pad(cell_text(row, column, now, usage), self.widths[column]), style))
        return segments

    def _title(self, column: str) -> str:
        if column != self.table.sort_column:
            return column
        return f"{column}{'↓' if self.table.sort_reverse else '↑'}"


_NOW_UNUSED = datetime(2000, 1, 1, tzinfo=UTC)  # widths of every column but AGE (fixed) ignore the clock
