"""Render a V1Pod into a PodRow with the STATUS wording kubectl prints (pkg/printers/internalversion)."""

from __future__ import annotations

from typing import Any

from tui.models.pods import PodRow


def pod_status(pod: Any) -> str:
    """kubectl's STATUS column for a pod, from its phase, reason and container states."""
    status = pod.status
    reason: str = status.reason or status.phase or "Unknown"

    init_statuses = status.init_container_statuses or []
    init_total = len(pod.spec.init_containers or [])
    for index, container in enumerate(init_statuses):
        state = container.state
        if state.terminated is not None and state.terminated.exit_code == 0:
            continue
        if state.terminated is not None:
            reason = "Init:" + _terminated_reason(state.terminated)
        elif state.waiting is not None and state.waiting.reason and state.waiting.reason != "PodInitializing":
            reason = "Init:" + state.waiting.reason
        else:
            reason = f"Init:{index}/{init_total}"
        return _with_deletion(pod, reason)

    running = False
    for container in reversed(status.container_statuses or []):
        state = container.state
        if state.waiting is not None and state.waiting.reason:
            reason = state.waiting.reason
        elif state.terminated is not None:
            reason = _terminated_reason(state.terminated)
        elif state.running is not None and container.ready:
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    return _with_deletion(pod, reason)


def _terminated_reason(term: Any) -> str:
    return str(term.reason or (f"Signal:{term.signal}" if term.signal else f"ExitCode:{term.exit_code}"))


def _with_deletion(pod: Any, reason: str) -> str:
    if pod.metadata.deletion_timestamp is not None:
        return "Unknown" if pod.status.reason == "NodeLost" else "Terminating"
    return reason


def pod_row(pod: Any) -> PodRow:
    statuses = pod.status.container_statuses or []
    containers = pod.spec.containers or []
    ready = sum(1 for c in statuses if c.ready)
    return PodRow(
        namespace=pod.metadata.namespace,
        name=pod.metadata.name,
        ready=f"{ready}/{len(containers)}",
        status=pod_status(pod),
        restarts=sum(c.restart_count or 0 for c in statuses),
        created=pod.metadata.creation_timestamp,
        ip=pod.status.pod_ip or "",
        node=pod.spec.node_name or "",
        image=containers[0].image if containers else "",
    )
