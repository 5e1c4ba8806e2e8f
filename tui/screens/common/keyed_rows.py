"""A DataTable whose rows have keys (a node's name, an event's uid), drawn again whole at each change: the key
under the cursor, and a refill that keeps the cursor on its row while that row is still there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.widgets import DataTable


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
