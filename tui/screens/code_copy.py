"""A pushed screen following the copy of a code folder into a build container: bytes, files, rate, the current
file, a progress bar; Esc cancels (and closes once it is over)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from tui.models.images import CopyProgress
from tui.models.units import human_bytes

REPORT_EVERY_S = 0.05  # at most this often to the UI: a folder of a million small files reports a lot

Copy = Callable[[Callable[[CopyProgress], None], threading.Event], int]
"""Runs the copy in the worker: reports progress, stops when the event is set, returns the bytes sent."""


class CodeCopyProgressed(Message):
    def __init__(self, progress: CopyProgress, elapsed_s: float) -> None:
        super().__init__()
        self.progress = progress
        self.elapsed_s = elapsed_s


class CodeCopyEnded(Message):
    def __init__(self, sent: int | None, error: str, cancelled: bool) -> None:
        super().__init__()
        self.sent = sent
        self.error = error
        self.cancelled = cancelled


def progress_text(progress: CopyProgress, elapsed_s: float) -> str:
    rate = progress.sent_bytes / elapsed_s if elapsed_s > 0 else 0.0
    files = f"{progress.files_sent}/{progress.files_total} files" if progress.files_total else ""
    parts = [f"{human_bytes(progress.sent_bytes)} of {human_bytes(progress.total_bytes)}", files]
    return " · ".join(part for part in [*parts, f"{human_bytes(rate)}/s"] if part)


class CodeCopyScreen(Screen[int | None]):
    """Closes by itself once the copy is done (with the bytes sent); a failed or cancelled copy stays on screen
    until Esc (then None)."""

    BINDINGS = [Binding("escape", "cancel_or_close", "Cancel / close", id="code-copy.close")]
    DEFAULT_CSS = """
    CodeCopyScreen #code-copy-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    CodeCopyScreen #code-copy-status, CodeCopyScreen #code-copy-current { height: auto; padding: 0 1; }
    CodeCopyScreen #code-copy-status.-failed { color: $text-error; text-style: bold; }
    CodeCopyScreen ProgressBar { margin: 1 1 0 1; }
    """

    def __init__(self, title: str, copy: Copy) -> None:
        super().__init__()
        self.heading = title
        self.copy = copy
        self.cancel = threading.Event()
        self.finished = False
        self.sent: int | None = None
        self.last: CopyProgress | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="code-copy-title", markup=False)
        yield ProgressBar(id="code-copy-progress", show_eta=True)
        yield Static("listing the folder…", id="code-copy-status", markup=False)
        yield Static("", id="code-copy-current", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.run_copy()

    @work(thread=True, exclusive=True, group="code-copy", exit_on_error=False)
    def run_copy(self) -> None:
        started = posted = time.monotonic()

        def report(progress: CopyProgress) -> None:
            nonlocal posted
            now = time.monotonic()
            if now - posted >= REPORT_EVERY_S or progress.sent_bytes >= progress.total_bytes:
                posted = now
                self.post_message(CodeCopyProgressed(progress, now - started))

        try:
            sent = self.copy(report, self.cancel)
        except Exception as exc:
            self.post_message(CodeCopyEnded(None, str(exc), self.cancel.is_set()))
            return
        self.post_message(CodeCopyEnded(sent, "", False))

    def on_code_copy_progressed(self, message: CodeCopyProgressed) -> None:
        progress = self.last = message.progress
        bar = self.query_one("#code-copy-progress", ProgressBar)
        bar.update(total=max(progress.total_bytes, 1), progress=progress.sent_bytes)
        if not self.finished and not self.cancel.is_set():
            self.query_one("#code-copy-status", Static).update(progress_text(progress, message.elapsed_s))
            self.query_one("#code-copy-current", Static).update(progress.path)

    def on_code_copy_ended(self, message: CodeCopyEnded) -> None:
        self.finished = True
        self.sent = message.sent
        status = self.query_one("#code-copy-status", Static)
        self.query_one("#code-copy-current", Static).update("")
        if message.sent is None:
            words = message.error if message.cancelled else f"failed: {message.error}"
            status.update(f"{words}   (Esc: on to the shell)")
            status.add_class("-failed")
            return
        files = f"{self.last.files_total} files, " if self.last and self.last.files_total else ""
        self.notify(f"copied {files}{human_bytes(message.sent)}", title=self.heading)
        self.dismiss(message.sent)

    def action_cancel_or_close(self) -> None:
        if not self.finished:
            self.cancel.set()
            self.query_one("#code-copy-status", Static).update("cancelling…")
            return
        self.dismiss(self.sent)
