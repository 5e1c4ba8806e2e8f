"""Delete one pod and wait until it is gone, saying as it goes where it stands (see pod_deletion's model); the
wait stops when the caller's event is set, and `force()` (from any thread) deletes it again with a grace period of
0, as `kubectl delete --force --grace-period=0` does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.deploy.pod_deletion import DeletionProgress, deletion_progress
from tui.services.deploy.apply import ApplyFailed, api_message
from tui.services.kube.kube import KubeService

TIMEOUT_S = 30.0
INTERVAL_S = 0.5


class PodDeletion:
    def __init__(self, kube: KubeService, namespace: str, name: str) -> None:
        self.kube = kube
        self.namespace = namespace
        self.name = name
        self._force = threading.Event()
        self._wake = threading.Event()

    def force(self) -> None:
        self._force.set()
        self._wake.set()

    def run(self, cancel: threading.Event) -> Iterator[DeletionProgress]:
        """Ask for the deletion, then a progress at each look (about twice a second) until the pod is gone (the last
        progress says Gone) or `cancel` is set; ApplyFailed in words when the API refuses."""
        started = time.monotonic()
        self._delete(grace=None)
        forced = False
        while not cancel.is_set():
            if self._force.is_set() and not forced:
                self._delete(grace=0)
                forced = True
            progress = deletion_progress(self.name, self._read(), time.monotonic() - started, forced)
            yield progress
            if progress.gone:
                return
            self._wake.wait(INTERVAL_S)
            self._wake.clear()

    def _core(self) -> k8s.CoreV1Api:
        return k8s.CoreV1Api(self.kube.api_client())

    def _delete(self, grace: int | None) -> None:
        extra: dict[str, Any] = {} if grace is None else {"grace_period_seconds": grace}
        try:
            self._core().delete_namespaced_pod(self.name, self.namespace, _request_timeout=TIMEOUT_S, **extra)
        except ApiException as exc:
            if exc.status != 404:
                raise ApplyFailed(f"cannot delete pod {self.name}: {api_message(exc)}") from exc
        except Exception as exc:
            raise ApplyFailed(f"cannot delete pod {self.name}: {self.kube.explain(exc)}") from exc

    def _read(self) -> dict[str, Any] | None:
        try:
            response: Any = self._core().read_namespaced_pod(
                self.name, self.namespace, _preload_content=False, _request_timeout=TIMEOUT_S
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise ApplyFailed(f"cannot read pod {self.name}: {api_message(exc)}") from exc
        except Exception as exc:
            raise ApplyFailed(f"cannot read pod {self.name}: {self.kube.explain(exc)}") from exc
        try:
            pod: dict[str, Any] = json.loads(response.data)
        finally:
            response.release_conn()
        return pod
