"""What can be done to one pod from the list: describe it, show its manifest, delete it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tui.models.pods.row import short_age
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.json_reads import response_items, response_json
from tui.services.kube.kube import KubeService
from tui.services.pods.rows import parse_time, pod_status

if TYPE_CHECKING:
    from kubernetes import client as k8s

Json = dict[str, Any]
TIMEOUT_S = 20.0


class PodActions:
    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def _core(self) -> k8s.CoreV1Api:
        # Imported on first use (a worker thread): CoreV1Api's module builds some 250 models, a quarter second.
        with heavy_imports():
            from kubernetes import client as k8s

        return k8s.CoreV1Api(self.kube.api_client())

    def _pod(self, namespace: str, name: str) -> Json:
        pod: Json = response_json(
            self._core().read_namespaced_pod(name, namespace, _preload_content=False, _request_timeout=TIMEOUT_S)
        )
        return pod

    def manifest_yaml(self, namespace: str, name: str) -> str:
        """The pod as `kubectl get -o yaml` shows it, without the managedFields noise."""
        import yaml

        pod = self._pod(namespace, name)
        pod.get("metadata", {}).pop("managedFields", None)
        return yaml.safe_dump(pod, sort_keys=False, default_flow_style=False)

    def describe(self, namespace: str, name: str) -> str:
        pod = self._pod(namespace, name)
        events = response_items(
            self._core().list_namespaced_event(
                namespace,
                field_selector=f"involvedObject.kind=Pod,involvedObject.name={name},involvedObject.namespace={namespace}",
                _preload_content=False,
                _request_timeout=TIMEOUT_S,
            )
        )
        return describe_text(pod, events, datetime.now(UTC))

    def delete(self, namespace: str, name: str) -> None:
        self._core().delete_namespaced_pod(name, namespace, _request_timeout=TIMEOUT_S)


def describe_text(pod: Json, events: list[Json], now: datetime) -> str:
    """`kubectl describe pod` in its essentials: status, containers, conditions, volumes and the pod's events."""
    meta: Json = pod.get("metadata") or {}
    spec: Json = pod.get("spec") or {}
    status: Json = pod.get("status") or {}
    lines: list[str] = []

    def field(label: str, value: object, indent: int = 0) -> None:
        lines.append(f"{' ' * indent}{label + ':':<{max(20 - indent, len(label) + 2)}}{value}")

    field("Name", meta.get("name", ""))
    field("Namespace", meta.get("namespace", ""))
    field("Node", f"{spec.get('nodeName') or '<none>'}/{status.get('hostIP') or ''}".rstrip("/"))
    field("Start Time", status.get("startTime") or "<unset>")
    labels = meta.get("labels") or {}
    field("Labels", ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>")
    field("Status", pod_status(pod))
    field("IP", status.get("podIP") or "<none>")
    if status.get("message"):
        field("Message", status["message"])

    states = {c.get("name"): c for c in status.get("containerStatuses") or []}
    lines.append("Containers:")
    for container in spec.get("containers") or []:
        lines.append(f"  {container.get('name')}:")
        field("Image", container.get("image", ""), 4)
        if container.get("command"):
            field("Command", " ".join(container["command"]), 4)
        state_of = states.get(container.get("name")) or {}
        state: Json = state_of.get("state") or {}
        if "running" in state:
            field("State", f"Running since {state['running'].get('startedAt', '?')}", 4)
        elif "waiting" in state:
            waiting = state["waiting"]
            field("State", f"Waiting: {waiting.get('reason', '')} {waiting.get('message', '')}".rstrip(), 4)
        elif "terminated" in state:
            term = state["terminated"]
            field("State", f"Terminated: {term.get('reason', '')} (exit code {term.get('exitCode')})", 4)
        else:
            field("State", "<unknown>", 4)
        field("Ready", state_of.get("ready", False), 4)
        field("Restart Count", state_of.get("restartCount", 0), 4)
        limits = (container.get("resources") or {}).get("limits") or {}
        if limits:
            field("Limits", ", ".join(f"{k}={v}" for k, v in sorted(limits.items())), 4)
        for mount in container.get("volumeMounts") or []:
            mode = "ro" if mount.get("readOnly") else "rw"
            field("Mount", f"{mount.get('mountPath')} from {mount.get('name')} ({mode})", 4)

    lines.append("Conditions:")
    for condition in status.get("conditions") or []:
        lines.append(f"  {condition.get('type', ''):<28}{condition.get('status', '')}")

    lines.append("Volumes:")
    for volume in spec.get("volumes") or []:
        kinds = [k for k in volume if k != "name"]
        kind = kinds[0] if kinds else "?"
        detail = volume.get(kind) or {}
        source = detail.get("claimName") or detail.get("path") or detail.get("name") or ""
        lines.append(f"  {volume.get('name')}: {kind} {source}".rstrip())

    lines.append("Events:")
    if not events:
        lines.append("  <none>")
    for event in sorted(events, key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or ""):
        when = parse_time(event.get("lastTimestamp") or event.get("eventTime"))
        ago = short_age(when, now)
        source = (event.get("source") or {}).get("component") or event.get("reportingComponent") or ""
        lines.append(
            f"  {event.get('type', ''):<8}{event.get('reason', ''):<18}{ago:<6}{source:<20}{event.get('message', '')}"
        )
    return "\n".join(lines) + "\n"
