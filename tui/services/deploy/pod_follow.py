"""Follow one deployed pod until it runs (or finishes, or is deleted), saying at each change where it stands and
why: the pod, its events and its claims, read about once a second (one pod: a poll is cheaper than a watch set)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from kubernetes import client as k8s

from tui.models.deploy.pod_progress import ClaimState, PodProgress, Verdict, claim_names, claim_state, pod_progress
from tui.services.kube.json_reads import object_or_none
from tui.services.kube.kube import KubeService
from tui.services.pods.rows import pod_status

Json = dict[str, Any]
INTERVAL_S = 1.0
RUNNING_INTERVAL_S = 3.0  # a pod that runs changes seldom: looked at less often until it finishes
TIMEOUT_S = 15.0


class PodFollower:
    def __init__(self, kube: KubeService, namespace: str, name: str) -> None:
        self.kube = kube
        self.namespace = namespace
        self.name = name
        self.last_pod: Json | None = None  # the pod as last read (the loop opens a shell in it)

    def _core(self) -> k8s.CoreV1Api:
        return k8s.CoreV1Api(self.kube.api_client())

    def _read(self, call: Any, *args: Any, **kwargs: Any) -> Json | None:
        return object_or_none(lambda: call(*args, _preload_content=False, _request_timeout=TIMEOUT_S, **kwargs))

    def _events(self, kind: str, name: str) -> list[Json]:
        selector = f"involvedObject.kind={kind},involvedObject.name={name},involvedObject.namespace={self.namespace}"
        body = self._read(self._core().list_namespaced_event, self.namespace, field_selector=selector) or {}
        items: list[Json] = body.get("items") or []
        return items

    def look(self) -> PodProgress:
        """One reading of the pod, its events and its claims."""
        core = self._core()
        pod = self._read(core.read_namespaced_pod, self.name, self.namespace)
        self.last_pod = pod
        claims: list[ClaimState] = []
        for claim in claim_names(pod or {}):
            found = self._read(core.read_namespaced_persistent_volume_claim, claim, self.namespace)
            events = self._events("PersistentVolumeClaim", claim) if (found or {}).get("status", {}).get(
                "phase"
            ) != "Bound" else []  # fmt: skip
            claims.append(claim_state(claim, found, events))
        events = self._events("Pod", self.name) if pod is not None else []
        return pod_progress(
            self.name, pod, pod_status(pod, why_pending=False) if pod else "Gone", events, tuple(claims)
        )

    def follow(
        self,
        cancel: threading.Event,
        timeout: float | None = None,
        every_look: bool = False,
        until_finished: bool = False,
    ) -> Iterator[PodProgress]:
        """Each change of where the pod stands (`every_look`: each reading, changed or not, while it is on its way),
        until it is settled (Running, finished or gone; `until_finished`: finished or gone), cancelled, or `timeout`
        seconds have passed."""
        last: PodProgress | None = None
        deadline = None if timeout is None else time.monotonic() + timeout
        while not cancel.is_set() and (deadline is None or time.monotonic() < deadline):
            try:
                progress = self.look()
            except Exception as exc:
                progress = PodProgress(
                    self.name, Verdict.WAITING, "?", f"cannot read the pod: {self.kube.explain(exc)}"
                )
            running = progress.verdict is Verdict.RUNNING
            if progress != last or (every_look and not running):
                yield progress
                last = progress
            if progress.verdict.settled and not (until_finished and running):
                return
            cancel.wait(RUNNING_INTERVAL_S if running else INTERVAL_S)
