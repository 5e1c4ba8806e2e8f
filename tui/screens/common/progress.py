"""What the pushed progress screens share (copy in or out of a pod, code copy, code sync, fan-out pull, image push
or pull): a title, a status line that ends green or red, a job in a worker, and Esc that cancels the job and,
once it is over, closes the screen."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui.models.transfer.progress import TransferProgress
from tui.models.units import human_bytes
from tui.screens.common.failures import WorkerFailures, expected, failure_words
from tui.screens.common.footer import AppFooter

D = TypeVar("D")  # what the screen is dismissed with
P = TypeVar("P")  # one progress report of a job
R = TypeVar("R")  # what a job returns

Job = Callable[[Callable[[P], None], threading.Event], R]
"""A blocking job for a worker: reports progress, stops soon after the event is set, returns its result."""


@dataclass
class JobProgressed(Message, Generic[P]):
    progress: P

    def can_replace(self, message: Message) -> bool:
        # Each report says all there is so far: an older one not yet read adds nothing.
        return isinstance(message, JobProgressed)


@dataclass
class JobEnded(Message, Generic[R]):
    """`result` is None when the job raised: `error` says why, `cancelled` that Esc had been pressed by then."""

    result: R | None
    error: str
    cancelled: bool


def close_binding(binding_id: str) -> Binding:
    return Binding("escape", "cancel_or_close", "Cancel / close", id=binding_id)


def transfer_text(progress: TransferProgress) -> str:
    """Bytes, files and rate of a copy in or out of a pod so far."""
    files = f"{progress.files_done}/{progress.files_total}" if progress.files_total else str(progress.files_done)
    return f"{human_bytes(progress.bytes_done)} · {files} files · {human_bytes(progress.rate)}/s"


class ProgressScreen(WorkerFailures, Screen[D]):
    """Subclasses name their title's id, compose their body (with one Static of class `progress-status`), start
    their job on mount (`run_job`, or a worker of their own) and say what the screen closes with (`outcome`)."""

    DEFAULT_CSS = """
    ProgressScreen .progress-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    ProgressScreen .progress-status, ProgressScreen .progress-detail { height: auto; padding: 0 1; }
    ProgressScreen .progress-status.-failed { color: $text-error; text-style: bold; }
    ProgressScreen .progress-status.-done { color: $text-success; text-style: bold; }
    """
    TITLE_ID: ClassVar[str]
    CLOSE_HINT: ClassVar[str] = "(Esc: back)"
    # For jobs whose every report says all there is so far (bytes and files): fewer repaints, each of which runs on
    # the UI thread and holds the GIL the transfer's own Python needs (most of a copy's UI time is the screen
    # switch as it starts, though, not these).
    REPAINT_EVERY_S: ClassVar[float] = 0.0

    def __init__(self, title: str) -> None:
        super().__init__()
        self.heading = title
        self.cancel = threading.Event()
        self.finished = False
        self._last_report = 0.0

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id=self.TITLE_ID, classes="progress-title", markup=False)
        yield from self.compose_body()
        yield AppFooter()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def outcome(self) -> D:
        raise NotImplementedError

    @property
    def status(self) -> Static:
        return self.query_one(".progress-status", Static)

    def end(self, text: str, failed: bool) -> None:
        """The job is over: the status says how, in green or red, and that Esc now closes the screen."""
        self.finished = True
        self.status.update(f"{text}   {self.CLOSE_HINT}")
        self.status.add_class("-failed" if failed else "-done")

    def report(self, progress: Any) -> None:
        """Called by the job in the worker thread; at most every REPAINT_EVERY_S when a report replaces the last."""
        if self.REPAINT_EVERY_S:
            now = time.monotonic()
            if now - self._last_report < self.REPAINT_EVERY_S:
                return
            self._last_report = now
        self.post_message(JobProgressed(progress))

    def show_failure(self, text: str) -> None:
        self.end(text, failed=True)

    @work(thread=True, exclusive=True, group="progress-job", exit_on_error=False)
    def run_job(self, job: Job[Any, Any]) -> None:
        try:
            result = job(self.report, self.cancel)
        except Exception as exc:
            if expected(exc):
                self.post_message(JobEnded(None, str(exc), self.cancel.is_set()))
                return
            self.post_message(JobEnded(None, failure_words(self.heading, exc), self.cancel.is_set()))
            raise  # the screens' one handler logs its traceback and says it
        self.post_message(JobEnded(result, "", False))

    def cancel_job(self) -> bool:
        """Asks the job to stop; False when there is nothing to stop yet (then Esc closes at once)."""
        self.cancel.set()
        return True

    def action_cancel_or_close(self) -> None:
        if not self.finished and self.cancel_job():
            self.status.update("cancelling…")
            return
        self.dismiss(self.outcome())
