"""What metrics.k8s.io says a pod or node uses (PodMetrics, NodeMetrics), and that API's absence, in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.models.metrics.quantity import millicores, whole

NOT_INSTALLED = "metrics: not available — metrics-server is not installed (kubectl top would fail too)"


@dataclass(frozen=True)
class Usage:
    cpu_m: int | None  # millicores over the scrape window; None when the server sent no readable figure
    memory: int | None  # working set, bytes


@dataclass(frozen=True)
class MetricsReading:
    """One read of the metrics API: usage by pod key (`namespace/name`) or node name, or why there is none."""

    usage: dict[str, Usage] = field(default_factory=dict)
    unavailable: str = ""  # the state in words when the API gave nothing ("" when it answered)

    @property
    def available(self) -> bool:
        return not self.unavailable


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _usage(resources: object) -> Usage:
    given = _mapping(resources)
    return Usage(millicores(given.get("cpu")), whole(given.get("memory")))


def pod_usage(item: Mapping[str, Any]) -> tuple[str, Usage]:
    """A PodMetrics item: its key and the sum over its containers (None when any container's figure is unreadable)."""
    metadata = _mapping(item.get("metadata"))
    key = f"{metadata.get('namespace') or ''}/{metadata.get('name') or ''}"
    containers = [_usage(_mapping(c).get("usage")) for c in item.get("containers") or [] if isinstance(c, Mapping)]
    cpu = [c.cpu_m for c in containers]
    memory = [c.memory for c in containers]
    return key, Usage(
        None if None in cpu or not cpu else sum(c for c in cpu if c is not None),
        None if None in memory or not memory else sum(m for m in memory if m is not None),
    )


def node_usage(item: Mapping[str, Any]) -> tuple[str, Usage]:
    """A NodeMetrics item: the node's name and its usage."""
    return str(_mapping(item.get("metadata")).get("name") or ""), _usage(item.get("usage"))


def read_items(body: object, kind: str) -> MetricsReading:
    """A PodMetricsList or NodeMetricsList (`kind` "pods" or "nodes") read into a MetricsReading."""
    items = _mapping(body).get("items")
    if not isinstance(items, list):
        return MetricsReading(unavailable="metrics: the metrics API sent a list without items (see the diagnostic log)")
    if kind == "nodes":
        return MetricsReading(dict(node_usage(item) for item in items if isinstance(item, Mapping)))
    # A pod listed without containers has no figures yet (metrics-server lists it before its first complete scrape).
    return MetricsReading(
        dict(pod_usage(item) for item in items if isinstance(item, Mapping) and item.get("containers"))
    )
