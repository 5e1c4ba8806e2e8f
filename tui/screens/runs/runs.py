"""The Runs screen: every pod or Job the app started, newest first, kept after the pod is gone. `/` filters,
Enter opens a run's page, `l` its archived logs, `e` exports it as a folder."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Static

from tui.messages import OpenRunLogs
from tui.models.runs.listing import RunFilter, RunRows
from tui.models.runs.page import run_page
from tui.screens.common.base import AppScreen
from tui.screens.common.failures import Notice
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.screens.runs.run_page import RunPageScreen
from tui.services.runs.export import export_run
from tui.services.runs.store import RunStore
from tui.widgets.run_table import RunTableView

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
    ]
    DEFAULT_CSS = """
    RunsScreen #runs-info { height: 1; padding: 0 1; color: $text-muted; }
    RunsScreen #runs-empty { height: auto; padding: 0 1; color: $text-accent; display: none; }
    RunsScreen #runs-empty.-shown { display: block; }
    RunsScreen #runs-filter { dock: bottom; display: none; }
    RunsScreen #runs-filter.-active { display: block; }
    """

    def __init__(self, store: RunStore | None = None) -> None:
        super().__init__("runs")
        self.store = store or RunStore()
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
        if self.is_mounted:
            self.load()

    def refresh_due(self) -> None:
        if self.is_active:
            self.load()

    # ---------------------------------------------------------------- the list

    @work(thread=True, exclusive=True, group="runs-list", exit_on_error=False)
    def load(self) -> None:
        """One query for every run's summary; the rows' texts and widths are made here too, off the UI thread."""
        run_filter = self.filter
        try:
            rows = RunRows.of(self.store.summaries(), time.time(), run_filter)
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
        empty.set_class(self.loaded and not self.view.rows.summaries and not self.problem, "-shown")
        self.update_info()

    def update_info(self) -> None:
        rows = self.view.rows
        shown, total = len(rows.shown), len(rows.summaries)
        parts = [f"{total} run{'s' if total != 1 else ''}" if shown == total else f"{shown} of {total} runs"]
        if self.filter:
            parts.append(f"filter {escape(self.filter.text)}")
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

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        box = self.query_one("#runs-filter", Input)
        box.add_class("-active")
        box.value = self.filter.text
        box.focus()

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
        try:
            run = self.store.get(run_id)
            text = run_page(run, self.store.results(run.id), self.store.logs(run.id))
        except Exception as exc:
            self.post_message(Notice(str(exc), title="Run", severity="error", error=exc))
            return
        page = RunPageScreen(run.id, f"Run {run.id} · {run.kind} {run.name} · {run.namespace}", text, self.export)
        self.app.call_from_thread(self.app.push_screen, page)

    def action_logs(self) -> None:
        if (run_id := self._chosen()) is not None:
            self.post_message(OpenRunLogs(run_id))

    def action_export(self) -> None:
        if (run_id := self._chosen()) is not None:
            self.export(run_id)

    def export(self, run_id: str) -> None:
        """Asks for a folder (new or empty), then writes the run there."""

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
        try:
            written = export_run(self.store, run_id, folder)
        except Exception as exc:
            self.post_message(Notice(f"run {run_id} not exported: {exc}", title="Export", severity="error", error=exc))
            return
        self.post_message(Notice(f"run {run_id} exported to {written}", title="Export"))
