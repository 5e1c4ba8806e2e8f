"""A checkbox that reads without colour: Textual's draws the same X ticked or not, in another colour only."""

from __future__ import annotations

from textual.widgets import Checkbox

TICKED = "X"
UNTICKED = " "


class TickBox(Checkbox):
    """▐X▌ when ticked, ▐ ▌ when not (the colours stay, for those who see them)."""

    BUTTON_INNER = UNTICKED  # the value starts False; setting it True in __init__ runs the watcher below

    def _watch_value(self, value: bool) -> None:
        # Textual reads BUTTON_INNER each time it draws the button; its own watch_value still runs after this.
        self.BUTTON_INNER = TICKED if value else UNTICKED
