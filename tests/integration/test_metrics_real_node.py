"""A pod on the real node (a kubelet with containerd) has real usage in metrics.k8s.io, scraped by metrics-server
from the kubelet's /metrics/resource (run under /tmp/real-node.lock)."""

from __future__ import annotations

from tests.support.pods import manifest, real_node_pod, wait_pod_phase
from tests.support.stack import StackEnv, apply, wait_for
from tui.models.metrics.figures import pod_figures
from tui.models.metrics.usage import MetricsReading
from tui.services.kube.kube import KubeService
from tui.services.metrics.metrics import MetricsService

MI = 2**20
# Holds 64 MiB for real, so its working set cannot be less.
HOLD_MEMORY = "import time; block = bytearray(64 << 20); block[::4096] = b'x' * len(block[::4096]); time.sleep(600)"


def test_a_real_node_pods_usage_is_its_containers_own(stack: StackEnv, namespace: str) -> None:
    pod = real_node_pod("holder", stack.python_image, ["python3", "-c", HOLD_MEMORY], grace_s=0)
    pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "50m", "memory": "32Mi"}}
    apply(stack, namespace, manifest(pod))
    wait_pod_phase(stack, namespace, "holder", timeout=120)
    service = MetricsService(KubeService(kubeconfig=stack.kubeconfig))
    reading = MetricsReading()

    def scraped() -> bool:
        nonlocal reading
        reading = service.pod_usage(namespace)
        assert reading.available, reading.unavailable
        return f"{namespace}/holder" in reading.usage

    wait_for(scraped, timeout=90, what="metrics-server to report the real node's pod")
    usage = reading.usage[f"{namespace}/holder"]
    assert usage.memory is not None and 64 * MI <= usage.memory < 512 * MI
    assert usage.cpu_m is not None and usage.cpu_m >= 0
    [resources] = service.pod_resources(namespace)
    figures = pod_figures(resources, reading.usage)
    assert figures.node == "real-node-0"
    assert figures.memory_of_request is not None and figures.memory_of_request >= 200  # 64Mi and more of 32Mi
    assert service.node_usage().usage["real-node-0"].memory
