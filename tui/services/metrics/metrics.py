"""Usage from metrics.k8s.io (what `kubectl top` reads), and requests, limits and GPUs from pods and nodes.

One list call per namespace (or one for all), never per pod. Without the metrics API the reading says so in words
(MetricsReading.unavailable) instead of raising: a cluster without metrics-server is an ordinary cluster.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

from tui.models.metrics.resources import NodeResources, PodResources, node_resources, pod_resources
from tui.models.metrics.usage import NOT_INSTALLED, MetricsReading, read_items
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import ALL_NAMESPACES, KubeService, explain_api_exception

METRICS_API = "/apis/metrics.k8s.io/v1beta1"
TIMEOUT_S = (5.0, 30.0)

log = logging.getLogger(__name__)


def _path(api: str, kind: str, namespace: str | None) -> str:
    if namespace is None or namespace == ALL_NAMESPACES:
        return f"{api}/{kind}"
    return f"{api}/namespaces/{quote(namespace, safe='')}/{kind}"


class MetricsService:
    def __init__(self, kube: KubeService) -> None:
        self._kube = kube
        self._last_state = ""  # the last unavailable state logged, so one that stays is logged once

    def _get_json(self, path: str, query: list[tuple[str, object]] | None = None) -> Any:
        response = self._kube.get(path, query or [], timeout=TIMEOUT_S)
        try:
            return json.loads(response.data)
        finally:
            response.release_conn()

    def _read(self, kind: str, namespace: str | None) -> MetricsReading:
        with heavy_imports():
            from kubernetes.client.exceptions import ApiException

        try:
            body = self._get_json(_path(METRICS_API, kind, namespace))
        except ApiException as exc:
            return self._unavailable(metrics_state(exc), exc)
        except ValueError as exc:  # not JSON: a proxy or a broken server in front of the API
            return self._unavailable("metrics: the metrics API sent something that is not JSON", exc)
        except Exception as exc:
            reason = self._kube.reason(exc)
            if reason is None:
                raise
            return self._unavailable(f"metrics: not available — {reason}", exc)
        self._last_state = ""
        return read_items(body, kind)

    def _unavailable(self, state: str, exc: BaseException) -> MetricsReading:
        if state != self._last_state:
            log.warning("%s", state, exc_info=exc)
        self._last_state = state
        return MetricsReading(unavailable=state)

    def pod_usage(self, namespace: str) -> MetricsReading:
        """Usage of the pods of `namespace` (ALL_NAMESPACES for all) by `namespace/name`: one list call."""
        return self._read("pods", namespace)

    def node_usage(self) -> MetricsReading:
        """Usage of every node by name: one list call."""
        return self._read("nodes", None)

    def pod_resources(self, namespace: str, node: str | None = None) -> list[PodResources]:
        """Requests, limits and GPUs of the pods of `namespace` that hold resources (not Succeeded or Failed); only
        those on `node` when given (the API server selects them: what a node's figures need)."""
        query: list[tuple[str, object]] = [("fieldSelector", f"spec.nodeName={node}")] if node else []
        body = self._get_json(_path("/api/v1", "pods", namespace), query)
        return [
            pod_resources(pod)
            for pod in body.get("items") or []
            if isinstance(pod, dict) and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ]

    def node_resources(self) -> list[NodeResources]:
        """Capacity, allocatable (GPUs among them), accelerator type, spot and taints of every node."""
        body = self._get_json("/api/v1/nodes")
        return [node_resources(node) for node in body.get("items") or [] if isinstance(node, dict)]


def metrics_state(exc: Any) -> str:
    """An answer of the API server to a metrics.k8s.io read, as the state the columns show."""
    status = getattr(exc, "status", 0) or 0
    if status == 404:  # no APIService for the group: the API server itself answers "404 page not found"
        return NOT_INSTALLED
    if status == 503:  # the APIService is there, its backend does not answer
        return "metrics: not available — metrics-server is installed but does not answer (service unavailable)"
    if status == 403:
        return f"metrics: not allowed — {explain_api_exception(exc)}"
    return f"metrics: not available — {explain_api_exception(exc)}"
