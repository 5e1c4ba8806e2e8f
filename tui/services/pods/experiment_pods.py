"""The pods the app started (labelled app.kubernetes.io/managed-by=k8sx-tui): which are finished, which still
run, and deleting them, so nothing is left running (and billing GPUs) by accident.

A pod of an Indexed Job (a fan-out) is deleted through its Job when the Job would otherwise act on it: a Job that
has ended is deleted (propagationPolicy Background: the garbage collector then deletes its pods, and no finished
Job object is left behind); a running pod of a Job still running is deleted by deleting the Job too (deleting the pod
alone would make the Job start it again). Only a finished pod of a Job still running is deleted on its own: the Job
has counted it already and does not replace it, and its other indexes go on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.models.deploy.pod_template import MANAGED_SELECTOR
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.json_reads import object_or_none, response_items
from tui.services.kube.kube import KubeService

# The kubernetes client is imported by the calls that use it (on a worker): importing this module costs nothing.
if TYPE_CHECKING:
    from kubernetes import client as k8s

TIMEOUT_S = 10.0
FINISHED_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class ExperimentPod:
    namespace: str
    name: str
    phase: str
    terminating: bool = False
    job: str = ""  # the Job that created it (an Indexed Job fan-out), if any

    @property
    def finished(self) -> bool:
        return self.phase in FINISHED_PHASES

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


class ExperimentPods:
    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def pods(self, namespace: str, selector: str = MANAGED_SELECTOR, timeout: float = TIMEOUT_S) -> list[ExperimentPod]:
        with heavy_imports():
            from kubernetes import client as k8s

        items = response_items(
            k8s.CoreV1Api(self.kube.api_client()).list_namespaced_pod(
                namespace, label_selector=selector, _preload_content=False, _request_timeout=timeout
            )
        )
        return sorted(
            (
                ExperimentPod(
                    namespace,
                    str(item["metadata"]["name"]),
                    str((item.get("status") or {}).get("phase") or "Pending"),
                    bool(item["metadata"].get("deletionTimestamp")),
                    owning_job(item),
                )
                for item in items
            ),
            key=lambda pod: pod.name,
        )

    def finished(self, namespace: str) -> list[ExperimentPod]:
        return [pod for pod in self.pods(namespace) if pod.finished and not pod.terminating]

    def still_running(self, namespaces: Iterable[str], timeout: float = TIMEOUT_S) -> list[ExperimentPod]:
        """Pending or Running ones (they hold nodes and GPUs), in each namespace the app deployed to; a namespace
        that cannot be listed (gone, forbidden, no cluster) is skipped: nothing could be deleted there anyway.
        A Job of the app that has not ended but has no such pod right now (its next pod not created yet, or refused
        by a quota) is listed too, as `job/NAME`: it would start pods after the app has gone."""
        found: list[ExperimentPod] = []
        for namespace in sorted(set(namespaces)):
            try:
                pods = self.pods(namespace, timeout=timeout)
                running = [p for p in pods if not p.finished and not p.terminating]
                found.extend(running)
                found.extend(self._idle_jobs(namespace, {p.job for p in running}, timeout))
            except Exception:
                continue
        return found

    def _idle_jobs(self, namespace: str, busy: set[str], timeout: float) -> list[ExperimentPod]:
        with heavy_imports():
            from kubernetes import client as k8s

        jobs = response_items(
            k8s.BatchV1Api(self.kube.api_client()).list_namespaced_job(
                namespace, label_selector=MANAGED_SELECTOR, _preload_content=False, _request_timeout=timeout
            )
        )
        return [
            ExperimentPod(namespace, f"job/{name}", "Pending", job=name)
            for job in jobs
            if (name := str(job["metadata"]["name"])) not in busy
            and not job_ended(job)
            and not job["metadata"].get("deletionTimestamp")
        ]

    def delete(self, pods: Iterable[ExperimentPod]) -> list[str]:
        """Delete each (a Job's pod through its Job where needed, see above); returns the failures in words (a pod or
        Job already gone is no failure)."""
        with heavy_imports():
            from kubernetes import client as k8s
            from kubernetes.client.exceptions import ApiException

        from tui.services.deploy.apply import api_message

        client = self.kube.api_client()
        core, batch = k8s.CoreV1Api(client), k8s.BatchV1Api(client)
        failed: list[str] = []
        jobs: dict[tuple[str, str], bool | None] = {}  # (namespace, job) -> has ended; None: gone
        deleted_jobs: set[tuple[str, str]] = set()
        for pod in pods:
            try:
                if pod.job:
                    key = (pod.namespace, pod.job)
                    if key in deleted_jobs:
                        continue
                    if key not in jobs:
                        jobs[key] = self._job_ended(batch, pod.namespace, pod.job)
                    ended = jobs[key]
                    if ended is None and pod.name == f"job/{pod.job}":
                        continue  # a Job without pods (see still_running), gone already
                    if ended is not None and (ended or not pod.finished):
                        batch.delete_namespaced_job(
                            pod.job, pod.namespace, propagation_policy="Background", _request_timeout=TIMEOUT_S
                        )
                        deleted_jobs.add(key)
                        continue
                core.delete_namespaced_pod(pod.name, pod.namespace, _request_timeout=TIMEOUT_S)
            except ApiException as exc:
                if exc.status != 404:
                    failed.append(f"{pod.key}: {api_message(exc)}")
            except Exception as exc:
                failed.append(f"{pod.key}: {self.kube.explain(exc)}")
        return failed

    @staticmethod
    def _job_ended(batch: k8s.BatchV1Api, namespace: str, name: str) -> bool | None:
        """None: the Job is gone."""
        job = object_or_none(
            lambda: batch.read_namespaced_job_status(
                name, namespace, _preload_content=False, _request_timeout=TIMEOUT_S
            )
        )
        return None if job is None else job_ended(job)


def job_ended(job: dict[str, Any]) -> bool:
    conditions = (job.get("status") or {}).get("conditions") or []
    return any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in conditions)


def owning_job(pod: dict[str, Any]) -> str:
    for owner in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("kind") == "Job" and owner.get("controller"):
            return str(owner.get("name", ""))
    return ""
