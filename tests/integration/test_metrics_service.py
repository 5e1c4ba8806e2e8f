"""The metrics service against the real stack: metrics-server behind the API server's aggregation layer, kwok's
resource usage for fake pods and nodes, GPU-shaped kwok nodes; and a real API server without metrics-server."""

from __future__ import annotations

from pathlib import Path

from tests.support.metrics import apiserver_without_metrics, free_port
from tests.support.pods import manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply, kubeconfig_with_server, kubectl, wait_for
from tui.models.metrics.figures import node_figures, pod_figures
from tui.models.metrics.usage import NOT_INSTALLED, MetricsReading
from tui.services.kube.kube import KubeService
from tui.services.metrics.metrics import MetricsService

MI = 2**20
SCRAPES_S = 120  # metrics-server scrapes every 15 s and needs two scrapes for a CPU rate


def metrics(stack: StackEnv, kubeconfig: str | None = None) -> MetricsService:
    return MetricsService(KubeService(kubeconfig=kubeconfig or stack.kubeconfig))


def test_a_kwok_pods_usage_is_what_its_resource_usage_says(stack: StackEnv, namespace: str) -> None:
    # The stack's ClusterResourceUsage gives an annotated pod exactly the annotated figures, per container.
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "busy",
            "annotations": {"kwok.x-k8s.io/usage-cpu": "250m", "kwok.x-k8s.io/usage-memory": "300Mi"},
        },
        "spec": {
            # On a GPU node (it has few pods): kwok's scrape of a node with thousands takes seconds, which blurs the
            # CPU rate metrics-server computes between two scrapes.
            "nodeSelector": {"kubernetes.io/hostname": "kwok-gpu-t4-0"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [
                {
                    "name": "main",
                    "image": "busybox",
                    "resources": {"requests": {"cpu": "500m", "memory": "500Mi"}, "limits": {"memory": "1000Mi"}},
                }
            ],
        },
    }
    apply(stack, namespace, manifest(pod))
    wait_pod_phase(stack, namespace, "busy", timeout=120)
    service = metrics(stack)
    reading = MetricsReading()

    def scraped() -> bool:
        nonlocal reading
        reading = service.pod_usage(namespace)
        assert reading.available, reading.unavailable
        return f"{namespace}/busy" in reading.usage

    wait_for(scraped, timeout=SCRAPES_S, what="metrics-server to report the pod")
    usage = reading.usage[f"{namespace}/busy"]
    assert usage.memory == 300 * MI
    assert usage.cpu_m is not None and abs(usage.cpu_m - 250) <= 25  # a rate over two scrapes' clocks
    [resources] = [p for p in service.pod_resources(namespace) if p.name == "busy"]
    figures = pod_figures(resources, reading.usage)
    assert figures.memory_of_request == 60 and figures.memory_of_limit == 30  # 300Mi of 500Mi, of 1000Mi
    assert figures.cpu_of_request is not None and 45 <= figures.cpu_of_request <= 55
    assert figures.cpu_of_limit is None and figures.gpus == 0  # no CPU limit: no %CPU/L


def test_gpu_nodes_say_their_gpus_accelerator_spot_and_usage(stack: StackEnv, namespace: str) -> None:
    gpu_pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "trainer"},
        "spec": {
            "nodeSelector": {"cloud.google.com/gke-accelerator": "nvidia-tesla-t4"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [{"name": "main", "image": "busybox", "resources": {"limits": {"nvidia.com/gpu": 2}}}],
        },
    }
    apply(stack, namespace, manifest(gpu_pod))
    wait_pod_phase(stack, namespace, "trainer", timeout=120)
    service = metrics(stack)
    nodes = {node.name: node for node in service.node_resources()}
    t4, a100 = nodes["kwok-gpu-t4-0"], nodes["kwok-gpu-a100-0"]
    assert (t4.allocatable.gpu, t4.capacity.gpu, t4.accelerator, t4.spot) == (4, 4, "nvidia-tesla-t4", False)
    assert t4.taints == ("nvidia.com/gpu=present:NoSchedule",)
    assert (a100.allocatable.gpu, a100.accelerator, a100.spot) == (8, "nvidia-a100-80gb", True)
    assert "cloud.google.com/gke-spot=true:NoSchedule" in a100.taints
    assert nodes["real-node-0"].allocatable.gpu is None  # no GPUs, as a node without the device plugin says
    # What the node's pods hold (every namespace: other pods may hold some of the T4s too).
    pods = service.pod_resources("*", node="kwok-gpu-t4-0")
    [mine] = [p for p in pods if p.namespace == namespace]
    assert (mine.node, mine.gpus) == ("kwok-gpu-t4-0", 2)
    wait_for(lambda: "kwok-gpu-t4-0" in service.node_usage().usage, timeout=SCRAPES_S, what="the T4 node's usage")
    node_usage = service.node_usage()
    [t4_figures] = node_figures([t4], pods, node_usage.usage)
    assert t4_figures.requested.gpu is not None and t4_figures.requested.gpu >= 2
    assert t4_figures.gpus_free == 4 - t4_figures.requested.gpu
    assert t4_figures.usage is not None and t4_figures.usage.memory is not None
    assert t4_figures.usage.memory >= 512 * MI  # the node's own share, with or without pods


def test_without_metrics_server_the_reading_says_so_in_words(stack: StackEnv, tmp_path: Path) -> None:
    # A real API server without the metrics.k8s.io APIService: what `kubectl top` meets on a bare cluster.
    with apiserver_without_metrics(stack, tmp_path) as kubeconfig:
        service = metrics(stack, kubeconfig)
        for reading in (service.pod_usage("default"), service.pod_usage("*"), service.node_usage()):
            assert reading == MetricsReading(unavailable=NOT_INSTALLED)
        assert NOT_INSTALLED == "metrics: not available — metrics-server is not installed (kubectl top would fail too)"
        # Registered but not answering (metrics-server down): the aggregator's 503, in words.
        dead_port = free_port()
        kubectl_args = ["--kubeconfig", kubeconfig]
        apply_on = f"""
apiVersion: v1
kind: Service
metadata: {{name: metrics-server, namespace: kube-system}}
spec: {{type: ExternalName, externalName: localhost, ports: [{{port: {dead_port}}}]}}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {{name: v1beta1.metrics.k8s.io}}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service: {{name: metrics-server, namespace: kube-system, port: {dead_port}}}
"""
        kubectl(stack, *kubectl_args, "apply", "-f", "-", input=apply_on)
        wait_for(
            lambda: service.node_usage().unavailable != NOT_INSTALLED, timeout=30, what="the APIService to be served"
        )
        reading = service.node_usage()
        assert reading.unavailable == (
            "metrics: not available — metrics-server is installed but does not answer (service unavailable)"
        )
        assert service.pod_usage("default").unavailable == reading.unavailable


def test_an_api_server_that_cannot_be_reached_is_a_state_too(stack: StackEnv, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    service = metrics(stack, kubeconfig_with_server(stack, tmp_path, f"https://127.0.0.1:{port}"))
    assert service.pod_usage("default").unavailable == (
        f"metrics: not available — cannot reach https://127.0.0.1:{port}: connection refused"
    )
