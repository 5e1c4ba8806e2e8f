"""A pushed screen following a copy out of a pod: bytes, files, rate, the current file; Esc cancels."""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from tui.models.transfer import TransferProgress, TransferSummary
from tui.models.units import human_bytes

Pull = Callable[[Callable[[TransferProgress], None], threading.Event], TransferSummary]


class CopyProgressed(Message):
    def __init__(self, progress: TransferProgress) -> None:
        super().__init__()
        self.progress = progress


class CopyEnded(Message):
    def __init__(self, summary: TransferSummary | None, error: str) -> None:
        super().__init__()
        self.summary = summary
        self.error = error


class CopyScreen(Screen[TransferSummary | None]):
    BINDINGS = [Binding("escape", "cancel_or_close", "Cancel / close", id="copy.close")]
    DEFAULT_CSS = """
    CopyScreen #copy-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    CopyScreen #copy-status, CopyScreen #copy-current { height: auto; padding: 0 1; }
    CopyScreen #copy-status.-failed { color: $text-error; text-style: bold; }
    CopyScreen #copy-status.-done { color: $text-success; text-style: bold; }
    CopyScreen ProgressBar { margin: 1 1 0 1; }  /* padding would hide a one-row bar */
    """

    def __init__(self, title: str, pull: Pull) -> None:
        super().__init__()
        self.heading = title
        self.pull = pull
        self.cancel = threading.Event()
        self.finished = False
        self.summary: TransferSummary | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="copy-title", markup=False)
        yield ProgressBar(id="copy-progress", show_eta=True)
        yield Static("starting…", id="copy-status", markup=False)
        yield Static("", id="copy-current", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.run_copy()

    @work(thread=True, exclusive=True, group="copy", exit_on_error=False)
    def run_copy(self) -> None:
        def report(progress: TransferProgress) -> None:
            self.post_message(CopyProgressed(progress))

        try:
            summary = self.pull(report, self.cancel)
        except Exception as exc:
            self.post_message(CopyEnded(None, str(exc)))
            return
        self.post_message(CopyEnded(summary, ""))

    def on_copy_progressed(self, message: CopyProgressed) -> None:
        progress = message.progress
        bar = self.query_one("#copy-progress", ProgressBar)
        if progress.bytes_total:
            bar.update(total=max(progress.bytes_total, progress.bytes_done), progress=progress.bytes_done)
        files = f"{progress.files_done}/{progress.files_total}" if progress.files_total else str(progress.files_done)
        self.query_one("#copy-status", Static).update(
            f"{human_bytes(progress.bytes_done)} · {files} files · {human_bytes(progress.rate)}/s"
        )
        self.query_one("#copy-current", Static).update(progress.current)

    def on_copy_ended(self, message: CopyEnded) -> None:
        self.finished = True
        status = self.query_one("#copy-status", Static)
        if message.summary is None:
            status.update(f"failed: {message.error}   (Esc: back)")
            status.add_class("-failed")
            return
        summary = self.summary = message.summary
        bar = self.query_one("#copy-progress", ProgressBar)
        bar.update(total=max(summary.bytes, 1), progress=max(summary.bytes, 1))
        resumed = (
            f", resumed: {human_bytes(summary.reused)} kept, {human_bytes(summary.sent)} sent" if summary.reused else ""
        )
        status.update(
            f"done: {summary.files} files, {human_bytes(summary.bytes)} in {summary.seconds:.1f}s{resumed}, "
            f"every file checked ({summary.verified}) → {summary.destination}   (Esc: back)"
        )
        status.add_class("-done")
        lines = [summary.note] if summary.note else []
        lines += [f"not written: {why}" for why in summary.refused]
        self.query_one("#copy-current", Static).update("\n".join(lines))

    def action_cancel_or_close(self) -> None:
        if not self.finished:
            self.cancel.set()
            self.query_one("#copy-status", Static).update("cancelling…")
            return
        self.dismiss(self.summary)
