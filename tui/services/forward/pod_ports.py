"""What the `f` key offers for a pod: its containers' declared ports and the experiment it belongs to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s

from tui.models.forward.forward import EXPERIMENT_LABEL
from tui.models.forward.ports import PortChoice, declared_ports
from tui.services.kube.kube import KubeService


@dataclass(frozen=True)
class PodPorts:
    ports: list[PortChoice]
    experiment: str  # the pod's k8sx.dev/experiment label ("": the forward follows the pod's name)


def pod_ports(kube: KubeService, namespace: str, name: str) -> PodPorts:
    response: Any = k8s.CoreV1Api(kube.api_client()).read_namespaced_pod(
        name, namespace, _preload_content=False, _request_timeout=10
    )
    pod = json.loads(response.data)
    spec = pod.get("spec") if isinstance(pod, dict) else None
    labels = (pod.get("metadata") or {}).get("labels") if isinstance(pod, dict) else None
    experiment = labels.get(EXPERIMENT_LABEL, "") if isinstance(labels, dict) else ""
    return PodPorts(declared_ports(spec if isinstance(spec, dict) else {}), str(experiment)[:63])
