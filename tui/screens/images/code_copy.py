"""A pushed screen following the copy of a code folder into a build container: bytes, files, rate, the current
file, a progress bar; Esc cancels (and closes once it is over)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import ProgressBar, Static

from tui.models.images.image import CopyProgress
from tui.models.units import human_bytes
from tui.screens.common.progress import Job, JobEnded, ProgressScreen, close_binding

REPORT_EVERY_S = 0.05  # at most this often to the UI: a folder of a million small files reports a lot

Copy = Job[CopyProgress, int]
"""Runs the copy in the worker: reports progress, stops when the event is set, returns the bytes sent."""


@dataclass
class CodeCopyProgressed(Message):
    progress: CopyProgress
    elapsed_s: float

    def can_replace(self, message: Message) -> bool:
        # Each report says all there is so far: an older one not yet read adds nothing.
        return isinstance(message, CodeCopyProgressed)


def progress_text(progress: CopyProgress, elapsed_s: float) -> str:
    rate = progress.sent_bytes / elapsed_s if elapsed_s > 0 else 0.0
    files = f"{progress.files_sent}/{progress.files_total} files" if progress.files_total else ""
    parts = [f"{human_bytes(progress.sent_bytes)} of {human_bytes(progress.total_bytes)}", files]
    return " · ".join(part for part in [*parts, f"{human_bytes(rate)}/s"] if part)


class CodeCopyScreen(ProgressScreen[int | None]):
    """Closes by itself once the copy is done (with the bytes sent); a failed or cancelled copy stays on screen
    until Esc (then None)."""

    BINDINGS = [close_binding("code-copy.close")]
    DEFAULT_CSS = """
    CodeCopyScreen ProgressBar { margin: 1 1 0 1; }
    """
    TITLE_ID = "code-copy-title"
    CLOSE_HINT = "(Esc: on to the shell)"

    def __init__(self, title: str, copy: Copy) -> None:
        super().__init__(title)
        self.copy = copy
        self.sent: int | None = None
        self.last: CopyProgress | None = None
        self.started = self.posted = 0.0

    def compose_body(self) -> ComposeResult:
        yield ProgressBar(id="code-copy-progress", show_eta=True)
        yield Static("listing the folder…", id="code-copy-status", classes="progress-status", markup=False)
        yield Static("", id="code-copy-current", classes="progress-detail", markup=False)

    def on_mount(self) -> None:
        self.started = self.posted = time.monotonic()
        self.run_job(self.copy)

    def outcome(self) -> int | None:
        return self.sent

    def report(self, progress: CopyProgress) -> None:
        now = time.monotonic()
        if now - self.posted >= REPORT_EVERY_S or progress.sent_bytes >= progress.total_bytes:
            self.posted = now
            self.post_message(CodeCopyProgressed(progress, now - self.started))

    def on_code_copy_progressed(self, message: CodeCopyProgressed) -> None:
        progress = self.last = message.progress
        bar = self.query_one("#code-copy-progress", ProgressBar)
        bar.update(total=max(progress.total_bytes, 1), progress=progress.sent_bytes)
        if not self.finished and not self.cancel.is_set():
            self.status.update(progress_text(progress, message.elapsed_s))
            self.query_one("#code-copy-current", Static).update(progress.path)

    def on_job_ended(self, message: JobEnded[int]) -> None:
        self.sent = message.result
        self.query_one("#code-copy-current", Static).update("")
        if message.result is None:
            self.end(message.error if message.cancelled else f"failed: {message.error}", failed=True)
            return
        self.finished = True
        files = f"{self.last.files_total} files, " if self.last and self.last.files_total else ""
        self.notify(f"copied {files}{human_bytes(message.result)}", title=self.heading)
        self.dismiss(message.result)
