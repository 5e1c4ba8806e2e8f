"""`r` on the Runs screen: the pod whose results a run left, read from the cluster (the run's own pod, or a Job's
newest pod), or why there is none, in words."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from tui.models.pods.row import PodRow
from tui.models.runs.rerun import wrong_context
from tui.models.runs.run import Run
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import KubeService
from tui.services.pods.rows import pod_row

TIMEOUT_S = 30.0
JOB_LABEL = "job-name"  # what the Job controller puts on its pods, on every Kubernetes version (as the follower)


class NoResultsPod(Exception):
    """The run's pod cannot be read: gone, another context, or the cluster did not answer (in words)."""


def results_pod(kube: KubeService, run: Run) -> PodRow:
    kube.api_client()  # the kubeconfig read: `context` is now the one the app talks to
    if problem := wrong_context(run, kube.context, "pull its results"):
        raise NoResultsPod(problem)
    with heavy_imports():
        from kubernetes.client.exceptions import ApiException

    namespace = quote(run.namespace, safe="")
    try:
        if run.pod or run.kind == "Pod":
            return pod_row(_read(kube, f"/api/v1/namespaces/{namespace}/pods/{quote(run.pod or run.name, safe='')}"))
        listed = _read(kube, f"/api/v1/namespaces/{namespace}/pods", [("labelSelector", f"{JOB_LABEL}={run.name}")])
    except ApiException as exc:
        if exc.status == 404:
            raise NoResultsPod(_gone(run)) from exc
        raise NoResultsPod(f"cannot read the pod of run {run.id}: {kube.explain(exc)}") from exc
    except Exception as exc:
        raise NoResultsPod(f"cannot read the pod of run {run.id}: {kube.explain(exc)}") from exc
    pods = [pod for pod in listed.get("items") or [] if isinstance(pod, dict)]
    if not pods:
        raise NoResultsPod(_gone(run))
    return pod_row(max(pods, key=lambda pod: str((pod.get("metadata") or {}).get("creationTimestamp", ""))))


def _gone(run: Run) -> str:
    pod = f"pod {run.namespace}/{run.pod}" if run.pod else f"{run.kind} {run.namespace}/{run.name}'s pod"
    return (
        f"{pod} of run {run.id} is gone: what it wrote inside itself went with it; results it wrote to a claim "
        "can still be pulled from the claims view (v on the pod list)"
    )


def _read(kube: KubeService, path: str, query: list[tuple[str, object]] | None = None) -> dict[str, Any]:
    response = kube.get(path, query or [], timeout=TIMEOUT_S)
    try:
        data = json.loads(response.data)
    finally:
        response.release_conn()
    if not isinstance(data, dict):
        raise ValueError(f"the API server answered {type(data).__name__}, not an object")
    return data
