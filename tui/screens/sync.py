"""A pushed screen syncing a local code folder into a pod: compare (sha256 on both sides), ask before deleting
anything in the pod, send only what changed, check it. Esc cancels while sending, closes when done."""

from __future__ import annotations

import threading
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from tui.models.pods import PodRow
from tui.models.transfer import TransferProgress
from tui.models.units import human_bytes
from tui.screens.dialogs import ChoiceScreen
from tui.services.code_sync import CodeSync, SyncPlan, SyncSummary

SYNC_ONLY, DELETE_AND_SYNC, CANCEL = "Sync, keep them in the pod", "Delete them and sync", "Cancel"


class SyncPlanned(Message):
    def __init__(self, plan: SyncPlan | None, error: str) -> None:
        super().__init__()
        self.plan = plan
        self.error = error


class SyncProgressed(Message):
    def __init__(self, progress: TransferProgress) -> None:
        super().__init__()
        self.progress = progress


class SyncEnded(Message):
    def __init__(self, summary: SyncSummary | None, error: str) -> None:
        super().__init__()
        self.summary = summary
        self.error = error


def listed(paths: list[str], limit: int = 8) -> str:
    more = f"\n  … and {len(paths) - limit} more" if len(paths) > limit else ""
    return "\n".join(f"  {path}" for path in paths[:limit]) + more


class SyncScreen(Screen[SyncSummary | None]):
    BINDINGS = [Binding("escape", "cancel_or_close", "Cancel / close", id="sync.close")]
    DEFAULT_CSS = """
    SyncScreen #sync-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    SyncScreen #sync-status, SyncScreen #sync-plan { height: auto; padding: 0 1; }
    SyncScreen #sync-status.-failed { color: $text-error; text-style: bold; }
    SyncScreen #sync-status.-done { color: $text-success; text-style: bold; }
    SyncScreen ProgressBar { padding: 1 1 0 1; }
    """

    def __init__(self, sync: CodeSync, row: PodRow, local: str, remote: str, delete: bool) -> None:
        super().__init__()
        self.sync = sync
        self.row = row
        self.local = local
        self.remote = remote
        self.delete = delete
        self.cancel = threading.Event()
        self.finished = False
        self.summary: SyncSummary | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"Sync {self.local} → {self.row.key}:{self.remote}", id="sync-title", markup=False)
        yield ProgressBar(id="sync-progress", show_eta=False)
        yield Static("comparing (sha256 here and in the pod)…", id="sync-status", markup=False)
        yield Static("", id="sync-plan", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.make_plan()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def make_plan(self) -> None:
        try:
            plan = self.sync.plan(Path(self.local), self.row.namespace, self.row.name, self.remote)
        except Exception as exc:
            self.post_message(SyncPlanned(None, str(exc)))
            return
        self.post_message(SyncPlanned(plan, ""))

    def on_sync_planned(self, message: SyncPlanned) -> None:
        plan = message.plan
        if plan is None or self.cancel.is_set():
            self._ended(None, message.error or "cancelled; nothing was sent")
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
            self._ended(None, "", plan)
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
                self._ended(None, "cancelled: nothing was sent, nothing deleted")

        self.app.push_screen(ChoiceScreen(question, [SYNC_ONLY, DELETE_AND_SYNC, CANCEL], SYNC_ONLY), answered)

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def run_sync(self, plan: SyncPlan, delete: bool) -> None:
        def report(progress: TransferProgress) -> None:
            self.post_message(SyncProgressed(progress))

        try:
            summary = self.sync.sync(plan, self.row.namespace, self.row.name, None, delete, report, self.cancel)
        except Exception as exc:
            self.post_message(SyncEnded(None, str(exc)))
            return
        self.post_message(SyncEnded(summary, ""))

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        progress = message.progress
        if progress.bytes_total:
            self.query_one(ProgressBar).update(total=progress.bytes_total, progress=progress.bytes_done)
        self.query_one("#sync-status", Static).update(
            f"sending: {progress.files_done}/{progress.files_total} files, {human_bytes(progress.bytes_done)}"
        )

    def on_sync_ended(self, message: SyncEnded) -> None:
        self._ended(message.summary, message.error)

    def _ended(self, summary: SyncSummary | None, error: str, unchanged: SyncPlan | None = None) -> None:
        self.finished = True
        status = self.query_one("#sync-status", Static)
        self.query_one(ProgressBar).update(total=1, progress=1)
        if unchanged is not None:
            status.update(f"already in sync: {unchanged.unchanged} files unchanged, nothing sent   (Esc: back)")
            status.add_class("-done")
            return
        if summary is None:
            status.update(f"failed: {error}   (Esc: back)")
            status.add_class("-failed")
            return
        self.summary = summary
        deleted = f", {summary.deleted} deleted" if summary.deleted else ""
        status.update(
            f"synced: {summary.sent_files} files sent ({human_bytes(summary.sent_bytes)}), {summary.unchanged} "
            f"unchanged{deleted}; every file checked ({summary.verified}) in {summary.seconds:.1f}s   (Esc: back)"
        )
        status.add_class("-done")

    def action_cancel_or_close(self) -> None:
        if not self.finished:
            self.cancel.set()
            self.query_one("#sync-status", Static).update("cancelling…")
            return
        self.dismiss(self.summary)
