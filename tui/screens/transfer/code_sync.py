"""A pushed screen syncing a local code folder into a pod: compare (sha256 on both sides), ask before deleting
anything in the pod, send only what changed, check it. Esc cancels while sending, closes when done."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import ProgressBar, Static

from tui.models.pods.row import PodRow
from tui.models.transfer.progress import TransferProgress
from tui.models.units import human_bytes
from tui.screens.common.dialogs import ChoiceScreen
from tui.screens.common.progress import JobEnded, JobProgressed, ProgressScreen, close_binding
from tui.services.transfer.code_sync import CodeSync, SyncPlan, SyncSummary

SYNC_ONLY, DELETE_AND_SYNC, CANCEL = "Sync, keep them in the pod", "Delete them and sync", "Cancel"


@dataclass
class SyncPlanned(Message):
    plan: SyncPlan | None
    error: str


def listed(paths: list[str], limit: int = 8) -> str:
    more = f"\n  … and {len(paths) - limit} more" if len(paths) > limit else ""
    return "\n".join(f"  {path}" for path in paths[:limit]) + more


class SyncScreen(ProgressScreen[SyncSummary | None]):
    BINDINGS = [close_binding("sync.close")]
    DEFAULT_CSS = """
    SyncScreen ProgressBar { padding: 1 1 0 1; }
    """
    TITLE_ID = "sync-title"
    REPAINT_EVERY_S = 0.25

    def __init__(
        self, sync: CodeSync, row: PodRow, local: str, remote: str, delete: bool, results: Path | None = None
    ) -> None:
        """`results`: where pulls land, left out on both sides when it lies in the synced folder."""
        super().__init__(f"Sync {local} → {row.key}:{remote}")
        self.sync = sync
        self.row = row
        self.local = local
        self.remote = remote
        self.delete = delete
        self.results = results
        self.summary: SyncSummary | None = None

    def compose_body(self) -> ComposeResult:
        yield ProgressBar(id="sync-progress", show_eta=False)
        yield Static(
            "comparing (sha256 here and in the pod)…", id="sync-status", classes="progress-status", markup=False
        )
        yield Static("", id="sync-plan", classes="progress-detail", markup=False)

    def on_mount(self) -> None:
        self.make_plan()

    def outcome(self) -> SyncSummary | None:
        return self.summary

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def make_plan(self) -> None:
        try:
            row = self.row
            plan = self.sync.plan(Path(self.local), row.namespace, row.name, self.remote, results=self.results)
        except Exception as exc:
            self.post_message(SyncPlanned(None, str(exc)))
            return
        self.post_message(SyncPlanned(plan, ""))

    def on_sync_planned(self, message: SyncPlanned) -> None:
        plan = message.plan
        if plan is None or self.cancel.is_set():
            self._failed(message.error or "cancelled; nothing was sent")
            return
        lines = [f"{len(plan.new)} new, {len(plan.changed)} changed, {plan.unchanged} unchanged"]
        if plan.to_send:
            lines.append(listed(plan.to_send))
        if plan.gone:
            verdict = "will be deleted" if self.delete else "kept (deleting was not asked for)"
            lines.append(f"{len(plan.gone)} in the pod but not here: {verdict}")
        self.query_one("#sync-plan", Static).update("\n".join(lines))
        delete = self.delete and bool(plan.gone)
        if not plan.to_send and not delete:
            self._full_bar()
            self.end(f"already in sync: {plan.unchanged} files unchanged, nothing sent", failed=False)
            return
        if not delete:
            self.run_sync(plan, False)
            return
        question = f"Delete {len(plan.gone)} file(s) in {self.row.key}:{plan.remote_dir} that are gone here?\n"
        question += listed(plan.gone)

        def answered(choice: str | None) -> None:
            if choice == DELETE_AND_SYNC:
                self.run_sync(plan, True)
            elif choice == SYNC_ONLY:
                self.run_sync(plan, False)
            else:  # Esc, or anything typed that is not a choice: the user stopped
                self._failed("cancelled: nothing was sent, nothing deleted")

        self.app.push_screen(ChoiceScreen(question, [SYNC_ONLY, DELETE_AND_SYNC, CANCEL], SYNC_ONLY), answered)

    def run_sync(self, plan: SyncPlan, delete: bool) -> None:
        namespace, pod = self.row.namespace, self.row.name
        self.run_job(lambda report, cancel: self.sync.sync(plan, namespace, pod, None, delete, report, cancel))

    def on_job_progressed(self, message: JobProgressed[TransferProgress]) -> None:
        progress = message.progress
        if progress.bytes_total:
            self.query_one(ProgressBar).update(total=progress.bytes_total, progress=progress.bytes_done)
        self.status.update(
            f"sending: {progress.files_done}/{progress.files_total} files, {human_bytes(progress.bytes_done)}"
        )

    def on_job_ended(self, message: JobEnded[SyncSummary]) -> None:
        summary = message.result
        if summary is None:
            self._failed(message.error)
            return
        self.summary = summary
        self._full_bar()
        deleted = f", {summary.deleted} deleted" if summary.deleted else ""
        self.end(
            f"synced: {summary.sent_files} files sent ({human_bytes(summary.sent_bytes)}), {summary.unchanged} "
            f"unchanged{deleted}; every file checked ({summary.verified}) in {summary.seconds:.1f}s",
            failed=False,
        )

    def _failed(self, error: str) -> None:
        self._full_bar()
        self.end(f"failed: {error}", failed=True)

    def _full_bar(self) -> None:
        self.query_one(ProgressBar).update(total=1, progress=1)
