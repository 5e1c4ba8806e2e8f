"""The Runs table: like the pod table it draws only the rows on screen (Textual's Line API), so showing 10,000
runs is one assignment, where a DataTable takes over a second to add them."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.models.runs.listing import COLUMNS, RunRows
from tui.models.runs.run import RunSummary
from tui.widgets.pod_table import status_class

GAP = 2
STATUS = COLUMNS.index("STATUS")


class RunTableView(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="runs.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="runs.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="runs.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="runs.page-down"),
        Binding("home", "jump(0)", "First", show=False, id="runs.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="runs.last"),
    ]
    COMPONENT_CLASSES = {
        "run-table--header",
        "run-table--cursor",
        "pod-status--running",
        "pod-status--pending",
        "pod-status--completed",
        "pod-status--terminating",
        "pod-status--failed",
    }
    DEFAULT_CSS = """
    RunTableView { height: 1fr; background: $surface; }
    RunTableView > .run-table--header { text-style: bold; color: $text-accent; background: $panel; }
    RunTableView > .run-table--cursor { background: $block-cursor-blurred-background; }
    RunTableView:focus > .run-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    RunTableView > .pod-status--running { color: $pod-running; }
    RunTableView > .pod-status--pending { color: $pod-pending; }
    RunTableView > .pod-status--completed { color: $pod-succeeded; }
    RunTableView > .pod-status--terminating { color: $pod-terminating; }
    RunTableView > .pod-status--failed { color: $pod-failed; text-style: bold; }
    """

    @dataclass
    class Chosen(Message):
        """Enter or a click on a run."""

        run_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = RunRows([], [], [], tuple(len(title) for title in COLUMNS))
        self.cursor_index = 0

    def show(self, rows: RunRows) -> None:
        """New rows (a reload, a filter): the cursor stays on its run when it is still shown."""
        current = self.current
        self.rows = rows
        index = self.cursor_index
        if current is not None:
            index = next((at for at, i in enumerate(rows.shown) if rows.summaries[i].id == current.id), index)
        width = sum(rows.widths) + GAP * len(COLUMNS)
        self.virtual_size = Size(width, len(rows.shown) + 1)
        self._set_cursor(index, scroll=False)

    @property
    def current(self) -> RunSummary | None:
        shown = self.rows.shown
        return self.rows.summaries[shown[self.cursor_index]] if 0 <= self.cursor_index < len(shown) else None

    def shown_ids(self) -> list[str]:
        return [self.rows.summaries[i].id for i in self.rows.shown]

    # ---------------------------------------------------------------- cursor

    def _set_cursor(self, index: int, scroll: bool = True) -> None:
        count = len(self.rows.shown)
        self.cursor_index = max(0, min(index, count - 1)) if count else 0
        if scroll:
            body = max(1, self.size.height - 1)
            top = self.scroll_offset.y
            if self.cursor_index < top:
                self.scroll_to(y=self.cursor_index, animate=False)
            elif self.cursor_index >= top + body:
                self.scroll_to(y=self.cursor_index - body + 1, animate=False)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor_index + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor_index + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self._set_cursor(len(self.rows.shown) - 1 if where < 0 else 0)

    def on_click(self, event: events.Click) -> None:
        if event.y > 0:
            self._set_cursor(self.scroll_offset.y + event.y - 1)
            if event.chain == 2 and (run := self.current) is not None:
                self.post_message(self.Chosen(run.id))

    # ---------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width, base = self.size.width, self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("run-table--header")
            return self._crop([Segment(self._line(COLUMNS), header)], scroll_x, width, header)
        index = scroll_y + y - 1
        if index >= len(self.rows.shown):
            return Strip.blank(width, base)
        row = self.rows.summaries[self.rows.shown[index]]
        cells = self.rows.cells[self.rows.shown[index]]
        status = base + self.get_component_rich_style(status_class(_pod_status(row.phase)))
        segments = [
            Segment(self._pad(cell, column), status if column == STATUS else base) for column, cell in enumerate(cells)
        ]
        if index == self.cursor_index:
            cursor = self.get_component_rich_style("run-table--cursor")
            segments = [Segment(text, (style or base) + cursor) for text, style, _ in segments]
            return self._crop(segments, scroll_x, width, base + cursor)
        return self._crop(segments, scroll_x, width, base)

    def _line(self, cells: tuple[str, ...]) -> str:
        return "".join(self._pad(cell, column) for column, cell in enumerate(cells))

    def _pad(self, text: str, column: int) -> str:
        width = self.rows.widths[column]
        if len(text) > width:
            text = text[: width - 1] + "…"
        return text.ljust(width + GAP)

    @staticmethod
    def _crop(segments: list[Segment], scroll_x: int, width: int, fill: Style) -> Strip:
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, fill)


def _pod_status(phase: str) -> str:
    """A run's phase in the pod list's words, for its colour (Deleted: ended, as Terminating looks)."""
    return {"Succeeded": "Completed", "Deleted": "Terminating"}.get(phase, phase)
