"""The pod template's form, with the cluster's GPU types to pick from: the nodes are listed (one call, on a worker)
when the form opens. Picking a type fills the GPU type field (and one GPU when none was asked for); the line under
the list says what the choice will meet (the type's GPUs per node, spot), and why a pod of it would wait."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from textual import on, work
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select

from tui.models.deploy.accelerators import ClusterGpus
from tui.screens.common.failures import WorkerFailures
from tui.screens.common.forms import FormScreen
from tui.screens.deploy.forms import template_fields
from tui.services.deploy.accelerators import read_cluster_gpus
from tui.services.kube.kube import KubeService

log = logging.getLogger(__name__)


@dataclass
class GpusRead(Message):
    """The cluster's GPU types, or why they could not be read (in words)."""

    gpus: ClusterGpus | None
    problem: str = ""


class TemplateForm(WorkerFailures, FormScreen):
    DEFAULT_CSS = """
    TemplateForm #gpu-types { margin-top: 1; }
    TemplateForm #gpu-types-note { color: $text-muted; }
    """

    def __init__(self, kube: KubeService, values: dict[str, str]) -> None:
        super().__init__("Pod from the template", template_fields(values), "Make YAML")
        self.kube = kube
        self.gpus: ClusterGpus | None = None

    async def on_mount(self) -> None:
        await self.query_one(VerticalScroll).mount(  # before the reading: its answer updates them
            Select[str]([], prompt="GPU types: reading the cluster's nodes…", id="gpu-types", disabled=True),
            Label("", id="gpu-types-note", markup=False),
            after="#field-memory",
        )
        self.read_gpus()

    @work(thread=True, exit_on_error=False, name="list the cluster's GPU nodes")
    def read_gpus(self) -> None:
        try:
            gpus = read_cluster_gpus(self.kube)
        except Exception as exc:
            reason = self.kube.reason(exc)
            if reason is None:
                raise  # not the cluster's answer: WorkerFailures reports it with its traceback
            log.warning("listing the nodes for the GPU types failed: %s", reason)
            self.post_message(GpusRead(None, reason))
            return
        self.post_message(GpusRead(gpus))

    def on_gpus_read(self, message: GpusRead) -> None:
        select = self.query_one("#gpu-types", Select)
        self.gpus = message.gpus
        if message.gpus is None:
            select.prompt = "GPU types: cannot list the nodes"
            self.say_gpus(f"cannot list the cluster's nodes ({message.problem}): type a GPU type below")
            return
        if message.gpus.types:
            select.set_options((Content(a.label), a.type) for a in message.gpus.types)
            select.prompt = "GPU types of the cluster's nodes: pick one"
            select.disabled = False
            typed = self.typed_type
            if message.gpus.find(typed) is not None:
                select.value = typed  # the form came back after a bad field: show the type chosen before
        else:
            select.prompt = "GPU types: no GPU nodes"
        self.update_note()

    @property
    def typed_type(self) -> str:
        return self.query_one("#field-gpu_type", Input).value.strip()

    @on(Select.Changed, "#gpu-types")
    def picked(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):
            return  # the prompt again: the typed type stays
        self.query_one("#field-gpu_type", Input).value = event.value
        count = self.query_one("#field-gpu", Input)
        if count.value.strip() in ("", "0"):
            count.value = "1"

    @on(Input.Changed, "#field-gpu_type, #field-gpu")
    @on(Checkbox.Changed, "#field-spot")
    def update_note(self) -> None:
        if self.gpus is None:
            return  # still reading, or the nodes could not be listed: that is what the note says
        count = self.query_one("#field-gpu", Input).value.strip()
        spot = self.query_one("#field-spot", Checkbox).value
        self.say_gpus(self.gpus.hint(self.typed_type, int(count) if count.isdigit() else 0, spot))

    def say_gpus(self, text: str) -> None:
        self.query_one("#gpu-types-note", Label).update(text)

    def show_failure(self, text: str) -> None:
        """Where an unexpected failure of the reading is said (WorkerFailures)."""
        self.say_gpus(text)
