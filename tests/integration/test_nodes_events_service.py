"""The Nodes view's reading, the events watch and a Pending pod's reason against the real stack: the real
scheduler, kwok's GPU nodes (4 T4s; 8 A100s, spot), metrics-server."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

from tests.support.nodes_events import create_event, gpu_pod
from tests.support.pods import manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply, kubectl, wait_for
from tui.models.metrics.resources import pod_resources
from tui.models.pods.pending import pending_reason
from tui.services.events.events import EventChanged, EventsListed, EventsUpdate, EventWatcher, pod_events
from tui.services.kube.kube import KubeService
from tui.services.nodes.nodes import NodesService


def gpus_held_on(stack: StackEnv, node: str) -> int:
    """What kubectl says the pods on `node` that still hold resources ask for: the figure to agree with."""
    out = kubectl(stack, "get", "pods", "-A", "-o", "json", "--field-selector",
                  f"spec.nodeName={node},status.phase!=Succeeded,status.phase!=Failed")  # fmt: skip
    return sum(pod_resources(pod).gpus for pod in json.loads(out)["items"])


def test_node_sums_the_gpu_nodes_and_their_gpus_requested(stack: StackEnv, namespace: str) -> None:
    finished = gpu_pod("finished", 1, node="kwok-gpu-t4-0")
    finished["spec"]["restartPolicy"] = "Never"
    apply(stack, namespace, manifest(gpu_pod("two-gpus", 2, node="kwok-gpu-t4-0"), finished))
    wait_pod_phase(stack, namespace, "two-gpus", timeout=120)
    wait_pod_phase(stack, namespace, "finished", timeout=120)
    # A finished pod holds nothing: the scheduler gives its GPU to the next one, so the sum leaves it out.
    kubectl(stack, "patch", "pod", "finished", "-n", namespace, "--subresource=status", "--type=merge",
            "-p", '{"status": {"phase": "Succeeded"}}')  # fmt: skip
    service = NodesService(KubeService(stack.kubeconfig))
    rows = {}

    def agrees() -> bool:  # other tests may place GPU pods on the T4 meanwhile: compare with kubectl's count
        nonlocal rows
        before = gpus_held_on(stack, "kwok-gpu-t4-0")
        rows = {row.name: row for row in service.read().rows}
        return rows["kwok-gpu-t4-0"].requested.gpu == before == gpus_held_on(stack, "kwok-gpu-t4-0")

    wait_for(agrees, timeout=60, what="the T4's requested GPUs to agree with kubectl")
    t4, a100 = rows["kwok-gpu-t4-0"], rows["kwok-gpu-a100-0"]
    assert t4.requested.gpu >= 2 and (t4.capacity.gpu, t4.allocatable.gpu) == (4, 4)
    assert kubectl(stack, "get", "pod", "finished", "-n", namespace, "-o", "jsonpath={.status.phase}") == "Succeeded"
    assert t4.requested.pods >= 1 and t4.status == "Ready" and t4.roles == "<none>"
    assert (t4.accelerator, t4.spot, t4.taints) == ("nvidia-tesla-t4", False, ("nvidia.com/gpu:NoSchedule",))
    assert (a100.capacity.gpu, a100.accelerator, a100.spot) == (8, "nvidia-a100-80gb", True)
    assert "cloud.google.com/gke-spot:NoSchedule" in a100.taints
    assert rows["real-node-0"].capacity.gpu is None


def test_a_pod_asking_for_16_gpus_is_pending_for_insufficient_gpus(stack: StackEnv, namespace: str) -> None:
    apply(stack, namespace, manifest(gpu_pod("greedy", 16)))
    kube = KubeService(stack.kubeconfig)

    def pod() -> Any:
        response = kube.get(f"/api/v1/namespaces/{namespace}/pods/greedy")
        try:
            return json.loads(response.data)
        finally:
            response.release_conn()

    wait_for(lambda: pending_reason(pod()) is not None, timeout=60, what="the scheduler to give up on the pod")
    events = pod_events(kube, namespace, "greedy")
    assert [e.reason for e in events if e.reason == "FailedScheduling"], events
    assert all(e.object == "pod/greedy" for e in events)
    for reason in (pending_reason(pod(), events), pending_reason(pod())):  # from the event; from the condition
        assert reason is not None
        assert reason.short.startswith("Pending: Insufficient nvidia.com/gpu (0/"), reason
        assert "Insufficient nvidia.com/gpu" in reason.detail


def test_the_event_watch_lists_then_follows(stack: StackEnv, namespace: str) -> None:
    watcher = EventWatcher(KubeService(stack.kubeconfig), namespace)
    updates: queue.Queue[EventsUpdate] = queue.Queue()
    thread = threading.Thread(target=lambda: [updates.put(u) for u in watcher.updates()], daemon=True)
    thread.start()
    try:
        assert isinstance(updates.get(timeout=30), EventsListed)
        create_event(stack, namespace, "exp.watched", "exp", "Watched", "seen \x1b[2J live", kind="Warning")
        update = updates.get(timeout=30)
        assert isinstance(update, EventChanged) and update.row is not None
        assert (update.row.reason, update.row.message, update.row.warning) == ("Watched", "seen ␛[2J live", True)
        kubectl(stack, "delete", "event", "exp.watched", "-n", namespace)
        assert updates.get(timeout=30) == EventChanged(f"{namespace}/exp.watched", None)
    finally:
        watcher.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
