"""The step between the copy-in form and the copy: the pod is asked what is at the place typed, and the final path,
the rule that chose it (docker cp's), what goes and what it replaces are said before a byte is sent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui.models.pods.row import PodRow
from tui.models.transfer.copy_target import PodKind, TargetRefused
from tui.screens.common.failures import WorkerFailures
from tui.services.kube.kube import KubeService
from tui.services.transfer.copy_in_target import CopyInPlan, plan_copy_in
from tui.services.transfer.pull import TransferFailed


@dataclass
class CopyInPlanned(Message):
    plan: CopyInPlan | None
    problem: str


def plan_words(plan: CopyInPlan, pod: str) -> str:
    target = plan.target
    lines = [f"Copy {plan.size.words()} from {plan.local}", f"to {pod}:{target.target}", "", target.why]
    if target.replaces is not PodKind.MISSING:
        lines.append(f"{target.target} is already there (a {target.replaces.value}): it is replaced")
    return "\n".join(lines)


class CopyInPlanScreen(WorkerFailures, ModalScreen[CopyInPlan | None]):
    """Dismissed with the plan to follow (Copy, or Replace when the pod has the target already), else None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="copyplan.cancel")]
    DEFAULT_CSS = """
    CopyInPlanScreen { align: center middle; }
    CopyInPlanScreen > Vertical {
        width: 90; max-width: 95%; height: auto; padding: 1 2; border: thick $primary; background: $surface;
    }
    CopyInPlanScreen Label { width: 100%; }  /* long paths wrap instead of being cut */
    CopyInPlanScreen #plan-text { margin-bottom: 1; }
    CopyInPlanScreen #plan-text.-refused { color: $text-error; }
    CopyInPlanScreen Horizontal { height: auto; align-horizontal: right; }
    CopyInPlanScreen Button { margin-left: 2; }
    """

    def __init__(self, kube: KubeService, row: PodRow, local: Path, dest: str) -> None:
        super().__init__()
        self.kube = kube
        self.row = row
        self.local = local
        self.dest = dest
        self.plan: CopyInPlan | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Copy into {self.row.key}", classes="form-title", markup=False)
            yield Label(f"asking the pod what is at {self.dest}…", id="plan-text", markup=False)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Copy", id="start", variant="primary", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()
        self.find_target()

    @work(thread=True, exclusive=True, group="copy-in-plan", exit_on_error=False)
    def find_target(self) -> None:
        row = self.row
        try:
            plan = plan_copy_in(self.kube, row.namespace, row.name, None, self.local, self.dest)
        except (TargetRefused, TransferFailed, OSError) as exc:
            self.post_message(CopyInPlanned(None, str(exc)))
            return
        self.post_message(CopyInPlanned(plan, ""))

    def on_copy_in_planned(self, message: CopyInPlanned) -> None:
        text = self.query_one("#plan-text", Label)
        start = self.query_one("#start", Button)
        plan = self.plan = message.plan
        if plan is None:
            self.show_failure(f"Not copied: {message.problem}")
            return
        text.update(plan_words(plan, self.row.key))
        start.disabled = False
        if plan.target.replaces is not PodKind.MISSING:  # Cancel keeps the focus: a stray Enter replaces nothing
            start.label, start.variant = "Replace", "error"
        else:
            start.focus()

    def show_failure(self, text: str) -> None:
        label = self.query_one("#plan-text", Label)
        label.update(text)
        label.add_class("-refused")

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        self.dismiss(self.plan)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
