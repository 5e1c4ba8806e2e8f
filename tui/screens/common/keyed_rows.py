"""A DataTable whose rows have keys (a node's name, an event's uid), drawn again whole at each change: the key
under the cursor, and a refill that keeps the cursor on its row while that row is still there; and the view made of
one such table under an info line (Nodes, Events)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from tui.screens.common.base import AppScreen
from tui.services.kube.kube import KubeService


def cursor_key(table: DataTable[Any]) -> str | None:
    if table.row_count == 0:
        return None
    key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return str(key) if key is not None else None


def refill(table: DataTable[Any], rows: Iterable[tuple[str, Sequence[Any]]]) -> None:
    """The table becomes `rows` (key, cells), in order."""
    current = cursor_key(table)
    table.clear()
    keys = set()
    for key, cells in rows:
        table.add_row(*cells, key=key)
        keys.add(key)
    if current is not None and current in keys:
        table.move_cursor(row=table.get_row_index(current), animate=False)


def enter_binding(action: str, description: str, id: str, tooltip: str) -> Binding:
    """Enter on the row under the cursor; a priority binding, so it comes before the table's own Enter (select)
    and the footer shows it."""
    return Binding("enter", action, description, id=id, priority=True, tooltip=tooltip)


class KeyedTableScreen(AppScreen):
    """A top-level view of the cluster: an info line (#MODE-info) over a table of keyed rows (#MODE)."""

    DEFAULT_CSS = """
    KeyedTableScreen .keyed-info { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    KeyedTableScreen .keyed-table { height: 1fr; }
    """

    def __init__(self, mode: str, title: str, kube: KubeService) -> None:
        super().__init__(mode)
        self.title = title
        self.kube = kube

    def compose_body(self) -> ComposeResult:
        yield Static(f"listing {self.mode}…", id=f"{self.mode}-info", classes="keyed-info")
        yield DataTable(id=self.mode, classes="keyed-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """(Textual runs a subclass's own on_mount too, before this one.)"""
        self.table.focus()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(f"#{self.mode}", DataTable)

    @property
    def cursor_key(self) -> str | None:
        return cursor_key(self.table)

    def say_info(self, markup: str) -> None:
        self.query_one(f"#{self.mode}-info", Static).update(markup)
