"""Asked when leaving the app while pods it started, or its interactive-build containers, still run: delete them,
keep them running, or stay; and when the Deploy editor holds unsaved changes: save them first, or discard them."""

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

# delete: delete them, quit · keep: quit, deleting nothing (unsaved edits discarded) · save: stay, saving the edits
LeaveChoice = Literal["delete", "keep", "save", "cancel"]
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

    def __init__(
        self, pods: Sequence[str], containers: Sequence[str] = (), unknown: str = "", unsaved: str | None = None
    ) -> None:
        """`unknown`: why the containers could not be asked about (the Docker engine does not answer), if so;
        `unsaved`: where the Deploy editor's unsaved changes belong (a file, or "the new manifest"), if any."""
        super().__init__()
        self.pods = pods
        self.containers = containers
        self.unknown = unknown
        self.unsaved = unsaved

    def compose(self) -> ComposeResult:
        said = []
        if self.pods:
            said.append(f"{counted(len(self.pods), 'pod')} started from k8sx-tui still running:\n{_listed(self.pods)}")
        if self.containers:
            what = counted(len(self.containers), "interactive-build container")
            said.append(f"{what} still running (Delete removes what was not committed):\n{_listed(self.containers)}")
        if self.unknown:
            said.append(f"Interactive-build containers: not known ({self.unknown})")
        if self.unsaved:
            said.append(
                f"Unsaved changes in the Deploy editor ({self.unsaved}): quitting discards them; "
                "Save changes stays and saves them (ctrl+w on the Deploy screen)."
            )
        running = bool(self.pods or self.containers)
        with Vertical():
            yield Label("\n".join(said), id="leave-question", markup=False)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                if self.unsaved:
                    yield Button("Save changes", id="save", variant="success")
                if running:
                    yield Button("Keep them running, quit", id="keep", variant="primary")
                    yield Button("Delete them, quit", id="delete", variant="error")
                else:
                    yield Button("Discard changes, quit", id="keep", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        choices: dict[str | None, LeaveChoice] = {"delete": "delete", "keep": "keep", "save": "save"}
        self.dismiss(choices.get(event.button.id, "cancel"))


def _listed(names: Sequence[str]) -> str:
    more = f"\n  … and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return "\n".join(f"  {name}" for name in names[:SHOWN]) + more
