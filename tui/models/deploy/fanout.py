"""Where a fan-out stands: its N pods by index (plain pods NAME-0 … NAME-N-1, or the pods an Indexed Job created),
and for a Job its own counts, its end (Complete, or Failed with the controller's reason) and the warnings it got
(a pod it could not create: quota exceeded, a webhook's refusal, ... verbatim). Pure logic over the API's JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tui.models.deploy.pod_progress import warnings
from tui.models.deploy.pod_template import pod_index

Json = Mapping[str, Any]
FINISHED = ("Succeeded", "Failed")


@dataclass(frozen=True)
class FanOutMember:
    index: int | None
    pod: str
    status: str  # kubectl's STATUS column
    phase: str
    owned_by_job: bool = False  # a Job owns it: once the Job is deleted, the garbage collector deletes the pod

    @property
    def finished(self) -> bool:
        return self.phase in FINISHED


@dataclass(frozen=True)
class JobState:
    name: str
    active: int = 0
    ready: int = 0
    succeeded: int = 0
    failed: int = 0
    completed_indexes: str = ""  # "0-2,4", as the controller keeps it
    ended: str = ""  # "" while it runs, "Complete", or "Failed: <reason>: <message>"
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        done = f" (indexes {self.completed_indexes} done)" if self.completed_indexes else ""
        line = f"job {self.name}: {self.active} active, {self.succeeded} succeeded, {self.failed} failed{done}"
        return f"{line} — {self.ended}" if self.ended else line


@dataclass(frozen=True)
class FanOutProgress:
    name: str
    count: int
    members: tuple[FanOutMember, ...] = ()
    job: JobState | None = None
    job_expected: bool = False  # an Indexed Job fan-out: job None means it was deleted (or not made yet)
    trouble: str = ""  # the fan-out could not be read (in words)

    @property
    def settled(self) -> bool:
        """Nothing more will happen by itself: the Job has ended (or is gone) and its pods have stopped; or every
        plain pod has finished, or they are all gone (deleted: they were there when the follow began)."""
        if self.trouble:
            return False
        if self.job_expected:
            if self.job is None:  # deleted: its pods are going too, unless they were orphaned
                return not any(m.owned_by_job for m in self.members) and all(m.finished for m in self.members)
            return bool(self.job.ended) and all(m.finished for m in self.members)
        # Only this run's indexes: pods of an earlier, larger run under the same name do not count.
        indexes = {m.index for m in self.members if m.finished and m.index is not None and m.index < self.count}
        return not self.members or len(indexes) >= self.count

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for member in self.members:
            found[member.status] = found.get(member.status, 0) + 1
        return dict(sorted(found.items()))

    def summary(self) -> str:
        kind = f"Indexed Job {self.name}" if self.job_expected else "pods"
        head = f"fan-out {self.name} ({kind}, {self.count} indexes)"
        if not self.members:
            return f"{head}: no pods"
        counted = ", ".join(f"{n} {status}" for status, n in self.counts().items())
        return f"{head}: {len(self.members)} pod{'' if len(self.members) == 1 else 's'} — {counted}"


def job_state(job: Json, events: Sequence[Json]) -> JobState:
    metadata: Json = job.get("metadata") or {}
    status: Json = job.get("status") or {}
    ended = ""
    for condition in status.get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") == "Complete":
            ended = "Complete"
        elif condition.get("type") == "Failed":
            said = ": ".join(str(p) for p in (condition.get("reason"), condition.get("message")) if p)
            ended = f"Failed: {said}" if said else "Failed"
    return JobState(
        str(metadata.get("name", "")),
        int(status.get("active") or 0),
        int(status.get("ready") or 0),
        int(status.get("succeeded") or 0),
        int(status.get("failed") or 0),
        str(status.get("completedIndexes") or ""),
        ended,
        warnings(events),
    )


def fanout_member(pod: Json, status_text: str) -> FanOutMember:
    metadata: Json = pod.get("metadata") or {}
    index = pod_index(dict(metadata.get("labels") or {}), dict(metadata.get("annotations") or {}))
    phase = str((pod.get("status") or {}).get("phase") or "Pending")
    owned = any(owner.get("kind") == "Job" for owner in metadata.get("ownerReferences") or [])
    return FanOutMember(index, str(metadata.get("name", "")), status_text, phase, owned)


def sorted_members(members: Sequence[FanOutMember]) -> tuple[FanOutMember, ...]:
    """By index (a Job's retried index shows each of its pods), pods without one last."""
    return tuple(sorted(members, key=lambda m: (m.index is None, m.index or 0, m.pod)))
