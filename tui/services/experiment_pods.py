"""The pods the app started (labelled app.kubernetes.io/managed-by=k8sx-tui): which are finished, which still
run, and deleting them, so nothing is left running (and billing GPUs) by accident."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.pod_template import MANAGED_SELECTOR
from tui.services.kube import KubeService
from tui.services.pod_apply import api_message

TIMEOUT_S = 10.0
FINISHED_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class ExperimentPod:
    namespace: str
    name: str
    phase: str
    terminating: bool = False

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
        response: Any = k8s.CoreV1Api(self.kube.api_client()).list_namespaced_pod(
            namespace, label_selector=selector, _preload_content=False, _request_timeout=timeout
        )
        try:
            items = json.loads(response.data).get("items") or []
        finally:
            response.release_conn()
        return sorted(
            (
                ExperimentPod(
                    namespace,
                    str(item["metadata"]["name"]),
                    str((item.get("status") or {}).get("phase") or "Pending"),
                    bool(item["metadata"].get("deletionTimestamp")),
                )
                for item in items
            ),
            key=lambda pod: pod.name,
        )

    def finished(self, namespace: str) -> list[ExperimentPod]:
        return [pod for pod in self.pods(namespace) if pod.finished and not pod.terminating]

    def still_running(self, namespaces: Iterable[str], timeout: float = TIMEOUT_S) -> list[ExperimentPod]:
        """Pending or Running ones (they hold nodes and GPUs), in each namespace the app deployed to; a namespace
        that cannot be listed (gone, forbidden, no cluster) is skipped: nothing could be deleted there anyway."""
        found: list[ExperimentPod] = []
        for namespace in sorted(set(namespaces)):
            try:
                pods = self.pods(namespace, timeout=timeout)
            except Exception:
                continue
            found.extend(p for p in pods if not p.finished and not p.terminating)
        return found

    def delete(self, pods: Iterable[ExperimentPod]) -> list[str]:
        """Delete each; returns the failures in words (a pod already gone is no failure)."""
        core = k8s.CoreV1Api(self.kube.api_client())
        failed: list[str] = []
        for pod in pods:
            try:
                core.delete_namespaced_pod(pod.name, pod.namespace, _request_timeout=TIMEOUT_S)
            except ApiException as exc:
                if exc.status != 404:
                    failed.append(f"{pod.key}: {api_message(exc)}")
            except Exception as exc:
                failed.append(f"{pod.key}: {self.kube.explain(exc)}")
        return failed
