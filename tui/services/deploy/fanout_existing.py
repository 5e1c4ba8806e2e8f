"""A fan-out started again under the same name finds its earlier run still there: the Job NAME, or pods NAME-i.
Applying over them is refused (a pod cannot change; a Job's pod template is immutable, and the API says so with
its whole template in one line) or, when nothing changed, runs nothing at all. So it is looked for first, and
removed (after the user agreed) before the new one is applied, waiting until it is gone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.deploy.fanout import job_state
from tui.models.deploy.pod_template import Manifest
from tui.services.deploy.api_calls import delete_object, read_object
from tui.services.deploy.apply import TIMEOUT_S, ApplyFailed, PodApplier, api_message
from tui.services.deploy.fanout_follow import fanout_selector
from tui.services.deploy.pod_deletion import PodDeletion
from tui.services.kube.kube import KubeService

POLL_S = 0.5


class EarlierFanOut:
    def __init__(self, applier: PodApplier) -> None:
        self.applier = applier
        self.deletion: PodDeletion | None = None  # the earlier pod being deleted now

    @property
    def kube(self) -> KubeService:
        return self.applier.kube

    def _batch(self) -> k8s.BatchV1Api:
        return k8s.BatchV1Api(self.kube.api_client())

    def _job(self, namespace: str, name: str) -> dict[str, Any] | None:
        job: dict[str, Any] | None = read_object(self.kube, self._batch().read_namespaced_job, "job", name, namespace)
        return job

    def _plain_pods(self, namespace: str, name: str) -> list[str]:
        """Every pod of an earlier plain fan-out of this name, by its label: it may have had more pods than now."""
        try:
            pods = k8s.CoreV1Api(self.kube.api_client()).list_namespaced_pod(
                namespace, label_selector=fanout_selector(name, False), _request_timeout=TIMEOUT_S
            )
        except ApiException as exc:
            raise ApplyFailed(f"cannot list the pods of fan-out {name}: {api_message(exc)}") from exc
        except Exception as exc:
            raise ApplyFailed(f"cannot list the pods of fan-out {name}: {self.kube.explain(exc)}") from exc
        return sorted(str(pod.metadata.name) for pod in pods.items if pod.metadata)

    def find(self, namespace: str, name: str, count: int, job: bool) -> list[str]:
        """What of an earlier run is there, in words: `job prep (Complete)`, or the pods' names."""
        if not job:
            return self._plain_pods(namespace, name)
        found = self._job(namespace, name)
        if found is None:
            return []
        state = job_state(found, [])
        ended = state.ended or f"running: {state.active} active, {state.succeeded} succeeded"
        return [f"job {name} ({ended})"]

    def check(self, namespace: str, manifests: list[Manifest]) -> None:
        """ApplyFailed when the new run would be refused: asked before `remove`, so a refusal leaves the earlier run."""
        try:
            self.applier.check(namespace, manifests)
        except ApplyFailed as exc:
            raise ApplyFailed(f"{exc}\n(nothing was deleted: the earlier fan-out is as it was)") from exc

    def remove(self, namespace: str, name: str, job: bool, cancel: threading.Event) -> Iterator[str]:
        """Delete it and wait until it is gone, saying at each look what is waited for (a pod being deleted is
        `self.deletion` meanwhile: it can be forced). A Job is deleted with propagationPolicy Foreground: it stays
        (being deleted) until the garbage collector has deleted its pods, so once it is gone no pod of it is left to
        be counted as the new run's. ApplyFailed when `cancel` stops the wait: the new run is not applied."""
        if not job:
            for pod in self._plain_pods(namespace, name):
                self.deletion = PodDeletion(self.kube, namespace, pod)
                try:
                    yield from (progress.summary() for progress in self.deletion.run(cancel))
                finally:
                    self.deletion = None
                if cancel.is_set():
                    raise ApplyFailed(f"stopped waiting: pod {pod} is still being deleted; nothing new was applied")
            return
        delete_object(
            self.kube, self._batch().delete_namespaced_job, "job", name, namespace, propagation_policy="Foreground"
        )
        started = time.monotonic()
        while not cancel.is_set():
            if self._job(namespace, name) is None:
                return
            waited = time.monotonic() - started
            yield f"deleting job {name}: {waited:.0f} s — its pods go first, then the Job (Foreground deletion)"
            cancel.wait(POLL_S)
        raise ApplyFailed(f"stopped waiting: job {name} is still being deleted; nothing new was applied")
