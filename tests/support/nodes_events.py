"""For the Nodes and Events views' tests: GPU pods for kwok's GPU nodes, events, the app recording what the Nodes view
asks of the pod list, and the views' tables and info lines as drawn."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import DataTable, Static

from tests.support.stack import StackEnv, kubectl
from tui.app import K8sxApp
from tui.backends import Backends
from tui.screens.nodes.messages import ShowPodsOnNode
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService

GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def gpu_pod(name: str, gpus: int, node: str | None = None) -> dict[str, Any]:
    """A pod asking for `gpus` nvidia.com/gpu, tolerating the GPU nodes' taint; on `node` when given."""
    spec: dict[str, Any] = {
        "tolerations": [dict(GPU_TOLERATION)],
        "containers": [{"name": "main", "image": "busybox", "resources": {"limits": {"nvidia.com/gpu": gpus}}}],
    }
    if node:
        spec["nodeSelector"] = {"kubernetes.io/hostname": node}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def create_event(
    stack: StackEnv, namespace: str, name: str, pod: str, reason: str, message: str, kind: str = "Normal", **more: Any
) -> None:
    """A core/v1 Event about `pod`, created as a controller would (`more`: count, source, timestamps …)."""
    involved = {"kind": "Pod", "name": pod, "namespace": namespace}
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name}, "involvedObject": involved,
             "type": kind, "reason": reason, "message": message, **more}  # fmt: skip
    kubectl(stack, "create", "-n", namespace, "-f", "-", input=json.dumps(event))


class RecordingApp(K8sxApp):
    """The app, keeping what the Nodes view asks of the pod list (the pod list's side is wired in the app)."""

    def __init__(self, backends: Backends) -> None:
        super().__init__(backends)
        self.asked_for: list[str] = []

    def on_show_pods_on_node(self, message: ShowPodsOnNode) -> None:
        self.asked_for.append(message.node)


def recording_app(stack: StackEnv, namespace: str) -> RecordingApp:
    return RecordingApp(Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host)))


def table_rows(app: K8sxApp, table_id: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of the table: {column title: text} (plain text, as the cells hold it)."""
    table: DataTable[Any] = app.screen.query_one(f"#{table_id}", DataTable)
    titles = [str(c.label) for c in table.columns.values()]
    assert titles[-len(columns) :] == list(columns)
    return [
        {title: str(cell) for title, cell in zip(titles, table.get_row_at(i), strict=True)}
        for i in range(table.row_count)
    ]


def info(app: K8sxApp, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", Static).content)
