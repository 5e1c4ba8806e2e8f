"""What a pod asks for and what a node offers, from their JSON (as the API server sends it: hostile input)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tui.models.metrics.quantity import millicores, whole

GPU = "nvidia.com/gpu"
ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator"
SPOT_LABEL = "cloud.google.com/gke-spot"


@dataclass(frozen=True)
class Amounts:
    """CPU in millicores, memory in bytes, GPUs; None where the object says nothing (no request, no limit)."""

    cpu_m: int | None = None
    memory: int | None = None
    gpu: int | None = None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def amounts(resources: object) -> Amounts:
    """A resource map (`{"cpu": "500m", "memory": "1Gi", "nvidia.com/gpu": 1}`) read; bad quantities are None."""
    given = _mapping(resources)
    return Amounts(millicores(given.get("cpu")), whole(given.get("memory")), whole(given.get(GPU)))


Raw = tuple[object, object, object]  # a resource map's cpu, memory and nvidia.com/gpu values, as sent


def _raw(resources: object) -> Raw:
    given = _mapping(resources)
    return (given.get("cpu"), given.get("memory"), given.get(GPU))


def _container_raw(container: Mapping[str, Any]) -> tuple[Raw, Raw]:
    resources = _mapping(container.get("resources"))
    return _raw(resources.get("requests")), _raw(resources.get("limits"))


def _read(raw: Raw) -> Amounts:
    return Amounts(millicores(raw[0]), whole(raw[1]), whole(raw[2]))


def _request(requests: Amounts, limits: Amounts) -> Amounts:
    """An unset request is the limit (the API server fills it in the same way)."""
    return Amounts(
        requests.cpu_m if requests.cpu_m is not None else limits.cpu_m,
        requests.memory if requests.memory is not None else limits.memory,
        requests.gpu if requests.gpu is not None else limits.gpu,
    )


def _combine(values: list[int | None], init: list[int | None], overhead: int | None, *, every: bool) -> int | None:
    """The pod's figure for one resource: the sum over its containers, at least the largest init container's, plus
    the runtime overhead. With `every` (limits), one container without it leaves the pod unlimited (None)."""
    if not values or (every and any(v is None for v in values)):
        return None
    given = [v for v in values if v is not None]
    if not given and all(v is None for v in init):
        return None
    total = max(sum(given), max((v for v in init if v is not None), default=0))
    return total + (overhead or 0)


PodKey = tuple[tuple[tuple[Raw, Raw], ...], tuple[tuple[tuple[Raw, Raw], bool], ...], Raw]


def _summed(key: PodKey) -> tuple[Amounts, Amounts]:
    containers, init_containers, overhead_raw = key
    # Sidecars (init containers that keep running) count like containers; the others run one at a time, first.
    running = list(containers) + [c for c, sidecar in init_containers if sidecar]
    first = [c for c, sidecar in init_containers if not sidecar]
    overhead = _read(overhead_raw)
    sides = []
    for side in (0, 1):
        read = [(_request(_read(c[0]), _read(c[1])) if side == 0 else _read(c[1])) for c in running]
        before = [(_request(_read(c[0]), _read(c[1])) if side == 0 else _read(c[1])) for c in first]
        every = side == 1
        sides.append(
            Amounts(
                _combine([a.cpu_m for a in read], [a.cpu_m for a in before], overhead.cpu_m, every=every),
                _combine([a.memory for a in read], [a.memory for a in before], overhead.memory, every=every),
                _combine([a.gpu for a in read], [a.gpu for a in before], None, every=False),
            )
        )
    return sides[0], sides[1]


# 10,000 pods are mostly a few specs over and over: each is summed once.
_summed_cached = lru_cache(maxsize=4096)(_summed)


@dataclass(frozen=True)
class PodResources:
    namespace: str
    name: str
    node: str
    requests: Amounts
    limits: Amounts

    @property
    def gpus(self) -> int:
        """GPUs the pod holds: extended resources are requested and limited alike."""
        return self.requests.gpu or self.limits.gpu or 0


def pod_resources(pod: Mapping[str, Any]) -> PodResources:
    """Requests and limits of a pod (its JSON), summed as the scheduler and `kubectl describe node` sum them."""
    metadata, spec = _mapping(pod.get("metadata")), _mapping(pod.get("spec"))
    key: PodKey = (
        tuple(_container_raw(c) for c in _list(spec.get("containers"))),
        tuple((_container_raw(c), c.get("restartPolicy") == "Always") for c in _list(spec.get("initContainers"))),
        _raw(spec.get("overhead")),
    )
    try:
        requests, limits = _summed_cached(key)
    except TypeError:  # an unhashable value where a quantity belongs (hostile JSON): summed without the cache
        requests, limits = _summed(key)
    return PodResources(
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
        str(spec.get("nodeName") or ""),
        requests,
        limits,
    )


@dataclass(frozen=True)
class NodeResources:
    name: str
    capacity: Amounts
    allocatable: Amounts
    accelerator: str  # GKE's accelerator label (nvidia-tesla-t4 ...), "" when none
    spot: bool
    taints: tuple[str, ...]  # key=value:Effect, as kubectl describe prints them


def _taint(taint: Mapping[str, Any]) -> str:
    key, value, effect = (str(taint.get(k) or "") for k in ("key", "value", "effect"))
    return f"{key}{'=' + value if value else ''}:{effect}"


def node_resources(node: Mapping[str, Any]) -> NodeResources:
    metadata, status = _mapping(node.get("metadata")), _mapping(node.get("status"))
    labels = _mapping(metadata.get("labels"))
    return NodeResources(
        str(metadata.get("name") or ""),
        amounts(status.get("capacity")),
        amounts(status.get("allocatable")),
        str(labels.get(ACCELERATOR_LABEL) or ""),
        str(labels.get(SPOT_LABEL) or "").lower() == "true",
        tuple(_taint(t) for t in _list(_mapping(node.get("spec")).get("taints"))),
    )
