"""Render a pod (the API's JSON: a dict, or simdjson's lazy mapping) into a PodRow with kubectl's STATUS wording.

Working on the JSON rather than the client's V1Pod objects keeps a 10,000-pod list cheap: the kubernetes
client's model deserialisation of every pod adds up to a long wait. Rows hold plain Python values only, so
nothing keeps a simdjson document alive.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tui.models.metrics.resources import Amounts, pod_resources
from tui.models.pods.pending import pending_status
from tui.models.pods.row import PodRow

Json = Mapping[str, Any]


def members(value: Any) -> Json:
    """A JSON object's members as a dict, simdjson's values in it left lazy; {} for anything else (hostile JSON).
    simdjson's `get` of an absent key raises and catches inside (2 µs, against 0.03 µs for a present one), and a
    running pod has a handful absent (reason, initContainerStatuses, deletionTimestamp ...): most of a row's cost."""
    if isinstance(value, dict):
        return value
    keys = getattr(value, "keys", None)
    return {key: value[key] for key in keys()} if keys is not None else {}


def pod_status(pod: Json, why_pending: bool = True) -> str:
    """kubectl's STATUS column for a pod (pkg/printers/internalversion printPod), from phase and container states;
    a Pending pod's says why (`why_pending`; the Deploy panel's follow line says it in full after the status)."""
    pod = members(pod)
    return _status(pod, members(pod.get("metadata")), members(pod.get("spec")), members(pod.get("status")), why_pending)


def _status(pod: Json, meta: Json, spec: Json, status: Json, why_pending: bool = True) -> str:
    reason: str = status.get("reason") or status.get("phase") or "Unknown"

    init_statuses: list[Json] = status.get("initContainerStatuses") or []
    init_total = len(spec.get("initContainers") or [])
    for index, container in enumerate(init_statuses):
        state = members(members(container).get("state"))
        terminated: Json | None = members(state["terminated"]) if "terminated" in state else None
        waiting: Json | None = members(state["waiting"]) if "waiting" in state else None
        if terminated is not None and terminated.get("exitCode") == 0:
            continue
        if terminated is not None:
            reason = "Init:" + _terminated_reason(terminated)
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{init_total}"
        return _with_deletion(meta, status, reason)

    running = False
    for container in reversed([members(c) for c in status.get("containerStatuses") or []]):
        state = members(container.get("state"))
        waiting = members(state["waiting"]) if "waiting" in state else None
        terminated = members(state["terminated"]) if "terminated" in state else None
        if waiting is not None and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated is not None:
            reason = _terminated_reason(terminated)
        elif state.get("running") is not None and container.get("ready"):
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    if reason == "Pending" and why_pending:  # why, in words: Pending: Insufficient nvidia.com/gpu (0/6 nodes)
        reason = pending_status(pod) or reason
    return _with_deletion(meta, status, reason)


def _terminated_reason(terminated: Json) -> str:
    if terminated.get("reason"):
        return str(terminated["reason"])
    if terminated.get("signal"):
        return f"Signal:{terminated['signal']}"
    return f"ExitCode:{terminated.get('exitCode', '?')}"


def _with_deletion(meta: Json, status: Json, reason: str) -> str:
    if meta.get("deletionTimestamp"):
        return "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


Figures = tuple[Amounts, Amounts, int]  # requests, limits, GPUs
_FIGURES: dict[tuple[object, ...], Figures] = {}  # by the spec's resources as sent: 10,000 pods share a few specs
_FIGURES_MAX = 4096


def _plain(value: Any) -> Any:
    """A small part of a pod (a resources map) as a dict: simdjson's lazy objects are not Mappings."""
    as_dict = getattr(value, "as_dict", None)
    return as_dict() if as_dict is not None else value


def _mini(value: Any) -> object:
    """simdjson's own minified text of a value (cheap, hashable); None and plain values as they are."""
    return getattr(value, "mini", value)


def spec_figures(spec: Json) -> Figures:
    """What the spec asks for, summed as the scheduler sums it (pod_resources), read once per distinct spec."""
    containers, init = spec.get("containers") or [], spec.get("initContainers") or []
    try:
        key = (
            tuple(_mini(c.get("resources")) for c in containers),
            tuple((_mini(c.get("resources")), c.get("restartPolicy")) for c in init),
            _mini(spec.get("overhead")),
        )
        hash(key)
    except (AttributeError, TypeError):  # plain dicts (or hostile JSON): read without the cache
        key = None
    if key is not None and (known := _FIGURES.get(key)) is not None:
        return known

    def container(c: Json) -> dict[str, Any]:
        return {"resources": _plain(c.get("resources")), "restartPolicy": c.get("restartPolicy")}

    plain = {"containers": [container(c) for c in containers], "initContainers": [container(c) for c in init]}
    read = pod_resources({"spec": plain | {"overhead": _plain(spec.get("overhead"))}})
    figures = (read.requests, read.limits, read.gpus)
    if key is not None:
        if len(_FIGURES) >= _FIGURES_MAX:
            _FIGURES.clear()
        _FIGURES[key] = figures
    return figures


def pod_row(pod: Json) -> PodRow:
    pod = members(pod)
    meta, spec, status = members(pod.get("metadata")), members(pod.get("spec")), members(pod.get("status"))
    statuses = [members(c) for c in status.get("containerStatuses") or []]
    containers = [members(c) for c in spec.get("containers") or []]
    ready = sum(1 for c in statuses if c.get("ready"))
    requests, limits, gpus = spec_figures(spec)
    return PodRow(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        ready=f"{ready}/{len(containers)}",
        status=_status(pod, meta, spec, status),
        restarts=sum(int(c.get("restartCount") or 0) for c in statuses),
        created=parse_time(meta.get("creationTimestamp")),
        ip=str(status.get("podIP") or ""),
        node=str(spec.get("nodeName") or ""),
        image=str(containers[0].get("image", "")) if containers else "",
        labels={str(k): str(v) for k, v in members(meta.get("labels")).items()},
        resource_version=str(meta.get("resourceVersion", "")),
        requests=requests,
        limits=limits,
        gpus=gpus,
    )
