"""Home and End on any focused table of a screen: the first and the last row, as in the pod list. Textual's
DataTable moves sideways on them with a row cursor (and PgUp/PgDn already move a page), so the screen takes
them first, and only while a table has the focus: in a text field they stay the field's."""

from __future__ import annotations

from typing import Any

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable


class TableKeys(Screen[Any]):
    """Mixed into a screen (before Screen in its bases); its tables need no change of their own."""

    BINDINGS = [
        Binding("home", "table_row('first')", "First row", show=False, priority=True, id="screen.first-row"),
        Binding("end", "table_row('last')", "Last row", show=False, priority=True, id="screen.last-row"),
    ]

    def focused_table(self) -> DataTable[Any] | None:
        table = self.focused
        return table if isinstance(table, DataTable) and table.cursor_type == "row" else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden from help and the palette, and the key left to the focused widget, while no table has the focus.
        if action == "table_row" and self.focused_table() is None:
            return False
        return super().check_action(action, parameters)

    def action_table_row(self, where: str) -> None:
        table = self.focused_table()
        if table is None:
            raise SkipAction()
        table.move_cursor(row=0 if where == "first" else table.row_count - 1)
