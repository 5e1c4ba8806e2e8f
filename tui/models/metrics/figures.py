"""Per-pod and per-node figures as the columns show them: usage beside requests, limits and allocatable."""

from __future__ import annotations

from dataclasses import dataclass

from tui.models.metrics.resources import Amounts, NodeResources, PodResources
from tui.models.metrics.usage import Usage


def percent(used: int | None, of: int | None) -> int | None:
    """k9s's %CPU/R and friends: whole percent, None when either side is unknown or there is nothing to divide by."""
    if used is None or not of:
        return None
    return round(100 * used / of)


@dataclass(frozen=True)
class PodFigures:
    key: str  # namespace/name
    node: str
    usage: Usage | None  # None: no metrics for this pod (API down, or not scraped yet)
    requests: Amounts
    limits: Amounts
    gpus: int

    @property
    def cpu_of_request(self) -> int | None:
        return percent(self.usage.cpu_m if self.usage else None, self.requests.cpu_m)

    @property
    def cpu_of_limit(self) -> int | None:
        return percent(self.usage.cpu_m if self.usage else None, self.limits.cpu_m)

    @property
    def memory_of_request(self) -> int | None:
        return percent(self.usage.memory if self.usage else None, self.requests.memory)

    @property
    def memory_of_limit(self) -> int | None:
        return percent(self.usage.memory if self.usage else None, self.limits.memory)


def pod_figures(pod: PodResources, usage: dict[str, Usage]) -> PodFigures:
    key = f"{pod.namespace}/{pod.name}"
    return PodFigures(key, pod.node, usage.get(key), pod.requests, pod.limits, pod.gpus)


@dataclass(frozen=True)
class NodeFigures:
    node: NodeResources
    usage: Usage | None
    requested: Amounts  # summed over the node's pods that still hold resources (not Succeeded or Failed)

    @property
    def gpus_free(self) -> int:
        return max(0, (self.node.allocatable.gpu or 0) - (self.requested.gpu or 0))

    @property
    def cpu_of_allocatable(self) -> int | None:
        return percent(self.usage.cpu_m if self.usage else None, self.node.allocatable.cpu_m)

    @property
    def memory_of_allocatable(self) -> int | None:
        return percent(self.usage.memory if self.usage else None, self.node.allocatable.memory)


def node_figures(nodes: list[NodeResources], pods: list[PodResources], usage: dict[str, Usage]) -> list[NodeFigures]:
    """Each node with what its pods request (pass only pods that hold resources: scheduled and not finished)."""
    sums: dict[str, list[int]] = {}
    for pod in pods:
        if pod.node:
            total = sums.setdefault(pod.node, [0, 0, 0])
            total[0] += pod.requests.cpu_m or 0
            total[1] += pod.requests.memory or 0
            total[2] += pod.gpus
    return [NodeFigures(node, usage.get(node.name), Amounts(*sums.get(node.name, [0, 0, 0]))) for node in nodes]
