"""Where a pod being deleted stands, in words: how long it has been going, why it is still there (a container
stopping within its grace period, a finalizer holding it, a node that does not answer), so a wait is never silent.
Pure logic over the pod's JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Json = Mapping[str, Any]
LATE_S = 5  # past the grace period by this much, the node is not answering


@dataclass(frozen=True)
class DeletionProgress:
    name: str
    status: str  # Terminating, or Gone
    waited: float  # seconds since the delete was asked for
    reason: str = ""
    grace: int | None = None  # the pod's grace period, as the API counts it for this deletion
    forced: bool = False

    @property
    def gone(self) -> bool:
        return self.status == "Gone"

    def summary(self) -> str:
        text = f"deleting pod {self.name}: {self.status}, {self.waited:.0f} s"
        if self.reason:
            text += f" — {self.reason}"
        if self.grace is not None and not self.forced and not self.gone:
            text += f" (grace period {self.grace} s)"
        return text


def deletion_progress(name: str, pod: Json | None, waited: float, forced: bool = False) -> DeletionProgress:
    """One look at a pod being deleted (None: it is gone)."""
    if pod is None:
        return DeletionProgress(name, "Gone", waited, "deleted", forced=forced)
    metadata: Json = pod.get("metadata") or {}
    spec: Json = pod.get("spec") or {}
    status: Json = pod.get("status") or {}
    grace = metadata.get("deletionGracePeriodSeconds", spec.get("terminationGracePeriodSeconds"))
    grace = int(grace) if isinstance(grace, int) else None
    node = str(spec.get("nodeName") or "")
    containers = [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]
    running = [str(c.get("name")) for c in containers if "running" in (c.get("state") or {})]
    finalizers = [str(f) for f in metadata.get("finalizers") or []]
    if finalizers:
        reason = f"held by finalizer {', '.join(finalizers)} until its controller removes it"
    elif forced:
        reason = "force-deleted: the API server removes it now"
    elif not node:
        reason = "never scheduled: it goes as soon as the API server says so"
    elif grace is not None and waited > grace + LATE_S:
        reason = f"{waited - grace:.0f} s past its grace period: node {node} has not confirmed that it stopped"
    elif running:
        noun = "container" if len(running) == 1 else "containers"
        reason = f"its {noun} {', '.join(running)} {'is' if len(running) == 1 else 'are'} stopping"
    else:
        reason = f"its containers have stopped; node {node} is cleaning up"
    return DeletionProgress(name, "Terminating", waited, reason, grace, forced)
