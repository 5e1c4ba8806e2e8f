"""Asked when leaving the app while pods it started still run: delete them, keep them running, or stay."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

LeaveChoice = Literal["delete", "keep", "cancel"]
SHOWN = 10


class LeaveScreen(ModalScreen[LeaveChoice]):
    """Cancel has the focus, so a stray Enter neither deletes pods nor quits."""

    BINDINGS = [Binding("escape", "dismiss('cancel')", "Cancel", id="leave.cancel")]
    DEFAULT_CSS = """
    LeaveScreen { align: center middle; }
    LeaveScreen > Vertical {
        width: auto; max-width: 90%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    LeaveScreen Label { margin-bottom: 1; }
    LeaveScreen Horizontal { height: auto; align-horizontal: right; }
    LeaveScreen Button { margin-left: 2; }
    """

    def __init__(self, pods: list[str]) -> None:
        super().__init__()
        self.pods = pods

    def compose(self) -> ComposeResult:
        listed = "\n".join(f"  {name}" for name in self.pods[:SHOWN])
        more = f"\n  … and {len(self.pods) - SHOWN} more" if len(self.pods) > SHOWN else ""
        count = f"{len(self.pods)} pod{'s' if len(self.pods) != 1 else ''}"
        with Vertical():
            yield Label(
                f"{count} started from k8sx-tui still running:\n{listed}{more}", id="leave-question", markup=False
            )
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Keep them running, quit", id="keep", variant="primary")
                yield Button("Delete them, quit", id="delete", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        choice: LeaveChoice = (
            "delete" if event.button.id == "delete" else "keep" if event.button.id == "keep" else "cancel"
        )
        self.dismiss(choice)
