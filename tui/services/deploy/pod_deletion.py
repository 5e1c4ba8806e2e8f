"""Delete one pod and wait until it is gone, saying as it goes where it stands (see pod_deletion's model); the
wait stops when the caller's event is set, and `force()` (from any thread) deletes it again with a grace period of
0, as `kubectl delete --force --grace-period=0` does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from kubernetes import client as k8s

from tui.models.deploy.pod_deletion import DeletionProgress, deletion_progress
from tui.services.deploy.api_calls import delete_object, read_object
from tui.services.kube.kube import KubeService

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
        delete_object(self.kube, self._core().delete_namespaced_pod, "pod", self.name, self.namespace, **extra)

    def _read(self) -> dict[str, Any] | None:
        pod: dict[str, Any] | None = read_object(
            self.kube, self._core().read_namespaced_pod, "pod", self.name, self.namespace
        )
        return pod
