"""The Runs table: like the pod table it draws only the rows on screen (RowTableView); space marks runs to compare."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message

from tui.models.runs.listing import COLUMNS, RunRows
from tui.models.runs.run import RunSummary
from tui.widgets.pod_table import status_class
from tui.widgets.row_table import RowTableView, cursor_bindings, pad

STATUS = COLUMNS.index("STATUS")


class RunTableView(RowTableView, can_focus=True):
    BINDINGS = [
        *cursor_bindings("runs"),
        Binding("space", "toggle_mark", "Mark", id="runs.mark", tooltip="mark runs to compare (d)"),
    ]
    HEADER_CLASS = "run-table--header"
    CURSOR_CLASS = "run-table--cursor"
    MARKED_CLASS = "run-table--marked"
    COMPONENT_CLASSES = {HEADER_CLASS, CURSOR_CLASS, MARKED_CLASS}
    DEFAULT_CSS = """
    RunTableView { height: 1fr; background: $surface; }
    RunTableView > .run-table--header { text-style: bold; color: $text-accent; background: $panel; }
    RunTableView > .run-table--cursor { background: $block-cursor-blurred-background; }
    RunTableView:focus > .run-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    RunTableView > .run-table--marked { color: $text-warning; text-style: bold; }
    """

    @dataclass
    class Chosen(Message):
        """Enter or a click on a run."""

        run_id: str

    class MarksChanged(Message):
        """Runs were marked or unmarked (the screen says how many)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = RunRows([], 0.0)
        self.cursor_index = 0
        self.marked: set[str] = set()  # run ids, kept across reloads and filters

    def show(self, rows: RunRows) -> None:
        """New rows (a reload, a filter): the cursor stays on its run when it is still shown."""
        current = self.current
        self.rows = rows
        index = self.cursor_index
        if current is not None:
            index = next((at for at, i in enumerate(rows.shown) if rows.run_id(i) == current.id), index)
        self._set_size()
        self._set_cursor(index, scroll=False)

    @property
    def current(self) -> RunSummary | None:
        shown = self.rows.shown
        return self.rows.summary(shown[self.cursor_index]) if 0 <= self.cursor_index < len(shown) else None

    def shown_ids(self) -> list[str]:
        return [self.rows.run_id(i) for i in self.rows.shown]

    def on_click(self, event: events.Click) -> None:
        if event.y > 0:
            self._set_cursor(self.scroll_offset.y + event.y - 1)
            if event.chain == 2 and (run := self.current) is not None:
                self.post_message(self.Chosen(run.id))

    # ---------------------------------------------------------------- RowTableView

    @property
    def row_count(self) -> int:
        return len(self.rows.shown)

    def row_key(self, index: int) -> str:
        return self.rows.run_id(self.rows.shown[index])

    def marks_changed(self) -> None:
        self.post_message(self.MarksChanged())

    def header_text(self) -> str:
        return "".join(pad(title, self.rows.widths[column]) for column, title in enumerate(COLUMNS))

    def row_segments(self, index: int, base: Style) -> list[Segment]:
        at = self.rows.shown[index]
        status = base + self.get_component_rich_style(status_class(_pod_status(self.rows.phase(at))))
        return [
            Segment(pad(cell, self.rows.widths[column]), status if column == STATUS else base)
            for column, cell in enumerate(self.rows.cells(at))
        ]


def _pod_status(phase: str) -> str:
    """A run's phase in the pod list's words, for its colour (Deleted: ended, as Terminating looks)."""
    return {"Succeeded": "Completed", "Deleted": "Terminating"}.get(phase, phase)
