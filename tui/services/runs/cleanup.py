"""Safe clean-up: of the pods about to be deleted, which belong to runs whose logs are not archived to their end or
whose results were never pulled, and why, in words. Deleting such a pod loses what the run was for, so the screens
ask first (tui/screens/common/cleanup.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.models.runs.run import LogArchive, Run
from tui.models.units import counted
from tui.services.runs.log_archive import archive_key
from tui.services.runs.store import RunStore

FINISHED_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class PodToDelete:
    namespace: str
    name: str
    job: str = ""  # the Job that made it: its run is the Job's
    finished: bool = False  # its containers have ended (their logs can be read to the end without deleting it)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class RunAtRisk:
    """A pod whose run would lose something if it were deleted now."""

    pod: PodToDelete
    run_id: str
    logs: str  # why its logs are not complete, in words ("" when they are)
    unpulled: bool  # no pull of its results was recorded
    finished: bool  # the pod, or its run, has ended

    def words(self) -> str:
        why = [part for part in (self.logs, "its results were never pulled" if self.unpulled else "") if part]
        return f"{self.pod.key} (run {self.run_id}): {'; '.join(why)}"


def runs_at_risk(store: RunStore, context: str, pods: Sequence[PodToDelete], quitting: bool = False) -> list[RunAtRisk]:
    """The pods of `pods` that belong to a run (of this kube context) whose logs are not all archived to their end
    or whose results were never pulled; pods of no run, or whose run is safe, are not listed.

    A running pod's log ends only when it is deleted: while the app goes on, the run follower reads it to the end
    then, so an archive begun is enough; when the app is `quitting`, nobody would read the rest."""
    found: list[RunAtRisk] = []
    for pod in pods:
        run = store.latest_for(context, pod.namespace, pod.job or pod.name)
        if run is None or (run.kind == "Pod" and run.pod not in ("", pod.name)):
            continue
        finished = pod.finished or run.phase in FINISHED_PHASES
        logs = log_words(run, store.logs(run.id), begun_is_enough=not finished and not quitting)
        unpulled = not store.results(run.id)
        if logs or unpulled:
            found.append(RunAtRisk(pod, run.id, logs, unpulled, finished))
    return found


def log_words(run: Run, archives: Sequence[LogArchive], begun_is_enough: bool = False) -> str:
    """Why the run's logs are not archived to their end ("" when every container's is): a container the pod has
    (as the run follower recorded it) whose archive is missing, or not complete unless `begun_is_enough`."""
    known = {archive.container: archive for archive in archives}
    # (a Job's archives are `pod/container`, one per pod it made: its newest pod's containers are the run's)
    seen = [archive_key(run.kind, run.pod, end.name) for end in run.containers]
    containers = list(dict.fromkeys([*seen, *known]))
    if not containers:
        return "its log is not archived yet"
    missing = []
    for name in containers:
        archive = known.get(name)
        if archive is None:
            missing.append(f"{name}: not archived")
        elif not archive.complete and not begun_is_enough:
            missing.append(f"{name}: {counted(archive.lines, 'line')} so far")
    if not missing:
        return ""
    return f"{'its log is' if len(containers) == 1 else 'its logs are'} not archived to the end ({', '.join(missing)})"


def logs_left(store: RunStore, run_id: str, begun_is_enough: bool = False) -> str:
    """What is still missing of the run's logs, in words; "" once they are complete, or all begun (read again each
    call: the run follower writes them meanwhile)."""
    return log_words(store.get(run_id), store.logs(run_id), begun_is_enough)
