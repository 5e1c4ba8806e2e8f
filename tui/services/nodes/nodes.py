"""The Nodes view's reading: every node, what the pods on each request, and each node's usage. Three calls
whatever the cluster's size: the node list, one pod list for all namespaces (paged, only pods that hold
resources: neither Succeeded nor Failed), and metrics.k8s.io's node list.

The pod list is the expensive one (10,000 pods are some 40 MB of JSON): its pages are downloaded on a thread of
their own while the one before is read (PageFetch), and read lazily with simdjson, only the fields a sum needs;
10,000 pods share a few specs, whose requests are summed once each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tui.models.metrics.usage import MetricsReading
from tui.models.nodes.node import NodeRow, Requested, node_row
from tui.services.kube.json_reads import response_json
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.kube.list_watch import CONNECT_TIMEOUT_S, PAGE_TIMEOUT_S, list_page, resource_path
from tui.services.metrics.metrics import MetricsService
from tui.services.pods.list_pages import PageFetch
from tui.services.pods.rows import spec_figures

HOLDING = "status.phase!=Succeeded,status.phase!=Failed"  # the pods whose requests a node still reserves
PAGE_SIZE = 2000
METRICS_RETRY_S = 60.0


@dataclass(frozen=True)
class NodesReading:
    rows: list[NodeRow]
    metrics_state: str = ""  # the metrics API's absence in words ("" when it answered)
    pods_counted: int = field(default=0)


def _add_page(sums: dict[str, list[int]], page: bytes) -> int:
    """The requests of a page's pods added to their nodes' sums; how many pods were on a node."""
    import simdjson  # with the first pod page, not at start

    counted = 0
    document: Any = simdjson.Parser().parse(page)
    items = document.get("items") or []
    for pod in items:
        spec = pod.get("spec") or {}
        node = spec.get("nodeName")
        if not node:
            continue  # not scheduled: it holds nothing anywhere yet
        requests, _, gpus = spec_figures(spec)
        total = sums.setdefault(str(node), [0, 0, 0, 0])
        total[0] += requests.cpu_m or 0
        total[1] += requests.memory or 0
        total[2] += gpus
        total[3] += 1
        counted += 1
    return counted


class NodesService:
    def __init__(self, kube: KubeService, metrics: MetricsService | None = None) -> None:
        self.kube = kube
        self.metrics = metrics or MetricsService(kube)
        self._last = MetricsReading()  # the metrics API's last answer
        self._asked_at = 0.0  # time.monotonic() of that answer

    def usage(self) -> MetricsReading:
        """metrics.k8s.io's node list; while it is missing, asked again only once a minute (no load on a
        broken server, and its absence logged once by MetricsService)."""
        if self._last.unavailable and time.monotonic() - self._asked_at < METRICS_RETRY_S:
            return self._last
        reading = self.metrics.node_usage()
        self._last, self._asked_at = reading, time.monotonic()
        return reading

    def requested(self) -> tuple[dict[str, Requested], int]:
        """What the pods on each node request, by node name; and how many pods that is."""
        sums: dict[str, list[int]] = {}
        counted = 0
        path = resource_path("pods", ALL_NAMESPACES)
        fetch = PageFetch(lambda token: list_page(self.kube, path, token, limit=PAGE_SIZE, fieldSelector=HOLDING))
        try:
            for page in fetch.pages():
                counted += _add_page(sums, page)
        finally:
            fetch.abandon()
        return {name: Requested(*total) for name, total in sums.items()}, counted

    def nodes(self) -> list[dict[str, Any]]:
        body = response_json(self.kube.get("/api/v1/nodes", timeout=(CONNECT_TIMEOUT_S, PAGE_TIMEOUT_S)))
        return [node for node in body.get("items") or [] if isinstance(node, dict)]

    def read(self) -> NodesReading:
        """Every node with its figures, by name. Raises what the node or pod list raised; the metrics API's
        absence is a state (`metrics_state`), not an error."""
        nodes = self.nodes()
        requested, counted = self.requested()
        usage = self.usage()
        rows = []
        for node in nodes:
            name = str((node.get("metadata") or {}).get("name") or "")
            rows.append(node_row(node, requested.get(name), usage.usage.get(name)))
        return NodesReading(sorted(rows, key=lambda r: r.name), usage.unavailable, counted)
