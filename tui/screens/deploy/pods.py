"""The pods the app started (labelled app.kubernetes.io/managed-by=k8sx-tui) in the namespace, live: the same
list + watch and table as the Pods screen, narrowed by the label, with a line that counts them by status."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Static

from tui.models.deploy.pod_template import FANOUT_LABEL, MANAGED_SELECTOR
from tui.models.pods.table import PodTable
from tui.screens.common.failures import WorkerFailures
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.pods.watch import PodChangeBuffer, PodWatcher
from tui.widgets.pod_table import PodTableView


@dataclass
class ExperimentPodsPending(Message):
    """The watch left changes in `buffer` (one message per batch)."""

    buffer: PodChangeBuffer


class ExperimentPodsPanel(WorkerFailures, Vertical):
    DEFAULT_CSS = """
    ExperimentPodsPanel #deploy-pods-info { height: 1; padding: 0 1; color: $text-muted; }
    ExperimentPodsPanel PodTableView { height: 1fr; }
    """

    def __init__(self, kube: KubeService, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kube = kube
        self.table = PodTable()
        self.table.sort_by("AGE")  # the newest first
        self._watcher: PodWatcher | None = None
        self._buffer = PodChangeBuffer()
        self.namespace = ""
        self._trouble = ""

    def compose(self) -> ComposeResult:
        yield Static("pods started from k8sx-tui: listing…", id="deploy-pods-info")
        yield PodTableView(self.table, id="deploy-pods")

    @property
    def view(self) -> PodTableView:
        return self.query_one(PodTableView)

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()

    def watch_namespace(self, namespace: str) -> None:
        """Watch this namespace (nothing happens when it is already the one watched)."""
        if namespace == self.namespace and self._watcher is not None:
            return
        if self._watcher is not None:
            self._watcher.stop()
        self.namespace = namespace
        self._watcher = PodWatcher(self.kube, namespace, MANAGED_SELECTOR)
        self._buffer = PodChangeBuffer()
        self._trouble = ""
        self.table.replace_all([])
        self.view.show_namespace = namespace == ALL_NAMESPACES
        self.view.rows_changed()
        self.follow(self._watcher, self._buffer)

    @work(thread=True, group="deploy-watch", exit_on_error=False)
    def follow(self, watcher: PodWatcher, buffer: PodChangeBuffer) -> None:
        buffer.pump(watcher.events(), lambda: self.post_message(ExperimentPodsPending(buffer)))

    def on_experiment_pods_pending(self, message: ExperimentPodsPending) -> None:
        if message.buffer is not self._buffer:
            return  # from a watch since replaced
        listed, changes, trouble = message.buffer.take()
        if listed is not None:
            self.table.replace_all(listed)
            self._trouble = ""
        if changes:
            self.table.apply(changes)
            self._trouble = ""
        if trouble is not None:
            self._trouble = trouble.reason
        self.view.rows_changed()
        self.update_info()

    def update_info(self) -> None:
        rows = list(self.table.rows.values())
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        where = "all namespaces" if self.namespace == ALL_NAMESPACES else self.namespace
        text = f"pods started from k8sx-tui in {escape(where)}: {len(rows)}"
        if counts:
            text += " (" + ", ".join(f"{n} {escape(status)}" for status, n in sorted(counts.items())) + ")"
        fanouts = sorted({row.labels[FANOUT_LABEL] for row in rows if FANOUT_LABEL in row.labels})
        if fanouts:
            text += " · fan-outs: " + ", ".join(escape(f) for f in fanouts)
            text += " (on Pods: / -l k8sx.dev/fanout=NAME)"
        if self._trouble:
            text += f" · [$text-error]{escape(self._trouble)}[/]"
        self.query_one("#deploy-pods-info", Static).update(text)
