"""The template's GPUs on GKE: the types the nodes offer (from their labels), and the pod placed on them: the GPU
limit, the accelerator's nodeSelector and the tolerations of GKE's GPU and spot taints (pure logic, no cluster)."""

from __future__ import annotations

from typing import Any

import pytest

from tui.models.deploy.accelerators import Accelerator, cluster_gpus
from tui.models.deploy.pod_template import TemplateError, template_from_form

GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
SPOT_TOLERATION = {"key": "cloud.google.com/gke-spot", "operator": "Equal", "value": "true", "effect": "NoSchedule"}


def node(name: str, gpus: object = None, accelerator: str = "", spot: bool = False, allocatable: bool = True) -> Any:
    labels = {"kubernetes.io/hostname": name}
    if accelerator:
        labels["cloud.google.com/gke-accelerator"] = accelerator
    if spot:
        labels["cloud.google.com/gke-spot"] = "true"
    resources = {"cpu": "8"} | ({"nvidia.com/gpu": gpus} if gpus is not None else {})
    status = {"capacity": resources} | ({"allocatable": resources} if allocatable else {})
    return {"metadata": {"name": name, "labels": labels}, "status": status}


def pod_spec(**values: str) -> dict[str, Any]:
    spec: dict[str, Any] = template_from_form({"name": "exp", "image": "busybox", **values}).manifests()[-1]["spec"]
    return spec


def test_the_types_come_from_the_accelerator_label_with_gpus_per_node_and_spot() -> None:
    gpus = cluster_gpus(
        [
            node("t4-a", "4", "nvidia-tesla-t4"),
            node("t4-b", 2, "nvidia-tesla-t4", spot=True),
            node("a100", "8", "nvidia-a100-80gb", spot=True),
            node("cpu"),
            node("plain-gpu", "8"),  # GPUs without GKE's label: not a type to pick
            node("new-l4", None, "nvidia-l4", allocatable=False),  # its driver not installed yet
        ]
    )
    assert gpus.types == (
        Accelerator("nvidia-a100-80gb", 8, 8, 1, 1),
        Accelerator("nvidia-l4", 0, 0, 1, 0),
        Accelerator("nvidia-tesla-t4", 2, 4, 2, 1),
    )
    assert [a.label for a in gpus.types] == [
        "nvidia-a100-80gb · 8 GPUs per node · 1 node, spot",
        "nvidia-l4 · no GPUs reported yet · 1 node",
        "nvidia-tesla-t4 · 2-4 GPUs per node · 2 nodes, 1 spot",
    ]
    assert gpus.untyped_nodes == 1
    assert gpus.summary == "3 GPU types in this cluster; 1 node with GPUs and no type label"


def test_hostile_node_json_gives_no_type_it_could_not_select() -> None:
    gpus = cluster_gpus(
        [
            node("bad-label", "4", "[red]x y[/]"),
            node("bad-count", "lots", "nvidia-tesla-t4"),
            {"metadata": "not a mapping", "status": []},
        ]
    )
    assert gpus.types == (Accelerator("nvidia-tesla-t4", 0, 0, 1, 0),)
    assert gpus.untyped_nodes == 1  # the one whose label is no label value still has GPUs


def test_a_cluster_without_gpu_nodes_says_so_and_a_typed_type_is_for_the_autoscaler() -> None:
    gpus = cluster_gpus([node("cpu-0"), node("cpu-1")])
    assert gpus.types == ()
    assert gpus.summary == (
        "no GPU nodes with a type label in this cluster; a type typed here is for node pools the autoscaler creates"
    )
    assert gpus.hint("nvidia-l4", 1, False) == (
        "nvidia-l4: no node of this type now (the pod waits for a node pool the autoscaler creates)"
    )
    spec = pod_spec(gpu_type="nvidia-l4", gpu="1")  # a count and a typed type still make the pod
    assert spec["nodeSelector"] == {"cloud.google.com/gke-accelerator": "nvidia-l4"}


def test_the_hint_says_why_a_choice_would_wait() -> None:
    gpus = cluster_gpus([node("a100", "8", "nvidia-a100-80gb", spot=True), node("t4", "4", "nvidia-tesla-t4")])
    assert gpus.hint("", 0, False) == "2 GPU types in this cluster"
    assert gpus.hint("nvidia-a100-80gb", 2, True) == "nvidia-a100-80gb · 8 GPUs per node · 1 node, spot"
    assert gpus.hint("nvidia-a100-80gb", 2, False).endswith("; its nodes are all spot: tick spot nodes only")
    assert gpus.hint("nvidia-tesla-t4", 6, True) == (
        "nvidia-tesla-t4 · 4 GPUs per node · 1 node; 6 GPUs do not fit on one node; none of its nodes is spot"
    )


def test_a_gpu_type_and_spot_select_the_nodes_tolerate_their_taints_and_limit_the_gpus() -> None:
    spec = pod_spec(gpu_type="nvidia-a100-80gb", gpu="2", spot="yes", node_selector="team=nlp")
    assert spec["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": 2}}
    assert spec["nodeSelector"] == {
        "team": "nlp",
        "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
        "cloud.google.com/gke-spot": "true",
    }
    assert spec["tolerations"] == [GPU_TOLERATION, SPOT_TOLERATION]


def test_a_type_without_spot_tolerates_the_gpu_taint_only_and_typed_tolerations_are_kept_once() -> None:
    spec = pod_spec(gpu_type="nvidia-tesla-t4", gpu="1", tolerations="nvidia.com/gpu:NoSchedule,dedicated=ml")
    assert spec["nodeSelector"] == {"cloud.google.com/gke-accelerator": "nvidia-tesla-t4"}
    assert spec["tolerations"] == [GPU_TOLERATION, {"key": "dedicated", "operator": "Equal", "value": "ml"}]


def test_spot_alone_places_a_cpu_pod_on_spot_nodes() -> None:
    spec = pod_spec(spot="yes")
    assert spec["nodeSelector"] == {"cloud.google.com/gke-spot": "true"}
    assert spec["tolerations"] == [SPOT_TOLERATION]
    assert "resources" not in spec["containers"][0]


def test_gpus_without_a_type_ask_for_no_node() -> None:
    spec = pod_spec(gpu="1")
    assert spec["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": 1}}
    assert "nodeSelector" not in spec and "tolerations" not in spec


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"gpu_type": "nvidia-a100-80gb"}, "gpu", "how many GPUs of nvidia-a100-80gb"),
        ({"gpu_type": "nvidia a100", "gpu": "1"}, "gpu_type", "is not a GPU type"),
        (
            {"gpu_type": "nvidia-a100-80gb", "gpu": "1", "node_selector": "cloud.google.com/gke-accelerator=nvidia-l4"},
            "node_selector",
            "contradicts the GPU type nvidia-a100-80gb",
        ),
        ({"spot": "yes", "node_selector": "cloud.google.com/gke-spot=false"}, "node_selector", "contradicts the spot"),
    ],
)
def test_a_gpu_choice_that_cannot_be_used_is_named(values: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message) as caught:
        template_from_form({"name": "exp", "image": "busybox", **values})
    assert caught.value.field == field
