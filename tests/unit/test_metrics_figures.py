"""Per-pod and per-node figures: requests and limits summed as the scheduler does, usage against them."""

from __future__ import annotations

from typing import Any

from tui.models.metrics.figures import node_figures, percent, pod_figures
from tui.models.metrics.resources import Amounts, node_resources, pod_resources
from tui.models.metrics.usage import MetricsReading, Usage, node_usage, pod_usage, read_items


def pod(containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    return {"metadata": {"namespace": "ns", "name": "p"}, "spec": {"nodeName": "n1", "containers": containers, **spec}}


def test_requests_and_limits_are_summed_over_containers() -> None:
    got = pod_resources(
        pod(
            [
                {"resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}}},
                {"resources": {"requests": {"cpu": "750m", "memory": "1Gi"}, "limits": {"cpu": 1, "memory": "2Gi"}}},
            ]
        )
    )
    assert got.requests == Amounts(1000, 2 * 2**30, None)
    assert got.limits == Amounts(2000, 4 * 2**30, None)
    assert (got.namespace, got.name, got.node) == ("ns", "p", "n1")


def test_one_container_without_a_limit_leaves_the_pod_unlimited() -> None:
    got = pod_resources(pod([{"resources": {"limits": {"cpu": "1"}}}, {"resources": {}}]))
    assert got.limits.cpu_m is None
    assert got.requests.cpu_m == 1000  # the unset request of the first defaults to its limit


def test_an_init_container_counts_when_it_asks_for_more_than_the_containers_together() -> None:
    init = [{"resources": {"requests": {"cpu": "4", "memory": "64Mi"}}}]
    got = pod_resources(
        pod([{"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}], initContainers=init, overhead={"cpu": "100m"})
    )
    assert got.requests.cpu_m == 4100 and got.requests.memory == 2**30


def test_gpus_are_read_from_limits_alone_as_well() -> None:
    assert pod_resources(pod([{"resources": {"limits": {"nvidia.com/gpu": 2}}}])).gpus == 2
    assert pod_resources(pod([{"resources": {"requests": {"nvidia.com/gpu": "1"}}}])).gpus == 1
    assert pod_resources(pod([{"resources": {}}])).gpus == 0


def test_hostile_pod_json_gives_unknown_figures_not_an_exception() -> None:
    for bad in ({}, {"spec": "x"}, {"spec": {"containers": "x"}}, {"spec": {"containers": [1, {"resources": 7}]}}):
        got = pod_resources(bad)
        assert got.requests == Amounts() and got.limits == Amounts() and got.gpus == 0
    got = pod_resources(pod([{"resources": {"requests": {"cpu": "lots", "memory": "1Gi"}}}]))
    assert got.requests == Amounts(None, 2**30, None)
    got = pod_resources(pod([{"resources": {"requests": {"cpu": ["1"], "memory": {"a": 1}, "nvidia.com/gpu": "1"}}}]))
    assert got.requests == Amounts(None, None, 1)


def test_usage_against_request_and_limit_in_percent() -> None:
    resources = pod_resources(
        pod([{"resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "4Gi"}}}])
    )
    figures = pod_figures(resources, {"ns/p": Usage(cpu_m=600, memory=2**30)})
    assert (figures.cpu_of_request, figures.cpu_of_limit) == (120, 60)
    assert (figures.memory_of_request, figures.memory_of_limit) == (100, 25)
    no_metrics = pod_figures(resources, {})
    assert no_metrics.usage is None and no_metrics.cpu_of_request is None
    assert percent(5, 0) is None and percent(None, 5) is None


def test_a_metrics_list_is_read_by_pod_key_and_node_name() -> None:
    body = {
        "items": [
            {
                "metadata": {"namespace": "ns", "name": "p"},
                "containers": [
                    {"name": "a", "usage": {"cpu": "250123456n", "memory": "100Mi"}},
                    {"name": "b", "usage": {"cpu": "1m", "memory": "1Ki"}},
                ],
            },
            "junk",
        ]
    }
    assert read_items(body, "pods") == MetricsReading({"ns/p": Usage(252, 100 * 2**20 + 1024)})
    assert pod_usage({"metadata": {"name": "q"}, "containers": [{"usage": {"cpu": "x"}}]}) == ("/q", Usage(None, None))
    assert node_usage({"metadata": {"name": "n1"}, "usage": {"cpu": "2", "memory": "1Gi"}}) == (
        "n1",
        Usage(2000, 2**30),
    )
    assert not read_items({"kind": "Status"}, "nodes").available
    not_yet = {"items": [{"metadata": {"namespace": "ns", "name": "new"}, "containers": []}]}
    assert read_items(not_yet, "pods") == MetricsReading({})


def test_a_gpu_node_says_its_accelerator_spot_taints_and_free_gpus() -> None:
    node = node_resources(
        {
            "metadata": {
                "name": "gpu",
                "labels": {"cloud.google.com/gke-accelerator": "nvidia-a100-80gb", "cloud.google.com/gke-spot": "true"},
            },
            "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]},
            "status": {"allocatable": {"cpu": "96", "memory": "1360Gi", "nvidia.com/gpu": "8"}},
        }
    )
    assert (node.accelerator, node.spot, node.taints) == (
        "nvidia-a100-80gb",
        True,
        ("nvidia.com/gpu=present:NoSchedule",),
    )
    holders = [
        pod_resources(
            {
                **pod([{"resources": {"limits": {"nvidia.com/gpu": 3}, "requests": {"cpu": "2"}}}]),
                "spec": {
                    "nodeName": "gpu",
                    "containers": [{"resources": {"limits": {"nvidia.com/gpu": 3}, "requests": {"cpu": "2"}}}],
                },
            }
        )
    ]
    [figures] = node_figures([node], holders, {"gpu": Usage(48_000, 2**30)})
    assert figures.gpus_free == 5 and figures.requested == Amounts(2000, 0, 3)
    assert figures.cpu_of_allocatable == 50
