"""`R` on the Runs screen: a run applied again from its record, under a new name and with its images by digest,
through the Deploy screen's applier, so the re-run is recorded as a run of its own that says which run it repeats."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path

from tui.models.deploy.pod_template import Manifest
from tui.models.runs.rerun import RerunPlan, RerunRefused, plan_rerun
from tui.models.runs.run import Run
from tui.services.deploy.apply import PodApplier
from tui.services.kube.kube import KubeService
from tui.services.runs.recorder import RunRecorder
from tui.services.runs.store import RunStore

SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # as the API server's generateName: no vowels, no words
SUFFIX_LENGTH = 4


def new_suffix() -> str:
    return "".join(secrets.choice(SUFFIX_CHARS) for _ in range(SUFFIX_LENGTH))


def plan(store: RunStore, kube: KubeService, run_id: str) -> RerunPlan:
    """What `R` would apply (RerunRefused, RunNotFound or KubeUnavailable in words when it cannot)."""
    run = store.get(run_id)
    kube.api_client()  # the kubeconfig read: `context` is now the one the app talks to
    return plan_rerun(run, kube.context, new_suffix())


def rerun(store: RunStore, kube: KubeService, chosen: RerunPlan) -> Run | None:
    """Apply the plan; the new run as recorded (None if its recording failed: that is logged, never the apply's
    failure). ApplyFailed with the API server's words when refused."""
    if kube.context != chosen.context:  # switched while the question was open
        raise RerunRefused(
            f"the app is on kube context {kube.context} now, run {chosen.run_id} ran in {chosen.context}: "
            f"switch back to re-run it"
        )
    original = store.get(chosen.run_id)
    recorder = RerunRecorder(store, kube, original)
    try:
        done = PodApplier(kube, recorder=recorder).apply(chosen.namespace, [chosen.manifest])
    finally:
        recorder.store.close()  # its own connection, on this worker's thread
    if not done or not done[0].created:
        raise RerunRefused(
            f"{chosen.kind.lower()}/{chosen.name} was there already and was only configured again: not a new run"
        )
    return store.latest_for(chosen.context, chosen.namespace, chosen.name)


class RerunRecorder(RunRecorder):
    """Records the re-run once, already saying what it repeats. Its code is the original's, not the working
    directory's now: the image it runs (by digest) was built from that code."""

    def __init__(self, store: RunStore, kube: KubeService, original: Run) -> None:
        super().__init__(_RerunRecords(store, original), kube)

    def record_applied(self, namespace: str, manifests: list[Manifest], project_root: Path | None) -> list[Run]:
        return super().record_applied(namespace, manifests, None)  # None: no git run on the working directory


class _RerunRecords(RunStore):
    """The run store as the recorder writes a re-run: its first write holds `rerun_of` and the original's code (a
    second write would race the follower's updates of the same run)."""

    def __init__(self, store: RunStore, original: Run) -> None:
        super().__init__(store.root)
        self.original = original

    def record(self, run: Run) -> None:
        original = self.original
        params = {**run.params, "rerun_of": original.id}
        super().record(replace(run, params=params, code=original.code, project=original.project))
