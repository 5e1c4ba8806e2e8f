"""Asked when leaving the app while pods it started, or its interactive-build containers, still run: delete them,
keep them running, or stay."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui.models.units import counted

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

    def __init__(self, pods: Sequence[str], containers: Sequence[str] = (), unknown: str = "") -> None:
        """`unknown`: why the containers could not be asked about (the Docker engine does not answer), if so."""
        super().__init__()
        self.pods = pods
        self.containers = containers
        self.unknown = unknown

    def compose(self) -> ComposeResult:
        said = []
        if self.pods:
            said.append(f"{counted(len(self.pods), 'pod')} started from k8sx-tui still running:\n{_listed(self.pods)}")
        if self.containers:
            what = counted(len(self.containers), "interactive-build container")
            said.append(f"{what} still running (Delete removes what was not committed):\n{_listed(self.containers)}")
        if self.unknown:
            said.append(f"Interactive-build containers: not known ({self.unknown})")
        with Vertical():
            yield Label("\n".join(said), id="leave-question", markup=False)
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


def _listed(names: Sequence[str]) -> str:
    more = f"\n  … and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return "\n".join(f"  {name}" for name in names[:SHOWN]) + more
