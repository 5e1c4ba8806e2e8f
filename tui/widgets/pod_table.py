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

from tui.models.metrics.gpu import GpuState, gpu_percent_text, vram_text
from tui.models.metrics.text import cpu_text, gpu_text, memory_text, percent_text
from tui.models.metrics.usage import Usage
from tui.models.pods.row import PodRow, short_age
from tui.models.pods.table import FIGURES, FIT_HINTS, GPU_FIGURES, PodTable
from tui.widgets.row_table import GAP, MARK, RowTableView, cursor_bindings, pad

__all__ = ["GAP", "MARK"]  # where tests and older callers import them from
FIXED_WIDTHS = {"READY": 5, "RESTARTS": 8, "AGE": 5, "CPU": 7, "MEM": 7, "GPU": 3}
FIXED_WIDTHS |= {column: 6 for column in FIGURES if column.startswith("%")}
MAX_WIDTH = 64

# The resource columns `m` cycles through: k9s's set does not fit in 120 columns beside the rest, so the /L ones wait
# for the second press, and a third hides them all. GPU% and VRAM (nvidia-smi's) only while a pod asks for GPUs.
RESOURCE_SETS = {
    "requests": ("CPU", "MEM", "%CPU/R", "%MEM/R", "GPU", "GPU%", "VRAM"),
    "limits": ("CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L", "GPU", "GPU%", "VRAM"),
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


def cell_text(row: PodRow, column: str, now: datetime, usage: Usage | None = None, gpu: GpuState | None = None) -> str:
    match column:
        case "GPU%":
            return gpu_percent_text(gpu) if row.gpus else ""
        case "VRAM":
            return vram_text(gpu) if row.gpus else ""
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
    COLUMN_HINTS = FIT_HINTS
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
        gpus = self.table.any_gpus
        resources = [c for c in RESOURCE_SETS[self.resources] if gpus or c not in GPU_FIGURES]
        self.columns = [
            *(["NAMESPACE"] if self.show_namespace else []),
            "NAME", "READY", "STATUS", "RESTARTS", "AGE", *resources, "IP", "NODE", "IMAGE",
        ]  # fmt: skip
        self.widths = {}
        for column in self.columns:
            width = FIXED_WIDTHS.get(column)
            if column in GPU_FIGURES:
                width = self._gpu_width(column)
            elif width is None:
                width = min(MAX_WIDTH, self.table.longest(column))
            self.widths[column] = max(width, len(column) + 1)  # room for the sort arrow
        self.marked &= self.table.rows.keys()
        self._set_size()
        view = self.table.view
        at_cursor = view[self.cursor_index] if self.cursor_index < len(view) else None
        if self.cursor_key is not None and at_cursor != self.cursor_key and self.cursor_key in self.table.rows:
            with contextlib.suppress(ValueError):  # filtered out: stay at the same position
                self.cursor_index = self.table.view.index(self.cursor_key)
        self._set_cursor(self.cursor_index, scroll=False)
        self.refresh()

    def _gpu_width(self, column: str) -> int:
        """GPU% and VRAM are as wide as their widest reading (a few GPU pods: not a pass over every row)."""
        text = gpu_percent_text if column == "GPU%" else vram_text
        return max((len(text(state)) for state in self.table.gpu.values()), default=0)

    def gpu_changed(self) -> None:
        """A GPU reading arrived: its columns may need more room (`n/a (no nvidia-smi)`); then a redraw."""
        widths = {column: max(self._gpu_width(column), len(column) + 1) for column in GPU_FIGURES}
        if any(column in self.widths and self.widths[column] != width for column, width in widths.items()):
            self.widths |= {column: width for column, width in widths.items() if column in self.widths}
            self._set_size()
        self.refresh()

    def visible_rows(self) -> list[PodRow]:
        """The rows on screen now (below the header)."""
        top = self.scroll_offset.y
        return self.table.visible_rows(top, top + max(0, self.size.height - 1))

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

    def cursor_moved(self) -> None:
        previous = self.cursor_key
        self.cursor_key = self.table.view[self.cursor_index] if self.table.view else None
        if previous != self.cursor_key:
            self.post_message(self.CursorMoved(self.cursor_key))

    def marks_changed(self) -> None:
        self.post_message(self.MarksChanged())

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:  # (by the columns as drawn: cut to fit, they are narrower than their cells)
            if (column := self.column_at(event.x)) is not None:
                self.post_message(self.SortRequested(self.columns[column]))
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
        gpu = self.table.gpu.get(key)
        segments = []
        for column in self.columns:
            style = base
            if column == "STATUS":
                style += self.get_component_rich_style(status_class(row.status))
            elif column.startswith("%") and (level := usage_class(FIGURES[column](row, usage))):
                style += self.get_component_rich_style(level)
            elif column == "GPU%" and gpu is not None and gpu.idle and row.gpus:
                style += self.get_component_rich_style("pod-usage--high")  # allocated and unused: it costs money
            segments.append(Segment(pad(cell_text(row, column, now, usage, gpu), self.widths[column]), style))
        return segments

    def _title(self, column: str) -> str:
        if column != self.table.sort_column:
            return column
        return f"{column}{'↓' if self.table.sort_reverse else '↑'}"
