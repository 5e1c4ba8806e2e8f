"""What became of the pod of a shell that was cut off (killed, its connection lost): deleted, or replaced by a new
pod of the same name (the loop's `g`, a Deploy restart). Its tab then says so rather than "killed by signal 9".

The pod is known by its UID, read when the session opens: a pod of the same name with another UID is a new run.
"""

from __future__ import annotations

import time
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.services.kube.kube import KubeService

DELETED = "the pod was deleted"
REPLACED = "the pod was deleted (replaced by a new run)"
DELETING = "the pod is being deleted"
TERMINATING_S = 10.0  # a pod being deleted goes once its containers have stopped (after its grace period)
REPLACEMENT_S = 3.0  # a pod gone: the loop or a restart creates the new one at once
STEP_S = 0.2
REQUEST_TIMEOUT_S = 5
_UNKNOWN: Any = object()  # the API server did not answer


def pod_uid(kube: KubeService, namespace: str, name: str) -> str:
    """The pod's UID, "" when it cannot be read (then a replacement is not told from the pod itself)."""
    pod = _read(kube, namespace, name)
    return str(pod.metadata.uid or "") if pod is not None and pod is not _UNKNOWN else ""


def pod_fate(kube: KubeService, namespace: str, name: str, uid: str) -> str | None:
    """Words for what happened to the pod whose UID was `uid`, or None when it is there as it was (only the shell
        died) or the API server does not answer. Blocks while the pod goes (TERMINATING_S, then REPLACEMENT_S for a
    new one, at most); never raises."""
    deadline = time.monotonic() + TERMINATING_S
    gone_at: float | None = None
    while True:
        pod = _read(kube, namespace, name)
        now = time.monotonic()
        if pod is _UNKNOWN:
            return DELETED if gone_at is not None else None
        if pod is None:
            gone_at = now if gone_at is None else gone_at
            if now - gone_at >= REPLACEMENT_S:
                return DELETED
        elif gone_at is not None or (uid and pod.metadata.uid != uid):
            return REPLACED
        elif pod.metadata.deletion_timestamp is None:
            return None
        elif now >= deadline:
            return DELETING
        time.sleep(STEP_S)


def _read(kube: KubeService, namespace: str, name: str) -> Any:
    """The pod, None when it is gone, _UNKNOWN when the API server does not say."""
    try:
        return k8s.CoreV1Api(kube.api_client()).read_namespaced_pod(name, namespace, _request_timeout=REQUEST_TIMEOUT_S)
    except ApiException as exc:
        return None if exc.status == 404 else _UNKNOWN
    except Exception:
        return _UNKNOWN
