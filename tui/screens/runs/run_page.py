"""A run's page: everything recorded about it (manifest, images and digests, code and its diff, params, ends,
results pulled, logs archived), scrollable; `l` opens its logs and `e` exports it, as on the list; `C` opens a GKE
run's log as Cloud Logging has it (where its archive has a gap, the lines missing may be there).

The page is shown at once: whether each pull's files still match is said `checking…` and filled in by the page's
own worker, which stops when the page is left. The diff shows its first lines (the whole of it is in the export)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from tui.messages import OpenRunLogs
from tui.models.logs.safe_text import safe_lines
from tui.models.runs.page import run_page
from tui.models.runs.result_state import ResultsCheck, ResultsState
from tui.models.runs.run import LogArchive, Run, RunResult
from tui.screens.common.failures import WorkerFailures
from tui.screens.common.footer import AppFooter
from tui.services.runs.results import check_results

PageText = Callable[[Sequence[ResultsState] | None], str]  # the page's text with the pulls' states known so far


@dataclass
class PageChecked(Message):
    """A pull's state is known: the page again, made safe on the worker."""

    text: str


class RunPageScreen(WorkerFailures, Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="run-page.back"),
        Binding("l", "logs", "Logs", id="run-page.logs"),
        Binding("C", "cloud_logging", "Cloud Logging", id="run-page.cloud-logging"),
        Binding("e", "export", "Export…", id="run-page.export"),
    ]
    DEFAULT_CSS = """
    RunPageScreen #heading { dock: top; height: 1; padding: 0 1; background: $panel; text-style: bold; }
    RunPageScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(
        self,
        run_id: str,
        heading: str,
        text: str,
        export: Callable[[str], None],
        results: Sequence[RunResult] = (),
        page_text: PageText | None = None,
    ) -> None:
        """`text` is the page as recorded: a manifest or a diff may hold markup and escape sequences, so it is drawn
        as plain text with every control character shown as a placeholder. With `results` and `page_text`, the
        page checks the pulls' files once shown and draws `page_text(states)` as each state comes."""
        super().__init__()
        self.run_id = run_id
        self.heading = heading
        self.text = safe_lines(text)
        self._export = export
        self._results = tuple(results)
        self._page_text = page_text
        self.title = f"Run {run_id}"

    @classmethod
    def of(
        cls, run: Run, results: Sequence[RunResult], logs: Sequence[LogArchive], export: Callable[[str], None]
    ) -> RunPageScreen:
        """The page of a run as recorded, its pulls `checking…` until its worker has hashed them."""

        def page_text(states: Sequence[ResultsState] | None) -> str:
            return run_page(run, results, logs, states, diff_cut=True)

        checking = [ResultsState(ResultsCheck.CHECKING, len(result.sha256)) for result in results]
        heading = f"Run {run.id} · {run.kind} {run.name} · {run.namespace}"
        return cls(run.id, heading, page_text(checking), export, results, page_text)

    def compose(self) -> ComposeResult:
        yield Static(safe_lines(self.heading), id="heading", markup=False)
        with VerticalScroll():
            yield Static(Text(self.text), id="run-page-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        if self._results and self._page_text is not None:
            self.check_results(self._page_text)

    @work(thread=True, exclusive=True, group="run-page-check", exit_on_error=False)
    def check_results(self, page_text: PageText) -> None:
        """Each pull hashed in turn, the page redrawn as each is known; leaving the page cancels this worker (the
        screen's workers are), and the hashing stops between files and chunks."""
        worker = get_current_worker()
        states = [ResultsState(ResultsCheck.CHECKING, len(result.sha256)) for result in self._results]
        for index, state in enumerate(check_results(self._results, lambda: worker.is_cancelled)):
            states[index] = state
            self.post_message(PageChecked(safe_lines(page_text(states))))

    def on_page_checked(self, message: PageChecked) -> None:
        self.text = message.text
        self.query_one("#run-page-text", Static).update(Text(self.text))

    def action_logs(self) -> None:
        self.post_message(OpenRunLogs(self.run_id))

    def action_cloud_logging(self) -> None:
        self.post_message(OpenRunLogs(self.run_id, cloud=True))

    def action_export(self) -> None:
        self._export(self.run_id)
