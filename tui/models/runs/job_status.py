"""A Job's run: over when the Job controller says the Job is, not when one of its pods ends (a failed pod is retried
in a new one until backoffLimit; an Indexed Job runs several). The Job as the API sends it (JSON, hostile)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tui.models.runs.pod_status import _time  # (the API's RFC 3339 times, read as a pod's are)
from tui.models.runs.run import Run

# The conditions the Job controller sets once no pod will be made any more (SuccessCriteriaMet and FailureTarget
# come before them, while the last pods are still being ended).
_FINAL = {"Complete": "Succeeded", "Failed": "Failed"}


def job_end(job: Mapping[str, Any]) -> tuple[str, float | None] | None:
    """("Succeeded" | "Failed", when) once the Job is done; None while it may still start pods."""
    status = job.get("status")
    conditions = status.get("conditions") if isinstance(status, Mapping) else None
    for condition in conditions if isinstance(conditions, list) else []:
        if not isinstance(condition, Mapping) or condition.get("status") != "True":
            continue
        phase = _FINAL.get(str(condition.get("type")))
        if phase is not None:
            return phase, _time(condition.get("lastTransitionTime"))
    return None


def run_with_job(run: Run, job: Mapping[str, Any] | None) -> Run:
    """`run` (brought up to date from the Job's newest pod) with the Job's own end: a pod that ended while the Job
    goes on (a retry to come) does not end the run; the Job's end does, also when no pod said so."""
    if job is None:  # (gone, its pods left behind: they say how the run stands)
        return run
    end = job_end(job)
    if end is None:
        return replace(run, phase="Running", ended=None) if run.is_over and run.phase != "Deleted" else run
    phase, when = end
    return replace(run, phase=phase, ended=when or run.ended)


def by_creation(pods: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A Job's pods in the order they were made (the last one is what its run describes); by creation, then name."""
    return sorted(pods, key=lambda pod: (_meta(pod, "creationTimestamp"), _meta(pod, "name")))


def _meta(pod: Mapping[str, Any], key: str) -> str:
    metadata = pod.get("metadata")
    return str(metadata.get(key) or "") if isinstance(metadata, Mapping) else ""
