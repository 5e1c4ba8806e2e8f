"""The pull of the safe clean-up (tui/screens/common/cleanup.py): the pod list's own pull of several pods (r on
marked pods), into results/<pod>, resumed where a cut pull left files; an existing folder is replaced only when the
user says so."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from tui.models.transfer.app_folders import results_folder
from tui.models.transfer.progress import TransferProgress, TransferSummary
from tui.models.units import counted
from tui.screens.common.cleanup import SHOWN, Pulled
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.transfer.pod_flows import PodTransfers
from tui.screens.transfer.pull_many import PullJob, PullManyScreen
from tui.services.runs.cleanup import PodToDelete
from tui.services.transfer.pull import pull_source
from tui.services.transfer.pull_resume import resume_offer


class PodListPuller:
    """A Puller (tui.screens.common.cleanup) over the pod list's PodTransfers."""

    def __init__(self, transfers: PodTransfers) -> None:
        self.transfers = transfers
        self.remote = transfers.paths().results  # (a broken k8sx.yaml is said once, here)

    def results_from(self) -> str:
        return self.remote

    def pull(self, pods: list[PodToDelete], done: Callable[[Pulled | None], None]) -> None:
        app = self.transfers.screen.app
        parent = results_folder(self.transfers.folder)
        existing = [parent / pod.name for pod in pods if (parent / pod.name).exists()]
        if not existing:
            self._start(pods, parent, False, done)
            return
        listed = "\n".join(f"  {path}" for path in existing[:SHOWN])
        held = counted(len(existing), "results folder")
        question = f"{held} already there, deleted if you replace them:\n{listed}\nReplace them?"
        app.push_screen(
            ConfirmScreen(question, "Replace"),
            lambda yes: self._start(pods, parent, True, done) if yes else done(None),
        )

    def _start(
        self, pods: list[PodToDelete], parent: Path, overwrite: bool, done: Callable[[Pulled | None], None]
    ) -> None:
        jobs = [self._job(pod, parent / pod.name, overwrite) for pod in pods]
        title = f"Pull {self.remote} from {counted(len(jobs), 'pod')} before deleting → {parent}/<pod>"
        screen = PullManyScreen(title, jobs, go_on_when_pulled=True)  # then the deletion, without an Esc

        def pulled(summaries: list[TransferSummary | None] | None) -> None:
            found = list(summaries or [])
            results: Pulled = {}
            for index, pod in enumerate(pods):
                summary = found[index] if index < len(found) else None
                results[pod.key] = summary or screen.errors.get(index, "not pulled (cancelled)")
            done(results)

        self.transfers.screen.app.push_screen(screen, pulled)

    def _job(self, pod: PodToDelete, destination: Path, overwrite: bool) -> PullJob:
        resume = resume_offer(destination, pull_source(pod.namespace, pod.name, self.remote)) is not None

        def pull(progress: Callable[[TransferProgress], None], cancel: threading.Event) -> TransferSummary:
            return self.transfers.claims.pull_results(
                pod.namespace, pod.name, self.remote, destination, overwrite, progress, cancel, resume=resume
            )

        return PullJob(pod.key, destination, pull)
