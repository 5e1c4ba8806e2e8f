"""A pushed screen following a copy into or out of a pod: bytes, files, rate, the current file; Esc cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import ProgressBar, Static

from tui.models.transfer.progress import TransferProgress, TransferSummary, refusal_lines, refused_words
from tui.models.units import counted, human_bytes
from tui.screens.common.progress import Job, JobEnded, JobProgressed, ProgressScreen, close_binding, transfer_text

Pull = Job[TransferProgress, TransferSummary]


class CopyScreen(ProgressScreen[TransferSummary | None]):
    BINDINGS = [close_binding("copy.close")]
    DEFAULT_CSS = """
    CopyScreen ProgressBar { margin: 1 1 0 1; }  /* padding would hide a one-row bar */
    CopyScreen .progress-status.-refused { color: $text-warning; text-style: bold; }
    """
    TITLE_ID = "copy-title"
    REPAINT_EVERY_S = 0.25

    def __init__(self, title: str, pull: Pull) -> None:
        super().__init__(title)
        self.pull = pull
        self.summary: TransferSummary | None = None

    def compose_body(self) -> ComposeResult:
        yield ProgressBar(id="copy-progress", show_eta=True)
        yield Static("starting…", id="copy-status", classes="progress-status", markup=False)
        yield Static("", id="copy-current", classes="progress-detail", markup=False)

    def on_mount(self) -> None:
        self.run_job(self.pull)

    def outcome(self) -> TransferSummary | None:
        return self.summary

    def on_job_progressed(self, message: JobProgressed[TransferProgress]) -> None:
        progress = message.progress
        bar = self.query_one("#copy-progress", ProgressBar)
        if progress.bytes_total:
            bar.update(total=max(progress.bytes_total, progress.bytes_done), progress=progress.bytes_done)
        self.status.update(transfer_text(progress))
        self.query_one("#copy-current", Static).update(progress.current)

    def on_job_ended(self, message: JobEnded[TransferSummary]) -> None:
        if message.result is None:
            self.end(f"failed: {message.error}", failed=True)
            return
        summary = self.summary = message.result
        bar = self.query_one("#copy-progress", ProgressBar)
        bar.update(total=max(summary.bytes, 1), progress=max(summary.bytes, 1))
        resumed = (
            f", resumed: {human_bytes(summary.reused)} kept, {human_bytes(summary.sent)} sent" if summary.reused else ""
        )
        refused = refused_words(summary)
        done = f"done, {refused} (listed below)" if refused else "done"
        self.end(
            f"{done}: {counted(summary.files, 'file')}, {human_bytes(summary.bytes)} in {summary.seconds:.1f}s"
            f"{resumed}, every file checked ({summary.verified}) → {summary.destination}",
            failed=False,
        )
        if refused:  # not all of it came: not the plain green of a complete copy
            self.status.remove_class("-done").add_class("-refused")
        lines = [summary.note] if summary.note else []
        lines += refusal_lines(summary)
        self.query_one("#copy-current", Static).update("\n".join(lines))
