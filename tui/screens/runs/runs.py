"""The Runs screen: every pod or Job the app started, newest first, kept after the pod is gone. `/` filters,
Enter opens a run's page, `l` its archived logs, `e` exports it as a folder, `space` marks runs and `d` compares
two, `R` applies a run again (its images by digest), `r` pulls its pod's results."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from tui.messages import OpenRunLogs, PodsDeployed
from tui.models.logs.safe_text import safe_lines
from tui.models.runs.listing import RunFilter, RunRows
from tui.screens.common.base import AppScreen
from tui.screens.common.failures import Notice
from tui.screens.runs.messages import PullRunResults
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import KubeService
from tui.services.runs.store import RunStore
from tui.widgets.run_table import RunTableView

# What a key opens (a run's page, a comparison, a re-run, an export) is imported when the key is first pressed: the
# screen's first open imports only what the list needs (the rest took a sixth of the UI thread's time in it).
if TYPE_CHECKING:
    from tui.models.runs.rerun import RerunPlan
    from tui.screens.common.forms import FormValues

REFRESH_S = 3.0  # while shown: a run's phase, its logs and pulls change as the app follows its pod
EMPTY = (
    "no runs recorded yet: every pod or Job applied from Deploy (6) is recorded here (its image, code, manifest, "
    "logs and results), and stays after the pod is gone"
)


@dataclass
class RunsLoaded(Message):
    rows: RunRows | None
    run_filter: RunFilter | None = None  # the one the rows were filtered with
    problem: str = ""


class RunsScreen(AppScreen):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="runs.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="runs.clear-filter"),
        Binding("enter", "open", "Open", id="runs.open"),
        Binding("l", "logs", "Logs", id="runs.logs"),
        Binding("e", "export", "Export…", id="runs.export", tooltip="write the run to a folder: manifest, logs…"),
        Binding(
            "d", "compare", "Compare", id="runs.compare", tooltip="the two marked runs (or one and this) side by side"
        ),
        Binding("R", "rerun", "Re-run…", id="runs.rerun", tooltip="apply it again: a new name, its images by digest"),
        Binding("r", "pull_results", "Pull…", id="runs.pull-results", tooltip="pull results from the run's pod"),
    ]
    DEFAULT_CSS = """
    RunsScreen #runs-info { height: 1; padding: 0 1; color: $text-muted; }
    RunsScreen #runs-empty { height: auto; padding: 0 1; color: $text-accent; display: none; }
    RunsScreen #runs-empty.-shown { display: block; }
    RunsScreen #runs-filter { dock: bottom; display: none; }
    RunsScreen #runs-filter.-active { display: block; }
    """

    def __init__(self, kube: KubeService, store: RunStore | None = None) -> None:
        """`kube`: the cluster re-runs and pulls go to (the app's current context, checked against the run's)."""
        super().__init__("runs")
        self.store = store or RunStore()
        self.kube = kube
        self.title = "Runs"
        self.filter = RunFilter()
        self.problem = ""
        self.loaded = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="runs-empty", markup=False)
        yield Static("reading the run records…", id="runs-info")
        yield RunTableView(id="runs")
        yield Input(placeholder="filter: text or regex, any column · Esc clears", id="runs-filter")

    @property
    def view(self) -> RunTableView:
        return self.query_one("#runs", RunTableView)

    def on_mount(self) -> None:
        self.view.focus()
        self.load()
        self.set_interval(REFRESH_S, self.refresh_due)

    def on_screen_resume(self) -> None:
        # Not on the first show: on_mount's load is under way (two 10,000-row queries at once took twice as long).
        if self.loaded:
            self.load()

    def refresh_due(self) -> None:
        if self.is_active:
            self.load()

    # ---------------------------------------------------------------- the list

    @work(thread=True, exclusive=True, group="runs-list", exit_on_error=False)
    def load(self) -> None:
        """One query for every run's summary, off the UI thread; a row's texts are made when it is drawn (or, with a
        filter, here: the filter reads them all)."""
        run_filter = self.filter
        try:
            rows = RunRows(self.store.summary_records(), time.time(), run_filter)
        except Exception as exc:  # said on the info line, every few seconds: not a notification each time
            problem = f"cannot read the run records in {self.store.root}: {exc}"
            self.post_message(RunsLoaded(None, problem=problem))
            return
        self.post_message(RunsLoaded(rows, run_filter))

    def on_runs_loaded(self, message: RunsLoaded) -> None:
        self.problem = message.problem
        if message.rows is not None:
            self.loaded = True
            if message.run_filter is not self.filter:  # typed while the rows were made
                message.rows.refilter(self.filter)
            self.view.show(message.rows)
        empty = self.query_one("#runs-empty", Static)
        empty.update(EMPTY)
        empty.set_class(self.loaded and not self.view.rows and not self.problem, "-shown")
        self.update_info()

    def update_info(self) -> None:
        rows = self.view.rows
        shown, total = len(rows.shown), len(rows)
        parts = [f"{total} run{'s' if total != 1 else ''}" if shown == total else f"{shown} of {total} runs"]
        if self.filter:
            parts.append(f"filter {escape(self.filter.text)}")
        if self.view.marked:
            parts.append(f"{len(self.view.marked)} marked (d compares two)")
        parts.append(f"recorded in {escape(str(self.store.root))}")
        if self.problem:
            parts.append(f"[$text-error]{escape(self.problem)}[/]")
        self.query_one("#runs-info", Static).update(" · ".join(parts))

    def _chosen(self) -> str | None:
        run = self.view.current
        if run is None:
            self.notify("no run selected", severity="warning")
            return None
        return run.id

    def on_run_table_view_marks_changed(self) -> None:
        self.update_info()

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        box = self.query_one("#runs-filter", Input)
        box.add_class("-active")
        box.value = self.filter.text
        self.set_focus(box)  # at once: focus() would wait behind the keys typed after `/`

    @on(Input.Changed, "#runs-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self._set_filter(event.value)

    @on(Input.Submitted, "#runs-filter")
    def filter_done(self) -> None:
        self.query_one("#runs-filter", Input).remove_class("-active")
        self.view.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#runs-filter", Input)
        box.value = ""
        box.remove_class("-active")
        self._set_filter("")
        self.view.focus()

    def _set_filter(self, text: str) -> None:
        self.filter = RunFilter(text)
        rows = self.view.rows
        rows.refilter(self.filter)
        self.view.show(rows)
        self.update_info()

    # ---------------------------------------------------------------- a run: its page, logs, export

    def action_open(self) -> None:
        if (run_id := self._chosen()) is not None:
            self.open_page(run_id)

    def on_run_table_view_chosen(self, message: RunTableView.Chosen) -> None:
        self.open_page(message.run_id)

    @work(thread=True, group="runs-page", exclusive=True, exit_on_error=False)
    def open_page(self, run_id: str) -> None:
        """Reads the run's records and shows its page; the page checks the pulls' files itself, once shown."""
        with heavy_imports():
            from tui.screens.runs.run_page import RunPageScreen

        try:
            run = self.store.get(run_id)
            page = RunPageScreen.of(run, self.store.results(run.id), self.store.logs(run.id), self.export)
        except Exception as exc:
            self.post_message(Notice(str(exc), title="Run", severity="error", error=exc))
            return
        if not get_current_worker().is_cancelled:  # Enter again meanwhile: that one's page is shown, not two
            self.app.call_from_thread(self.app.push_screen, page)

    def action_logs(self) -> None:
        if (run_id := self._chosen()) is not None:
            self.post_message(OpenRunLogs(run_id))

    def action_export(self) -> None:
        if (run_id := self._chosen()) is not None:
            self.export(run_id)

    def export(self, run_id: str) -> None:
        """Asks for a folder (new or empty), then writes the run there."""
        from tui.screens.common.forms import Field, FormScreen

        def check(values: FormValues) -> str | None:
            folder = Path(str(values["folder"])).expanduser()
            if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
                return f"{folder} is not an empty folder: choose a new one"
            return None

        form = FormScreen(
            f"Export run {run_id}",
            [Field("folder", "Folder (new or empty)", default=str(Path.cwd() / f"run-{run_id}"), required=True)],
            ok_label="Export",
            note="manifest.yaml, run.json, code.diff, results.json and logs/<container>.log",
            check=check,
        )

        def chosen(values: FormValues | None) -> None:
            if values:
                self.write_export(run_id, Path(str(values["folder"])).expanduser())

        self.app.push_screen(form, chosen)

    @work(thread=True, group="runs-export", exit_on_error=False)
    def write_export(self, run_id: str, folder: Path) -> None:
        with heavy_imports():
            from tui.services.runs.export import export_run

        try:
            written = export_run(self.store, run_id, folder)
        except Exception as exc:
            self.post_message(Notice(f"run {run_id} not exported: {exc}", title="Export", severity="error", error=exc))
            return
        self.post_message(Notice(f"run {run_id} exported to {written}", title="Export"))

    # ---------------------------------------------------------------- d: two runs side by side

    def action_compare(self) -> None:
        marked = self.view.marked
        current = self.view.current
        chosen = set(marked)
        if len(chosen) == 1 and current is not None:
            chosen.add(current.id)
        if len(chosen) != 2:
            said = (
                f"{len(marked)} runs are marked: d compares two (space unmarks)"
                if len(marked) > 2
                else "mark two runs with space to compare them (or mark one and put the cursor on the other)"
            )
            self.notify(said, title="Compare", severity="warning")
            return
        first, second = sorted(chosen)
        self.open_compare(first, second)

    @work(thread=True, group="runs-compare", exclusive=True, exit_on_error=False)
    def open_compare(self, first: str, second: str) -> None:
        with heavy_imports():
            from tui.models.runs.compare import compare_runs
            from tui.screens.runs.compare import CompareScreen

        try:
            comparison = compare_runs(self.store.get(first), self.store.get(second), time.time())
        except Exception as exc:
            self.post_message(
                Notice(safe_lines(f"cannot compare {first} and {second}: {exc}"), "Compare", "error", exc)
            )
            return
        self.app.call_from_thread(self.app.push_screen, CompareScreen(comparison))

    # ---------------------------------------------------------------- R: apply a run again

    def action_rerun(self) -> None:
        if (run_id := self._chosen()) is not None:
            self.plan_rerun(run_id)

    @work(thread=True, group="runs-rerun", exclusive=True, exit_on_error=False)
    def plan_rerun(self, run_id: str) -> None:
        """What would be applied, asked about first; refused in words (another context, a manifest unreadable)."""
        with heavy_imports():
            from tui.screens.common.dialogs import ConfirmScreen
            from tui.services.runs import rerun

        try:
            plan = rerun.plan(self.store, self.kube, run_id)
        except Exception as exc:
            self.post_message(
                Notice(safe_lines(f"run {run_id} not re-run: {exc}"), "Re-run", "warning", exc, timeout=15)
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.apply_rerun(plan)

        self.app.call_from_thread(self.app.push_screen, ConfirmScreen(safe_lines(plan.question()), "Re-run"), answered)

    @work(thread=True, group="runs-rerun", exit_on_error=False)
    def apply_rerun(self, plan: RerunPlan) -> None:
        with heavy_imports():
            from tui.services.runs import rerun

        try:
            new = rerun.rerun(self.store, self.kube, plan)
        except Exception as exc:
            # The run's names and the server's words: shown, never obeyed.
            said = safe_lines(f"run {plan.run_id} not re-run: {exc}")
            self.post_message(Notice(said, "Re-run", "error", exc, timeout=15))
            return
        self.post_message(PodsDeployed(plan.namespace))  # asked about on quit, as the Deploy screen's pods
        recorded = f": run {new.id}" if new is not None else " (its run was not recorded: see the diagnostic log)"
        where = f"{plan.kind.lower()}/{plan.name} in {plan.namespace}"
        self.post_message(Notice(safe_lines(f"run {plan.run_id} re-run as {where}{recorded}"), "Re-run"))
        self.load()

    # ---------------------------------------------------------------- r: pull results from its pod

    def action_pull_results(self) -> None:
        if (run_id := self._chosen()) is not None:
            self.find_results_pod(run_id)

    @work(thread=True, group="runs-pull", exclusive=True, exit_on_error=False)
    def find_results_pod(self, run_id: str) -> None:
        """The run's pod read from the cluster, then the app's pull flow for it (the transfer screens, the app's)."""
        with heavy_imports():
            from tui.services.runs.results_pod import results_pod

        try:
            pod = results_pod(self.kube, self.store.get(run_id))
        except Exception as exc:
            self.post_message(Notice(safe_lines(str(exc)), "Pull results", "warning", exc, timeout=15))
            return
        self.post_message(PullRunResults(pod, run_id))
