"""The pod list: live (list + watch), filterable, sortable, with describe, YAML and delete on the selection."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Static

from tui.messages import KubeTargetChanged, OpenLogs, OpenShell, PodMetricsRead
from tui.models.metrics.gpu import GpuState
from tui.models.metrics.history import UsageHistory
from tui.models.metrics.usage import MetricsReading
from tui.models.pods.row import PodRow
from tui.models.pods.table import PodTable
from tui.models.project.project_file import PROJECT_FILE, ProjectError
from tui.screens.common.base import AppScreen
from tui.screens.common.cleanup import CleanupOutcome, SafeDeletion, pod_to_delete
from tui.screens.common.dialogs import ChoiceScreen
from tui.screens.common.failures import Notice
from tui.screens.common.live_state import live_state
from tui.screens.common.text_view import TextViewScreen
from tui.screens.pods.detail import PodDetailScreen
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.metrics.gpu import GpuPoller
from tui.services.metrics.metrics import MetricsService
from tui.services.pods.actions import PodActions
from tui.services.pods.watch import PodChangeBuffer, PodWatcher
from tui.services.runs.cleanup import PodToDelete
from tui.widgets.pod_table import RESOURCE_SETS, PodTableView

# The flows of r / u / U / f and the claims screen bring the kubernetes client, websocket and tar: made on first use.
if TYPE_CHECKING:
    from tui.screens.forward.start import ForwardFlow
    from tui.screens.pods.cleanup_pull import PodListPuller
    from tui.screens.transfer.pod_flows import PodTransfers

ALL_NAMESPACES_CHOICE = "all namespaces"
# metrics-server's resolution; without the metrics API, a slower retry (no error spam, no load on a broken server).
METRICS_EVERY_S = 15.0
METRICS_RETRY_S = 60.0
GPU_EVERY_S = 15.0  # nvidia-smi in each GPU pod on screen (and the detail's pod), at most 4 execs at a time

log = logging.getLogger(__name__)

PROJECT_HINT = f"{PROJECT_FILE} found: 6 then g builds, pushes, deploys and opens a shell; r on the pod pulls results"
FIRST_STEPS = (
    "no pods here yet: 4 builds an image (b from a Dockerfile, I in a shell), 5 pushes it, 6 deploys a pod "
    "(g there offers a starter k8sx.yaml); ? lists every key"
)


def project_hint(folder: Path) -> tuple[str, bool]:
    """What the first line says when `folder` (the working directory at start) holds a project file: the one-key
    loop, or that the file has problems (the Deploy screen lists them). ("", True) when there is none."""
    found = folder / PROJECT_FILE
    if not found.is_file():
        return "", True
    # PyYAML: only when there is a project file
    from tui.services.project.project_file import load_project

    try:
        load_project(found)
    except ProjectError as exc:
        many = len(exc.problems) > 1
        return f"{PROJECT_FILE} found, with {len(exc.problems)} problem{'s' if many else ''}: 6 lists them", False
    return PROJECT_HINT, True


@dataclass
class GpuRead(Message):
    """nvidia-smi's answer for one pod (from the GPU poller's thread)."""

    key: str
    state: GpuState


@dataclass
class PodsPending(Message):
    """The watch thread left changes in `buffer` (one message per batch, however many events)."""

    buffer: PodChangeBuffer


class PodsScreen(AppScreen):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="pods.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="pods.clear-filter"),
        Binding("o", "sort_next", "Sort", id="pods.sort"),
        Binding("O", "sort_reverse", "Reverse", id="pods.reverse"),
        Binding("n", "pick_namespace", "Namespace", id="pods.namespace"),
        Binding("c", "pick_context", "Context", id="pods.context"),
        Binding("d,enter", "describe", "Describe", id="pods.describe"),
        Binding(
            "i",
            "detail",
            "Details",
            id="pods.detail",
            tooltip="the pod's CPU, memory and GPU over 15 min beside its requests and limits, and its events",
        ),
        Binding("y", "yaml", "YAML", id="pods.yaml"),
        Binding("l", "logs", "Logs", id="pods.logs"),
        Binding("p", "previous_logs", "Prev logs", show=False, id="pods.previous-logs"),
        Binding("s", "shell", "Shell", id="pods.shell"),
        Binding("a", "attach", "Attach", id="pods.attach"),
        Binding(
            "r",
            "pull_results",
            "Pull",
            id="pods.pull-results",
            tooltip="pull results from the marked pods, or this one",
        ),
        Binding(
            "v",
            "claims",
            "Claims",
            id="pods.claims",
            tooltip="the namespace's PersistentVolumeClaims: pull results from one whose pods are gone",
        ),
        Binding("u", "copy_in", "Copy in", id="pods.copy-in"),
        Binding("U", "sync_code", "Sync code", id="pods.sync-code"),
        Binding("f", "forward", "Forward", id="pods.forward", tooltip="forward a port of the pod to this machine"),
        Binding("F", "forwards", "Forwards", id="pods.forwards", tooltip="every port-forward: state, stop, open"),
        Binding("e", "events", "Events", id="pods.events", tooltip="the namespace's events, live (w: warnings)"),
        Binding(
            "m",
            "toggle_resources",
            "Resources",
            id="pods.resources",
            tooltip="resource columns: CPU, MEM, %CPU/R, %MEM/R, GPU · with %CPU/L, %MEM/L · hidden",
        ),
        Binding("ctrl+d", "delete", "Delete…", id="pods.delete"),
    ]
    DEFAULT_CSS = """
    PodsScreen #pods-info { height: 1; padding: 0 1; color: $text-muted; }
    PodsScreen #pods-hint { height: auto; padding: 0 1; color: $text-accent; display: none; }
    PodsScreen #pods-hint.-shown { display: block; }
    PodsScreen #pods-hint.-problem { color: $text-warning; }
    PodsScreen #pods-filter { dock: bottom; display: none; }
    PodsScreen #pods-filter.-active { display: block; }
    """

    def __init__(
        self,
        kube: KubeService,
        results_path: str = "/persistent/out",
        data_path: str = "/persistent/data",
        cwd: Path | None = None,
    ) -> None:
        """The paths are where `r` and `u` look in the pod first (the tutorial's persistent volume, or the
        settings) unless the project file `k8sx.yaml` in `cwd` (default: the working directory) names its own."""
        super().__init__("pods")
        self.kube = kube
        self.actions = PodActions(kube)
        self._transfer_args = (results_path, data_path, cwd or Path.cwd())
        self.title = "Pods"
        self.table = PodTable()
        self._watcher: PodWatcher | None = None
        self._buffer = PodChangeBuffer()
        self._listed_once = False
        self._trouble = ""
        self.metrics = MetricsService(kube)
        self._metrics_state = ""  # the metrics API's absence in words, shown once on the info line
        self._metrics_asked = -METRICS_RETRY_S  # time.monotonic() of the last read started
        self._metrics_generation = 0  # a new namespace or context: a reading still on its way is for the old one
        self.history = UsageHistory(time.monotonic())  # the readings, for the detail's sparklines and idle GPUs
        self.gpus = GpuPoller(kube, lambda key, state: self.post_message(GpuRead(key, state)))
        self._detail: PodDetailScreen | None = None  # while a pod's detail is open on top of the list

    @cached_property
    def transfers(self) -> PodTransfers:
        from tui.screens.transfer.pod_flows import PodTransfers

        return PodTransfers(self, self.kube, *self._transfer_args)

    @cached_property
    def forward_flow(self) -> ForwardFlow:
        from tui.screens.forward.start import ForwardFlow

        return ForwardFlow(self, self.kube)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="pods-hint", markup=False)
        yield Static("", id="pods-info")
        yield PodTableView(self.table, id="pods")
        yield Input(placeholder="filter: text or regex · -l app=web,tier!=db · Esc clears", id="pods-filter")

    @property
    def view(self) -> PodTableView:
        return self.query_one("#pods", PodTableView)

    def on_mount(self) -> None:
        self.view.focus()
        self.show_project_hint()
        self.start_watch()
        self.set_interval(METRICS_EVERY_S, self.metrics_due)
        self.set_interval(GPU_EVERY_S, self.gpus_due)

    def show_project_hint(self) -> None:
        """A project file in the working directory at start: say on the first line what to press; without one, the
        first steps while the namespace has no pods."""
        text, usable = project_hint(self._transfer_args[2])
        if not text and self._listed_once and not self.table.rows and not self._trouble:
            text = FIRST_STEPS
        hint = self.query_one("#pods-hint", Static)
        hint.update(text)
        hint.set_class(bool(text), "-shown")
        hint.set_class(not usable, "-problem")

    def first_steps_shown(self) -> None:
        """The first steps come and go with the namespace's pods (a project file's hint stays as it is)."""
        hint = self.query_one("#pods-hint", Static)
        if str(hint.content) in ("", FIRST_STEPS):
            self.show_project_hint()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        self.gpus.close()

    # ---------------------------------------------------------------- the watch

    def start_watch(self) -> None:
        """(Re)start the watch for the current context and namespace; the table empties until the list arrives."""
        if self._watcher is not None:
            self._watcher.stop()
        self._watcher = PodWatcher(self.kube, self.kube.namespace)
        self._buffer = PodChangeBuffer()
        self._listed_once = False
        self._trouble = ""
        self.table.replace_all([])
        self.view.show_namespace = self.kube.namespace == ALL_NAMESPACES
        self.view.marked.clear()
        self.view.rows_changed()
        self.table.set_usage({})
        self._metrics_state = ""
        self._metrics_generation += 1
        self.update_info()
        self.follow(self._watcher, self._buffer)
        self.ask_metrics()

    @work(thread=True, group="pods-watch", exit_on_error=False)
    def follow(self, watcher: PodWatcher, buffer: PodChangeBuffer) -> None:
        for event in watcher.events():
            if buffer.add(event):
                self.post_message(PodsPending(buffer))

    def on_pods_pending(self, message: PodsPending) -> None:
        if message.buffer is not self._buffer:
            return  # from a watch that has since been replaced
        listed, changes, trouble = message.buffer.take()
        if listed is not None:
            self.table.replace_all(listed)
            self._listed_once = True
            self._trouble = ""
        if changes:
            self.table.apply(changes)
            self._trouble = ""
        if trouble is not None:
            retry = f"retrying in {trouble.retry_in:.0f}s" if trouble.retry_in >= 1 else "retrying"
            verb = "" if trouble.forbidden else ("reconnecting: " if self._listed_once else "cannot list pods: ")
            self._trouble = f"{verb}{trouble.reason} ({retry})"
        self.view.rows_changed()
        self.update_info()
        if listed is not None or changes:
            self.first_steps_shown()
        if listed is not None:
            self.gpus_due()  # GPU pods on screen: their first reading now, not in 15 s
        if (detail := self.detail) is not None:
            detail.samples_changed()  # its pod's status, or its deletion

    # ---------------------------------------------------------------- usage (metrics-server)

    def metrics_due(self) -> None:
        """Every 15 s while the pod list is on screen (a minute while the metrics API is missing)."""
        every = METRICS_RETRY_S if self._metrics_state else METRICS_EVERY_S
        due = time.monotonic() - self._metrics_asked >= every - 1.0  # the timer's own jitter
        if due and (self.is_active or self.detail_shown):  # the detail's sparklines live on these readings too
            self.ask_metrics()

    def on_screen_resume(self) -> None:
        self.metrics_due()  # back from another view: a stale reading is refreshed now, not at the next tick

    def ask_metrics(self) -> None:
        self._metrics_asked = time.monotonic()
        self.read_metrics(self.kube.namespace, self._metrics_generation)

    @work(thread=True, group="pods-metrics", exclusive=True, exit_on_error=False)
    def read_metrics(self, namespace: str, generation: int) -> None:
        try:
            reading = self.metrics.pod_usage(namespace)
        except Exception as exc:  # not the metrics API's own trouble: still a state, never a traceback per tick
            log.warning("reading pod metrics failed", exc_info=exc)
            reading = MetricsReading(unavailable=f"metrics: not available — {self.kube.explain(exc)}")
        self.history.record_usage(reading.usage, time.monotonic())  # here: 10,000 pods' samples off the UI thread
        self.post_message(PodMetricsRead(reading, generation))

    def on_pod_metrics_read(self, message: PodMetricsRead) -> None:
        if message.generation != self._metrics_generation:
            return  # asked for a namespace or context no longer shown
        reading = message.reading
        if self.table.set_usage(reading.usage):
            self.view.rows_changed()  # sorted by usage: the order moved (the cursor follows its pod)
        else:
            self.view.refresh()  # only the lines on screen are drawn again
        if reading.unavailable != self._metrics_state:
            self._metrics_state = reading.unavailable
            self.update_info()
        rows, usage = self.table.rows, reading.usage
        self.history.retain(lambda key: key in rows or key in usage, time.monotonic())  # pods gone: forgotten
        self.table.forget_gone()
        self.gpus.forget(rows.__contains__)
        if (detail := self.detail) is not None:
            detail.samples_changed(events=True)

    # ---------------------------------------------------------------- GPU use (nvidia-smi over exec)

    @property
    def detail(self) -> PodDetailScreen | None:
        """The pod's detail while it is open (on top, or under a dialog or help)."""
        detail = self._detail
        return detail if detail is not None and detail.is_attached else None

    @property
    def detail_shown(self) -> bool:
        return self.detail is not None and self.app.screen is self._detail

    def gpus_due(self) -> None:
        """Every 15 s: the GPUs of the running pods on screen that asked for some (the detail's pod while it is
        open), never a pod still being asked; at most 4 execs at a time (GpuPoller)."""
        rows = self.view.visible_rows() if self.is_active else []
        if self.detail_shown and (detail := self.detail) and (row := self.table.rows.get(detail.key)):
            rows.append(row)
        self.gpus.poll(row for row in rows if row.gpus and row.status == "Running")

    def on_gpu_read(self, message: GpuRead) -> None:
        state, key = message.state, message.key
        if key not in self.table.rows:
            return  # gone (or another namespace now)
        if state.use is not None:
            self.history.record_gpu(key, state.use.percent, state.use.memory_used, time.monotonic())
            state = replace(state, idle=self.history.gpu_idle(key))
        if self.table.set_gpu(key, state):
            self.view.rows_changed()
        else:
            self.view.gpu_changed()
        if (detail := self.detail) is not None and detail.key == key:
            detail.samples_changed()

    def action_toggle_resources(self) -> None:
        names = list(RESOURCE_SETS)
        self.view.resources = names[(names.index(self.view.resources) + 1) % len(names)]
        self.view.rows_changed()

    def update_info(self) -> None:
        where = "all namespaces" if self.kube.namespace == ALL_NAMESPACES else f"namespace {self.kube.namespace}"
        shown, total = len(self.table.view), len(self.table.rows)
        count = f"{total} pod{'s' if total != 1 else ''}" if shown == total else f"{shown} of {total} pods"
        parts = [f"{count} in {where}"]
        if self.table.filter:
            parts.append(f"filter {escape(self.table.filter.text)}")
        parts.append(f"sorted by {self.table.sort_column}{'↓' if self.table.sort_reverse else '↑'}")
        if self.view.marked:
            parts.append(f"{len(self.view.marked)} marked")
        if self._metrics_state:
            parts.append(f"[$text-warning]{escape(self._metrics_state)}[/]")
        parts.append(live_state(self._trouble, self._listed_once))
        self.query_one("#pods-info", Static).update(" · ".join(parts))

    # ---------------------------------------------------------------- filter and sort

    def action_filter(self) -> None:
        box = self.query_one("#pods-filter", Input)
        box.add_class("-active")
        box.value = self.table.filter.text
        self.set_focus(box)  # at once: focus() would wait behind the keys typed after `/`

    @on(Input.Changed, "#pods-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if event.value.strip() == self.table.filter.text:
            return  # set already (Esc, a node's pods): a second pass over every row would only cost
        self.table.set_filter(event.value)
        self.view.rows_changed()
        self.update_info()

    @on(Input.Submitted, "#pods-filter")
    def filter_done(self) -> None:
        self.query_one("#pods-filter", Input).remove_class("-active")
        self.view.focus()

    def show_node(self, node: str) -> None:
        """Only the pods on `node` (Enter on the Nodes screen): a filter, cleared with Esc like any other."""
        box = self.query_one("#pods-filter", Input)
        box.value = f"node:{node}"
        self.table.set_filter(box.value)
        self.view.rows_changed()
        self.view.focus()
        self.update_info()

    def action_events(self) -> None:
        self.app.switch_mode("events")

    def action_clear_filter(self) -> None:
        box = self.query_one("#pods-filter", Input)
        box.value = ""
        box.remove_class("-active")
        self.table.set_filter("")
        self.view.rows_changed()
        self.view.focus()
        self.update_info()

    def action_sort_next(self) -> None:
        columns = self.view.columns  # those on screen, in their order
        if self.table.sort_column not in columns:
            columns = [self.table.sort_column, *columns]
        following = columns[(columns.index(self.table.sort_column) + 1) % len(columns)]
        self._sort(following, reverse=False)

    def action_sort_reverse(self) -> None:
        self._sort(self.table.sort_column, reverse=not self.table.sort_reverse)

    def on_pod_table_view_sort_requested(self, message: PodTableView.SortRequested) -> None:
        self._sort(message.column, reverse=None)

    def _sort(self, column: str, reverse: bool | None) -> None:
        self.table.sort_by(column, reverse)
        self.view.rows_changed()
        self.update_info()

    def on_pod_table_view_marks_changed(self) -> None:
        self.update_info()

    # ---------------------------------------------------------------- where: namespace and context

    @work(thread=True, group="pods-pickers", exclusive=True, exit_on_error=False)
    def action_pick_namespace(self) -> None:
        problem = ""
        try:
            names = self.kube.list_namespaces()
        except Exception as exc:
            names, problem = [], f"cannot list namespaces ({self.kube.explain(exc)}); type one"
        current = ALL_NAMESPACES_CHOICE if self.kube.namespace == ALL_NAMESPACES else self.kube.namespace
        picker = ChoiceScreen("Namespace", [ALL_NAMESPACES_CHOICE, *names], current, problem)
        self.app.call_from_thread(self.app.push_screen, picker, self._namespace_chosen)

    def _namespace_chosen(self, choice: str | None) -> None:
        if not choice:
            return
        self.kube.use_namespace(ALL_NAMESPACES if choice == ALL_NAMESPACES_CHOICE else choice)
        self.post_message(KubeTargetChanged())
        self.start_watch()

    @work(thread=True, group="pods-pickers", exclusive=True, exit_on_error=False)
    def action_pick_context(self) -> None:
        problem = ""
        try:
            names = self.kube.contexts()
        except Exception as exc:
            names, problem = [], self.kube.explain(exc)
        picker = ChoiceScreen("Kube context", names, self.kube.context, problem)
        self.app.call_from_thread(self.app.push_screen, picker, self._context_chosen)

    def _context_chosen(self, choice: str | None) -> None:
        if choice:
            self.switch_context(choice)

    @work(thread=True, group="pods-pickers", exclusive=True, exit_on_error=False)
    def switch_context(self, name: str) -> None:
        try:
            self.kube.use_context(name)
        except Exception as exc:
            self.post_message(Notice(self.kube.explain(exc), title="Context", severity="error", error=exc))
        self.post_message(KubeTargetChanged())
        self.app.call_from_thread(self.start_watch)

    # ---------------------------------------------------------------- actions on pods

    def _target(self) -> PodRow | None:
        row = self.view.cursor_row
        if row is None:
            self.notify("no pod selected", severity="warning")
        return row

    def action_describe(self) -> None:
        if (row := self._target()) is not None:
            self.show_text(row, "describe")

    def action_detail(self) -> None:
        if (row := self._target()) is None:
            return
        self._detail = PodDetailScreen(self.kube, row.key, self.table, self.history)
        self.app.push_screen(self._detail, self._detail_closed)
        self.call_after_refresh(self.gpus_due)  # its GPUs read now (it is on top once this refresh is done)

    def _detail_closed(self, _: None) -> None:
        self._detail = None

    def action_yaml(self) -> None:
        if (row := self._target()) is not None:
            self.show_text(row, "yaml")

    @work(thread=True, group="pods-details", exclusive=True, exit_on_error=False)
    def show_text(self, row: PodRow, what: str) -> None:
        try:
            if what == "yaml":
                text, syntax = self.actions.manifest_yaml(row.namespace, row.name), "yaml"
            else:
                text, syntax = self.actions.describe(row.namespace, row.name), None
        except Exception as exc:
            message = f"{row.key}: {self.kube.explain(exc)}"
            self.post_message(Notice(message, title=what.capitalize(), severity="error", error=exc))
            return
        heading = f"{'YAML' if what == 'yaml' else 'Describe'} pod {row.key}   (Esc/q: back)"
        self.app.call_from_thread(self.app.push_screen, TextViewScreen(heading, text, syntax))

    def action_logs(self) -> None:
        if targets := self.view.targets():
            self.post_message(OpenLogs(targets))
        else:
            self.notify("no pod selected", severity="warning")

    def action_previous_logs(self) -> None:
        if (row := self._target()) is not None:
            self.post_message(OpenLogs([row], previous=True))

    def action_shell(self) -> None:
        if (row := self._target()) is not None:
            self.post_message(OpenShell(row))

    def action_attach(self) -> None:
        if (row := self._target()) is not None:
            self.post_message(OpenShell(row, attach=True))

    def action_pull_results(self) -> None:
        if targets := self.view.targets():
            self.transfers.pull(targets)
        else:
            self.notify("no pod selected", severity="warning")

    def action_copy_in(self) -> None:
        if (row := self._target()) is not None:
            self.transfers.copy_in(row)

    def action_sync_code(self) -> None:
        if (row := self._target()) is not None:
            self.transfers.sync_code(row)

    def action_forward(self) -> None:
        if (row := self._target()) is not None:
            self.forward_flow.start(row)

    def action_forwards(self) -> None:
        self.app.switch_mode("forwards")

    def action_claims(self) -> None:
        from tui.screens.transfer.claims import ClaimsScreen

        self.app.push_screen(ClaimsScreen(self.kube, self.transfers))

    @cached_property
    def cleanup(self) -> SafeDeletion:
        return SafeDeletion(self, self.kube, self._cleanup_puller)

    def _cleanup_puller(self) -> PodListPuller:
        from tui.screens.pods.cleanup_pull import PodListPuller

        return PodListPuller(self.transfers)

    def action_delete(self) -> None:
        """Asks first; when a pod's run has logs not archived or results not pulled, the question says so."""
        targets = self.view.targets()
        if not targets:
            self.notify("no pod selected", severity="warning")
            return
        if len(targets) == 1:
            question = f"Delete pod {targets[0].key}?"
        else:
            names = "\n".join(f"  {row.key}" for row in targets[:10])
            more = f"\n  … and {len(targets) - 10} more" if len(targets) > 10 else ""
            question = f"Delete {len(targets)} pods?\n{names}{more}"
        pods = [pod_to_delete(row) for row in targets]
        self.cleanup.start(pods, self.delete_pods, self._cleaned_up, question)

    def delete_pods(self, pods: list[PodToDelete]) -> list[str]:
        """In a worker thread: the failures in words."""
        failed: list[str] = []
        for pod in pods:
            try:
                self.actions.delete(pod.namespace, pod.name)
            except Exception as exc:
                failed.append(f"{pod.key}: {self.kube.explain(exc)}")
        return failed

    def _cleaned_up(self, outcome: CleanupOutcome) -> None:
        if not outcome.cancelled:
            self._deleted(outcome.deleted, outcome.failed)

    def _deleted(self, done: int, failed: list[str]) -> None:
        self.view.marked.clear()
        if done:
            self.notify(f"deleting {done} pod{'s' if done != 1 else ''}", title="Delete")
        if failed:
            self.notify("\n".join(failed), title="Delete failed", severity="error", timeout=10)
        self.view.rows_changed()
        self.update_info()
