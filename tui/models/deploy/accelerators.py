"""The GPU types a cluster's nodes offer, for the template's GPU field. GKE labels each GPU node with its type
(`cloud.google.com/gke-accelerator`) and each spot node with `cloud.google.com/gke-spot=true`. Pure logic: the
nodes' JSON in (as the API server sends it, hostile), the types out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui.models.metrics.resources import node_resources

# A label value as the API server allows it; anything else on a node is not offered as a type to select.
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")


def is_label_value(text: str) -> bool:
    return len(text) <= 63 and bool(_LABEL_VALUE.fullmatch(text))


@dataclass(frozen=True)
class Accelerator:
    """One GPU type: how many GPUs its nodes have each (fewest, most), on how many nodes, how many of them spot."""

    type: str
    fewest: int
    most: int
    nodes: int
    spot_nodes: int

    @property
    def per_node(self) -> str:
        if self.most == 0:
            return "no GPUs reported yet"  # a new GKE node reports its GPUs once its driver is installed
        count = f"{self.most}" if self.fewest == self.most else f"{self.fewest}-{self.most}"
        return f"{count} GPU{'s' if self.most != 1 else ''} per node"

    @property
    def spot(self) -> str:
        """ "" (no spot node), "spot" (all of them), "1 spot" (some)."""
        if not self.spot_nodes:
            return ""
        return "spot" if self.spot_nodes == self.nodes else f"{self.spot_nodes} spot"

    @property
    def label(self) -> str:
        """`nvidia-a100-80gb · 8 GPUs per node · 1 node, spot`."""
        nodes = f"{self.nodes} node{'s' if self.nodes != 1 else ''}"
        return f"{self.type} · {self.per_node} · {nodes}{', ' + self.spot if self.spot else ''}"


@dataclass(frozen=True)
class ClusterGpus:
    types: tuple[Accelerator, ...]  # by type name
    untyped_nodes: int = 0  # nodes with GPUs and no (usable) accelerator label

    def find(self, gpu_type: str) -> Accelerator | None:
        return next((a for a in self.types if a.type == gpu_type), None)

    @property
    def summary(self) -> str:
        """What the cluster has, in words, for the line under the list."""
        untyped = self.untyped_nodes
        others = f"{untyped} node{'s' if untyped != 1 else ''} with GPUs and no type label" if untyped else ""
        if not self.types:
            head = "no GPU nodes with a type label in this cluster"
            if others:
                head += f" ({others}: leave the type empty)"
            return head + "; a type typed here is for node pools the autoscaler creates"
        count = len(self.types)
        head = f"{count} GPU type{'s' if count != 1 else ''} in this cluster"
        return head + (f"; {others}" if others else "")

    def hint(self, gpu_type: str, gpus: int, spot: bool) -> str:
        """What the form's GPU choice will meet in this cluster: the type's nodes, and why the pod would wait."""
        if not gpu_type:
            return self.summary
        found = self.find(gpu_type)
        if found is None:
            return f"{gpu_type}: no node of this type now (the pod waits for a node pool the autoscaler creates)"
        problems = []
        if gpus > found.most:
            problems.append(f"{gpus} GPUs do not fit on one node")
        if found.spot_nodes == found.nodes and not spot:
            problems.append("its nodes are all spot: tick spot nodes only")
        elif spot and not found.spot_nodes:
            problems.append("none of its nodes is spot")
        return found.label + "".join(f"; {problem}" for problem in problems)


def cluster_gpus(nodes: Iterable[Mapping[str, Any]]) -> ClusterGpus:
    """The GPU types of the nodes (their JSON), each with its GPUs per node and spot nodes."""
    found: dict[str, list[tuple[int, bool]]] = {}
    untyped = 0
    for node in nodes:
        resources = node_resources(node)
        allocatable, capacity = resources.allocatable.gpu, resources.capacity.gpu
        gpus = (allocatable if allocatable is not None else capacity) or 0
        if resources.accelerator and is_label_value(resources.accelerator):
            found.setdefault(resources.accelerator, []).append((gpus, resources.spot))
        elif gpus > 0:
            untyped += 1
    types = tuple(
        Accelerator(
            name,
            min(g for g, _ in nodes_of),
            max(g for g, _ in nodes_of),
            len(nodes_of),
            sum(1 for _, spot in nodes_of if spot),
        )
        for name, nodes_of in sorted(found.items())
    )
    return ClusterGpus(types, untyped)
