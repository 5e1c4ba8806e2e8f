"""A run brought up to date from its pod as the API sends it (JSON, hostile: any field may be missing or of the
wrong type): phase, node, start and end, how each container ended, and the image digests the kubelet ran."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from tui.models.runs.run import ContainerEnd, Run

_STATES = ("terminated", "running", "waiting")  # a container status holds one of these
_DIGEST = re.compile(r"sha(?:256|384|512):[0-9a-f]{1,128}")
_OVER = ("Succeeded", "Failed")


def run_with_pod(run: Run, pod: Mapping[str, Any]) -> Run:
    """`run` with what `pod` (the API's JSON for it) says now; what the pod does not say stays as it was."""
    metadata, spec, status = _mapping(pod.get("metadata")), _mapping(pod.get("spec")), _mapping(pod.get("status"))
    statuses = [
        _mapping(s) for s in (*_list(status.get("initContainerStatuses")), *_list(status.get("containerStatuses")))
    ]
    containers = tuple(_container_end(s) for s in statuses)
    phase = _text(status.get("phase")) or run.phase
    ended = run.ended
    if phase in _OVER:
        finished = [
            t for s in statuses if (t := _time(_mapping(_mapping(s.get("state")).get("terminated")).get("finishedAt")))
        ]
        ended = max(finished) if finished else ended
    digests = _unique(d for end in containers if (d := digest_of(end.image_id)))
    return replace(
        run,
        pod=_text(metadata.get("name")) or run.pod,
        node=_text(spec.get("nodeName")) or run.node,
        phase=phase,
        started=_time(status.get("startTime")) or run.started,
        ended=ended,
        containers=containers or run.containers,
        digests=digests or run.digests,
    )


def digest_of(image_id: str) -> str:
    """`sha256:…` from a kubelet's imageID (`docker-pullable://reg/x@sha256:…`, `reg/x@sha256:…`, `sha256:…`),
    or "" when it holds none."""
    tail = image_id.rsplit("@", 1)[-1].rsplit("://", 1)[-1].strip()
    return tail if _DIGEST.fullmatch(tail) else ""


def _container_end(status: Mapping[str, Any]) -> ContainerEnd:
    state = _mapping(status.get("state"))
    current = next((name for name in _STATES if isinstance(state.get(name), Mapping)), "waiting")
    details = _mapping(state.get(current))
    exit_code = _int(details.get("exitCode"))
    if exit_code is None:  # waiting to restart (CrashLoopBackOff): how it ended last time
        exit_code = _int(_mapping(_mapping(status.get("lastState")).get("terminated")).get("exitCode"))
    return ContainerEnd(
        name=_text(status.get("name")),
        state=current,
        exit_code=exit_code,
        reason=_text(details.get("reason")),
        restarts=max(_int(status.get("restartCount")) or 0, 0),
        image_id=_text(status.get("imageID")),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: object) -> float | None:
    """Epoch seconds from the API's RFC 3339 time (`2026-12-07T07:26:13Z`), or None."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
