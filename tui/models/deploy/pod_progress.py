"""Where a deployed pod stands and why, in words: Running, or Pending with the scheduler's reason, an image that
cannot be pulled, a container that keeps crashing; and the state of each claim it mounts. Pure logic over the
API's JSON (pod, its events, its claims)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Json = Mapping[str, Any]

_PULL_PROBLEMS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
_CONTAINER_PROBLEMS = {"CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


class Verdict(enum.Enum):
    WAITING = "waiting"  # on its way (scheduling, pulling, creating): keep following
    STUCK = "stuck"  # will not get further by itself as things are (unschedulable, image missing, crash loop)
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    GONE = "gone"  # deleted

    @property
    def settled(self) -> bool:
        """Following can stop: the pod is up, finished, or gone."""
        return self in (Verdict.RUNNING, Verdict.SUCCEEDED, Verdict.FAILED, Verdict.GONE)


@dataclass(frozen=True)
class ClaimState:
    name: str
    phase: str  # Bound, Pending, Lost, or Missing (no such claim)
    detail: str = ""

    def __str__(self) -> str:
        return f"claim {self.name}: {self.phase}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class PodProgress:
    """One look at a deployed pod."""

    name: str
    verdict: Verdict
    status: str  # kubectl's STATUS column
    reason: str  # why it is where it is, in words ("" when Running and nothing to say)
    node: str = ""
    claims: tuple[ClaimState, ...] = ()
    events: tuple[str, ...] = field(default=())  # the latest warnings, newest last

    def summary(self) -> str:
        line = f"pod {self.name}: {self.status}"
        if self.node:
            line += f" on {self.node}"
        return f"{line} — {self.reason}" if self.reason else line


def _latest(events: Sequence[Json], *reasons: str) -> Json | None:
    matching = [e for e in events if not reasons or e.get("reason") in reasons]
    matching.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return matching[-1] if matching else None


def warnings(events: Sequence[Json], keep: int = 3) -> tuple[str, ...]:
    found = [e for e in events if e.get("type") == "Warning"]
    found.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    lines = list(dict.fromkeys(f"{e.get('reason', '')}: {e.get('message', '')}".strip() for e in found))
    return tuple(lines[-keep:])


def claim_state(name: str, claim: Json | None, events: Sequence[Json]) -> ClaimState:
    """A claim's phase and, while it is not Bound, why (the binder's latest event)."""
    if claim is None:
        return ClaimState(name, "Missing", "no such claim in the namespace: the pod waits for it")
    status: Json = claim.get("status") or {}
    spec: Json = claim.get("spec") or {}
    phase = str(status.get("phase") or "Pending")
    if phase == "Bound":
        size = (status.get("capacity") or {}).get("storage", "")
        parts = [f"volume {spec.get('volumeName', '?')}", str(size), str(spec.get("storageClassName") or "")]
        return ClaimState(name, phase, ", ".join(p for p in parts if p))
    latest = _latest(events)
    return ClaimState(name, phase, str(latest.get("message", "")) if latest else "")


def claim_names(pod: Json) -> list[str]:
    volumes = (pod.get("spec") or {}).get("volumes") or []
    return [str(v["persistentVolumeClaim"]["claimName"]) for v in volumes if v.get("persistentVolumeClaim")]


def pod_progress(
    name: str, pod: Json | None, status_text: str, events: Sequence[Json], claims: tuple[ClaimState, ...] = ()
) -> PodProgress:
    """Read a pod (None: deleted) with its events; `status_text` is kubectl's STATUS for it."""
    if pod is None:
        return PodProgress(name, Verdict.GONE, "Gone", "the pod was deleted", claims=claims)
    spec: Json = pod.get("spec") or {}
    status: Json = pod.get("status") or {}
    node = str(spec.get("nodeName") or "")
    phase = str(status.get("phase") or "Pending")
    noted = warnings(events)

    def progress(verdict: Verdict, reason: str) -> PodProgress:
        return PodProgress(name, verdict, status_text, reason, node, claims, noted)

    containers: list[Json] = [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]
    if phase == "Succeeded":
        return progress(Verdict.SUCCEEDED, "finished: every container exited with 0")
    if phase == "Failed":
        return progress(Verdict.FAILED, _failure(status, containers))
    for container in containers:
        waiting: Json = (container.get("state") or {}).get("waiting") or {}
        reason = str(waiting.get("reason") or "")
        if reason in _PULL_PROBLEMS:
            # The kubelet's "Failed to pull image …: … not found" says why; its "Error: ErrImagePull" does not.
            pulls = [
                e for e in events if e.get("reason") == "Failed" and not str(e.get("message")).startswith("Error:")
            ]
            failed = _latest(pulls)
            message = str(failed.get("message")) if failed else str(waiting.get("message") or "")
            return progress(Verdict.STUCK, f"{reason}: {message}".rstrip(": "))
        if reason in _CONTAINER_PROBLEMS:
            last: Json = (container.get("lastState") or {}).get("terminated") or {}
            exit_text = f"; last exit code {last.get('exitCode')} ({last.get('reason', '')})" if last else ""
            return progress(Verdict.STUCK, f"{reason}: {waiting.get('message') or 'the container keeps failing'}"
                            f"{exit_text}")  # fmt: skip
    if phase == "Running":
        if all(c.get("ready") for c in status.get("containerStatuses") or []):
            return progress(Verdict.RUNNING, "")
        return progress(Verdict.WAITING, "running, not ready yet")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            event = _latest(events, "FailedScheduling")
            message = str(condition.get("message") or (event or {}).get("message") or condition.get("reason"))
            return progress(Verdict.STUCK, f"not scheduled: {message}")
    if not node:
        # The scheduler's event can be read before its PodScheduled condition is: it is the same verdict.
        refused = _latest(events, "FailedScheduling")
        if refused is not None:
            return progress(Verdict.STUCK, f"not scheduled: {refused.get('message')}")
        return progress(Verdict.WAITING, "waiting to be scheduled")
    mount = _latest(events, "FailedMount", "FailedAttachVolume")
    if mount is not None:
        return progress(Verdict.WAITING, f"{mount.get('reason')}: {mount.get('message')}")
    pulling = _latest(events, "Pulling")
    if pulling is not None and _latest(events, "Pulled", "Pulling") is pulling:
        return progress(Verdict.WAITING, str(pulling.get("message") or "pulling the image"))
    return progress(Verdict.WAITING, "its node is starting its containers")  # the summary says the status and node


def _failure(status: Json, containers: list[Json]) -> str:
    if status.get("reason") or status.get("message"):
        return f"{status.get('reason', 'Failed')}: {status.get('message', '')}".rstrip(": ")
    for container in containers:
        terminated: Json = (container.get("state") or {}).get("terminated") or {}
        if terminated and terminated.get("exitCode") != 0:
            detail = f"{terminated.get('reason') or 'Error'}, exit code {terminated.get('exitCode')}"
            message = str(terminated.get("message") or "").strip()
            return f"container {container.get('name')} failed ({detail})" + (f": {message}" if message else "")
    return "failed"
