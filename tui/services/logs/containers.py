"""Which containers' logs to follow: the containers of a pod (kubectl's default one first), pods by selector."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s

from tui.services.kube.kube import ALL_NAMESPACES, KubeService

REQUEST_TIMEOUT_S = 15.0
DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


@dataclass(frozen=True)
class PodContainers:
    namespace: str
    pod: str
    containers: tuple[str, ...]  # init containers first, in the order the pod runs them
    default: str  # what `kubectl logs POD` shows: the annotated default container, else the first app container

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.pod}"


def pod_containers(pod: dict[str, Any]) -> PodContainers:
    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    init = [c["name"] for c in spec.get("initContainers") or []]
    main = [c["name"] for c in spec.get("containers") or []]
    annotated = (metadata.get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    default = str(annotated) if annotated in main else (main[0] if main else (init[0] if init else ""))
    return PodContainers(metadata.get("namespace", ""), metadata.get("name", ""), (*init, *main), default)


class LogPods:
    """Blocking look-ups for the Logs screen (run them in a thread worker)."""

    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def containers(self, namespace: str, name: str) -> PodContainers:
        core = k8s.CoreV1Api(self.kube.api_client())
        response: Any = core.read_namespaced_pod(
            name, namespace, _preload_content=False, _request_timeout=REQUEST_TIMEOUT_S
        )
        return pod_containers(json.loads(response.data))

    def select(self, namespace: str, label_selector: str) -> list[PodContainers]:
        """The pods a label selector picks (in `namespace`, or everywhere for ALL_NAMESPACES), by name."""
        core = k8s.CoreV1Api(self.kube.api_client())
        params: dict[str, Any] = {"_preload_content": False, "_request_timeout": REQUEST_TIMEOUT_S}
        if label_selector:
            params["label_selector"] = label_selector
        response: Any
        if namespace == ALL_NAMESPACES:
            response = core.list_pod_for_all_namespaces(**params)
        else:
            response = core.list_namespaced_pod(namespace, **params)
        pods = [pod_containers(item) for item in json.loads(response.data).get("items") or []]
        return sorted(pods, key=lambda p: p.key)
