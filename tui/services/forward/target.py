"""Which pod carries a forward now: the newest Running, not terminating pod with the forward's experiment label,
else the pod with its name. A forward is tied to the experiment, not to one pod object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.forward.forward import EXPERIMENT_LABEL, ForwardSpec
from tui.services.kube.kube import KubeService

READ_TIMEOUT_S = 10


@dataclass(frozen=True)
class PodNow:
    name: str
    uid: str


def _now(pod: Any) -> PodNow:
    return PodNow(str(pod.metadata.name), str(pod.metadata.uid))


def _usable(pod: Any) -> bool:
    status, meta = pod.status, pod.metadata
    return status is not None and status.phase == "Running" and meta.deletion_timestamp is None


def current_pod(kube: KubeService, spec: ForwardSpec) -> PodNow | None:
    """None while there is no such pod Running (the forward waits); API errors are raised for the caller's words."""
    api = k8s.CoreV1Api(kube.api_client())
    if spec.experiment:
        selector = f"{EXPERIMENT_LABEL}={spec.experiment}"
        pods: list[Any] = api.list_namespaced_pod(
            spec.namespace, label_selector=selector, _request_timeout=READ_TIMEOUT_S
        ).items
        running = [pod for pod in pods if _usable(pod)]
        if not running:
            return None
        return _now(max(running, key=lambda pod: (pod.metadata.creation_timestamp, pod.metadata.name)))
    try:
        pod: Any = api.read_namespaced_pod(spec.pod, spec.namespace, _request_timeout=READ_TIMEOUT_S)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise
    return _now(pod) if _usable(pod) else None
