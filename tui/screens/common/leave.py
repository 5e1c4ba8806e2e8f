"""Asked when leaving the app while pods it started, or its interactive-build containers, still run: delete them,
keep them running, or stay; and when the Deploy editor holds unsaved changes: save them first, or discard them.
"Delete them" first asks about the pods of runs whose logs or results would be lost (the safe clean-up): once the app
is gone, nothing archives a log any more."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label

from tui.models.units import counted
from tui.screens.common.cleanup import CleanupOutcome, Puller, SafeDeletion
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import KubeService
from tui.services.runs.cleanup import PodToDelete

if TYPE_CHECKING:
    from tui.services.pods.experiment_pods import ExperimentPod

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


def delete_then_leave(
    screen: Screen[Any],
    kube: KubeService,
    pods: Sequence[ExperimentPod],
    puller: Callable[[], Puller | None],
    leave: Callable[[], object],
    stay: Callable[[], object],
) -> None:
    """ "Delete them, quit": the pods deleted through the safe clean-up (its question when a run would lose its logs
    or results), then `leave()`; `stay()` when it was cancelled or a pod was not deleted (said in a notification)."""
    by_key = {pod.key: pod for pod in pods}
    # A Job with no pod right now (`job/NAME`) has no log or results at stake: only its pods are looked up.
    targets = [
        PodToDelete(pod.namespace, pod.name, "" if pod.name.startswith("job/") else pod.job, pod.finished)
        for pod in pods
    ]

    def delete(chosen: list[PodToDelete]) -> list[str]:
        with heavy_imports():
            from tui.services.pods.experiment_pods import ExperimentPods  # the kubernetes client: not at start

        return ExperimentPods(kube).delete([by_key[target.key] for target in chosen])

    def done(outcome: CleanupOutcome) -> None:
        if outcome.complete:
            leave()
            return
        if outcome.problems or outcome.failed:
            text = "\n".join([*outcome.failed, *outcome.problems])
            screen.app.notify(text, title="Not deleted: staying", severity="error", timeout=15, markup=False)
        stay()

    heading = f"Delete {counted(len(pods), 'pod')} started from k8sx-tui and quit?"
    SafeDeletion(screen, kube, puller).start(targets, delete, done, heading, quitting=True)
