"""A node as one row of the Nodes view: kubectl's STATUS and ROLES, what it has (capacity), what pods may use
(allocatable), what its pods ask for (requested), what it uses (metrics-server), its GPU type, spot and taints.

The node is its JSON as the API server sends it (hostile text); resources are read by tui.models.metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui.models.logs.safe_text import safe_text
from tui.models.metrics.figures import percent
from tui.models.metrics.resources import Amounts, node_resources
from tui.models.metrics.text import NOT_KNOWN, memory_text, percent_text
from tui.models.metrics.usage import Usage

ROLE_PREFIX = "node-role.kubernetes.io/"
ROLE_LABEL = "kubernetes.io/role"


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class Requested:
    """Summed over a node's pods that hold resources (scheduled, neither Succeeded nor Failed)."""

    cpu_m: int = 0
    memory: int = 0
    gpu: int = 0
    pods: int = 0


@dataclass(frozen=True)
class NodeRow:
    name: str
    status: str  # Ready, NotReady, Unknown; ",SchedulingDisabled" when cordoned
    roles: str  # control-plane,worker … or <none>
    capacity: Amounts
    allocatable: Amounts
    requested: Requested
    usage: Usage | None  # None: no metrics for it (the API is missing, or the node not scraped yet)
    accelerator: str  # GKE's accelerator label, "" for none
    spot: bool
    taints: tuple[str, ...]  # key:Effect, the value left out (the key says what it is about)

    @property
    def cpu_of_allocatable(self) -> int | None:
        return percent(self.usage.cpu_m if self.usage else None, self.allocatable.cpu_m)

    @property
    def memory_of_allocatable(self) -> int | None:
        return percent(self.usage.memory if self.usage else None, self.allocatable.memory)


def node_status(node: Mapping[str, Any]) -> str:
    """kubectl's STATUS: the Ready condition (Ready, NotReady, Unknown when never reported), and SchedulingDisabled
    for a cordoned node."""
    conditions = _mapping(node.get("status")).get("conditions")
    ready = "Unknown"
    for condition in conditions if isinstance(conditions, list) else []:
        condition = _mapping(condition)
        if condition.get("type") == "Ready":
            ready = "Ready" if condition.get("status") == "True" else "NotReady"
    if _mapping(node.get("spec")).get("unschedulable") is True:
        return f"{ready},SchedulingDisabled"
    return ready


def node_roles(labels: Mapping[str, Any]) -> str:
    """kubectl's ROLES: from node-role.kubernetes.io/<role> labels and kubernetes.io/role."""
    roles = {key.removeprefix(ROLE_PREFIX) for key in labels if isinstance(key, str) and key.startswith(ROLE_PREFIX)}
    if isinstance(labels.get(ROLE_LABEL), str) and labels[ROLE_LABEL]:
        roles.add(labels[ROLE_LABEL])
    roles.discard("")
    return safe_text(",".join(sorted(roles)), colours=False) if roles else "<none>"


def _taint(taint: Mapping[str, Any]) -> str:
    return safe_text(f"{taint.get('key') or ''}:{taint.get('effect') or ''}", colours=False)


def node_row(node: Mapping[str, Any], requested: Requested | None, usage: Usage | None) -> NodeRow:
    resources = node_resources(node)
    taints = _mapping(node.get("spec")).get("taints")
    return NodeRow(
        name=safe_text(resources.name, colours=False),
        status=node_status(node),
        roles=node_roles(_mapping(_mapping(node.get("metadata")).get("labels"))),
        capacity=resources.capacity,
        allocatable=resources.allocatable,
        requested=requested or Requested(),
        usage=usage,
        accelerator=safe_text(resources.accelerator[:63], colours=False),
        spot=resources.spot,
        taints=tuple(_taint(_mapping(t)) for t in (taints if isinstance(taints, list) else [])),
    )


# ---------------------------------------------------------------- as the cells print it


def cores_text(millicores: int | None) -> str:
    """CPU as `kubectl describe node` prints it: whole cores as a number (16), else millicores (1500m)."""
    if millicores is None:
        return NOT_KNOWN
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"


def count_text(count: int | None) -> str:
    return "-" if count is None else str(count)


def taints_text(taints: tuple[str, ...]) -> str:
    return ", ".join(taints) if taints else "-"


COLUMNS = (
    "NAME", "STATUS", "ROLES", "PODS",
    "CPU/R", "CPU/A", "CPU/C", "CPU", "%CPU",
    "MEM/R", "MEM/A", "MEM/C", "MEM", "%MEM",
    "GPU/R", "GPU/A", "GPU/C", "GPU TYPE", "SPOT", "TAINTS",
)  # fmt: skip
# R: requested by the node's pods, A: allocatable, C: capacity; CPU and MEM alone: usage (metrics-server).


def node_cells(row: NodeRow) -> tuple[str, ...]:
    """One row as the cells print it, in COLUMNS' order. GPU columns stay quiet ("-") on a node without GPUs."""
    has_gpus = bool(row.capacity.gpu or row.allocatable.gpu or row.requested.gpu)
    usage = row.usage or Usage(None, None)
    return (
        row.name, row.status, row.roles, str(row.requested.pods),
        cores_text(row.requested.cpu_m), cores_text(row.allocatable.cpu_m), cores_text(row.capacity.cpu_m),
        cores_text(usage.cpu_m), percent_text(row.cpu_of_allocatable),
        memory_text(row.requested.memory), memory_text(row.allocatable.memory), memory_text(row.capacity.memory),
        memory_text(usage.memory), percent_text(row.memory_of_allocatable),
        str(row.requested.gpu) if has_gpus else "-",
        count_text(row.allocatable.gpu) if has_gpus else "-",
        count_text(row.capacity.gpu) if has_gpus else "-",
        row.accelerator or "-", "yes" if row.spot else "no", taints_text(row.taints),
    )  # fmt: skip
