"""A pushed screen pulling results from several pods one after another (a fan-out): one line per pod with its own
progress, and a summary at the end. Esc cancels the pod being pulled and those still waiting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import ProgressBar, Static

from tui.models.transfer.progress import TransferProgress, TransferSummary, refusal_lines, refused_words
from tui.models.units import counted, human_bytes
from tui.screens.common.progress import Job, ProgressScreen, close_binding, transfer_text

PullOne = Job[TransferProgress, TransferSummary]


@dataclass(frozen=True)
class PullJob:
    pod: str  # namespace/name, as shown
    destination: Path
    pull: PullOne


@dataclass
class PodPullProgressed(Message):
    index: int
    progress: TransferProgress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PodPullProgressed) and message.index == self.index  # the same pod's older report


@dataclass
class PodPullEnded(Message):
    index: int
    summary: TransferSummary | None
    error: str


class PullManyScreen(ProgressScreen[list[TransferSummary | None]]):
    BINDINGS = [close_binding("pull-many.close")]
    DEFAULT_CSS = """
    PullManyScreen .pod-line { height: auto; padding: 0 1; }
    PullManyScreen .pod-line.-failed { color: $text-error; }
    PullManyScreen .pod-line.-done { color: $text-success; }
    PullManyScreen .pod-line.-refused { color: $text-warning; }
    PullManyScreen #many-progress { padding: 0 1; }
    PullManyScreen #many-summary { height: auto; padding: 1 1 0 1; text-style: bold; }
    """
    TITLE_ID = "many-title"

    def __init__(self, title: str, jobs: list[PullJob], go_on_when_pulled: bool = False) -> None:
        """`go_on_when_pulled`: a step of a longer flow (pull, then delete): once every pod is pulled in full, the
        screen closes by itself instead of waiting for Esc (which reads like cancel)."""
        super().__init__(title)
        self.go_on_when_pulled = go_on_when_pulled
        self.jobs = jobs
        self.results: list[TransferSummary | None] = [None] * len(jobs)
        self.errors: dict[int, str] = {}

    def compose_body(self) -> ComposeResult:
        yield ProgressBar(id="many-progress", show_eta=False)
        with VerticalScroll():
            for index, job in enumerate(self.jobs):
                yield Static(f"{job.pod}  waiting", id=f"pod-{index}", classes="pod-line", markup=False)
        yield Static("", id="many-summary", classes="progress-status", markup=False)

    def on_mount(self) -> None:
        self.run_all()

    def outcome(self) -> list[TransferSummary | None]:
        return self.results

    @work(thread=True, exclusive=True, group="pull-many", exit_on_error=False)
    def run_all(self) -> None:
        for index, job in enumerate(self.jobs):
            if self.cancel.is_set():
                self.post_message(PodPullEnded(index, None, "not started (cancelled)"))
                continue

            def report(progress: TransferProgress, index: int = index) -> None:
                self.post_message(PodPullProgressed(index, progress))

            try:
                summary = job.pull(report, self.cancel)
            except Exception as exc:
                self.post_message(PodPullEnded(index, None, str(exc)))
                continue
            self.post_message(PodPullEnded(index, summary, ""))

    def _line(self, index: int) -> Static:
        return self.query_one(f"#pod-{index}", Static)

    def on_pod_pull_progressed(self, message: PodPullProgressed) -> None:
        progress = message.progress
        bar = self.query_one("#many-progress", ProgressBar)
        if progress.bytes_total:
            bar.update(total=max(progress.bytes_total, progress.bytes_done), progress=progress.bytes_done)
        else:
            bar.update(total=None)
        text = f"{transfer_text(progress)}  {progress.current}"
        self._line(message.index).update(f"{self.jobs[message.index].pod}  {text}")

    def on_pod_pull_ended(self, message: PodPullEnded) -> None:
        index, job, line = message.index, self.jobs[message.index], self._line(message.index)
        if message.summary is None:
            self.errors[index] = message.error
            line.update(f"{job.pod}  failed: {message.error}")
            line.add_class("-failed")
        else:
            summary = self.results[index] = message.summary
            resumed = f", resumed ({human_bytes(summary.reused)} kept)" if summary.reused else ""
            refused = refused_words(summary)
            done = f"done, {refused}" if refused else "done"
            text = (
                f"{job.pod}  {done}: {counted(summary.files, 'file')}, "
                f"{human_bytes(summary.bytes)}, checked ({summary.verified}){resumed} → {summary.destination}"
            )
            line.update("\n    ".join([text, *refusal_lines(summary, limit=5)]))
            line.add_class("-refused" if refused else "-done")
        if index == len(self.jobs) - 1:
            self._summarise()

    def _summarise(self) -> None:
        self.finished = True
        pulled = [s for s in self.results if s is not None]
        files, size = sum(s.files for s in pulled), sum(s.bytes for s in pulled)
        text = f"{len(pulled)} of {len(self.jobs)} pods pulled: {files} files, {human_bytes(size)}"
        partly = sum(bool(s.refused) for s in pulled)
        if partly:
            text += f"; {partly} with entries refused (listed above)"
        if self.errors:
            text += f"; {len(self.errors)} failed (listed above)"
        self.status.update(f"{text}   {self.CLOSE_HINT}")  # no colour: some pods may have failed, others not
        self.query_one("#many-progress", ProgressBar).update(total=1, progress=1)
        if self.go_on_when_pulled and not self.errors and not partly:
            self.dismiss(self.outcome())
