"""A pushed screen following a Dockerfile build: Step i/N as progress, the log live, the failing step kept in view."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Log, ProgressBar, Static

from tui.models.images.image import BuildEvent, BuildFailed, BuildFinished, BuildLog, BuildStep
from tui.screens.common.base import AppFooter
from tui.screens.common.failures import WorkerFailures, expected, failure_words
from tui.services.docker.engine_stream import EventStream

BATCH_S = 0.05


@dataclass
class BuildProgressed(Message):
    events: list[BuildEvent]


class BuildScreen(WorkerFailures, Screen[BuildFinished | None]):
    """Dismisses with BuildFinished on success, None when the build failed or was cancelled."""

    BINDINGS = [Binding("escape", "cancel_or_close", "Cancel / close", id="build.close")]
    DEFAULT_CSS = """
    BuildScreen #build-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    BuildScreen #build-step { height: auto; padding: 0 1; }
    BuildScreen #build-status { height: auto; padding: 0 1; }
    BuildScreen #build-status.-failed { color: $text-error; text-style: bold; }
    BuildScreen #build-status.-done { color: $text-success; text-style: bold; }
    BuildScreen ProgressBar { padding: 0 1; }
    BuildScreen Log { height: 1fr; border: round $panel-lighten-2; }
    """

    def __init__(self, title: str, start: Callable[[], EventStream[BuildEvent]]) -> None:
        super().__init__()
        self.heading = title
        self.start = start
        self.stream: EventStream[BuildEvent] | None = None
        self.result: BuildFinished | None = None
        self.failure: BuildFailed | None = None
        self.finished = False
        self.cancel_requested = False

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="build-title", markup=False)
        yield Static("sending the build context…", id="build-step", markup=False)
        yield ProgressBar(id="build-progress", show_eta=False)
        yield Log(id="build-log", highlight=False)
        yield Static("", id="build-status", markup=False)
        yield AppFooter()

    def on_mount(self) -> None:
        self.run_build()

    @work(thread=True, exclusive=True, group="build", exit_on_error=False)
    def run_build(self) -> None:
        """Events are posted in batches (a pip install prints thousands of lines)."""
        batch: list[BuildEvent] = []
        posted = time.monotonic()
        unexpected: Exception | None = None
        try:
            self.stream = self.start()
            for event in self.stream:
                batch.append(event)
                final = isinstance(event, BuildFinished | BuildFailed)
                if final or time.monotonic() - posted >= BATCH_S:
                    self.post_message(BuildProgressed(batch))
                    batch, posted = [], time.monotonic()
        except Exception as exc:
            unexpected = None if expected(exc) else exc
            batch.append(BuildFailed(str(exc) if unexpected is None else failure_words("the build", exc), None, ()))
        if batch:
            self.post_message(BuildProgressed(batch))
        self.post_message(BuildProgressed([]))  # the stream is over, whatever it said
        if unexpected is not None:
            raise unexpected  # the screens' one handler logs its traceback and says it

    def on_build_progressed(self, message: BuildProgressed) -> None:
        log = self.query_one("#build-log", Log)
        lines: list[str] = []
        for event in message.events:
            if isinstance(event, BuildStep):
                self.query_one("#build-step", Static).update(f"Step {event.number}/{event.total} : {event.instruction}")
                self.query_one("#build-progress", ProgressBar).update(total=event.total, progress=event.number - 1)
                lines.append(f"Step {event.number}/{event.total} : {event.instruction}")
            elif isinstance(event, BuildLog):
                lines.append(event.text)
            elif isinstance(event, BuildFinished):
                self.result = event
            elif isinstance(event, BuildFailed):
                self.failure = event
        if lines:
            log.write_lines(lines)
        if not message.events:
            self._finish()

    def _finish(self) -> None:
        self.finished = True
        status = self.query_one("#build-status", Static)
        if self.result is not None:
            progress = self.query_one("#build-progress", ProgressBar)
            progress.update(total=progress.total or 1, progress=progress.total or 1)
            name = str(self.result.ref) if self.result.ref else self.result.image_id[:19]
            status.update(f"built {name}   (Esc: back)")
            status.add_class("-done")
        elif self.cancel_requested:
            status.update("cancelled   (Esc: back)")
            status.add_class("-failed")
        else:
            failure = self.failure or BuildFailed("the build ended without a result", None, ())
            where = (
                f" at step {failure.step.number}/{failure.step.total} ({failure.step.instruction})"
                if failure.step
                else ""
            )
            output = "\n".join(failure.output[-12:])
            status.update(f"build failed{where}: {failure.message}" + (f"\n{output}" if output else ""))
            status.add_class("-failed")

    def action_cancel_or_close(self) -> None:
        if not self.finished and self.stream is not None:
            self.cancel_requested = True
            self.stream.cancel()
            self.query_one("#build-status", Static).update("cancelling…")
            return
        self.dismiss(self.result)
