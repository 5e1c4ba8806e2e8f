"""Follow a fan-out, plain pods or an Indexed Job, as one thing: its pods (by the fan-out label, whoever created
them), and for a Job the Job itself and its warnings (the controller's "Error creating: ... exceeded quota" is only
an event on the Job: no pod exists to show it). Read about every two seconds until it has settled."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.deploy.fanout import FanOutProgress, fanout_member, job_state, sorted_members
from tui.models.deploy.pod_template import FANOUT_LABEL, JOB_NAME_LABEL, MANAGED_SELECTOR, label_value
from tui.services.kube.kube import KubeService
from tui.services.pods.rows import pod_status

Json = dict[str, Any]
INTERVAL_S = 2.0
TIMEOUT_S = 15.0


def fanout_selector(name: str, job: bool) -> str:
    """The fan-out's pods: a Job's carry its name, plain ones do not (a Job and plain pods may share the name)."""
    own = f"{MANAGED_SELECTOR},{FANOUT_LABEL}={label_value(name)}"
    return f"{own},{JOB_NAME_LABEL}={name}" if job else f"{own},!{JOB_NAME_LABEL}"


class FanOutFollower:
    def __init__(self, kube: KubeService, namespace: str, name: str, count: int, job: bool) -> None:
        self.kube = kube
        self.namespace = namespace
        self.name = name
        self.count = count
        self.job = job

    def _json(self, response: Any) -> Json:
        try:
            data: Json = json.loads(response.data)
        finally:
            response.release_conn()
        return data

    def look(self) -> FanOutProgress:
        client = self.kube.api_client()
        core = k8s.CoreV1Api(client)
        pods = self._json(
            core.list_namespaced_pod(
                self.namespace,
                label_selector=fanout_selector(self.name, self.job),
                _preload_content=False,
                _request_timeout=TIMEOUT_S,
            )
        )
        members = sorted_members(
            [fanout_member(pod, pod_status(pod, why_pending=False)) for pod in pods.get("items") or []]
        )
        if not self.job:
            return FanOutProgress(self.name, self.count, members)
        try:
            job = self._json(
                k8s.BatchV1Api(client).read_namespaced_job(
                    self.name, self.namespace, _preload_content=False, _request_timeout=TIMEOUT_S
                )
            )
        except ApiException as exc:
            if exc.status != 404:
                raise
            return FanOutProgress(self.name, self.count, members, None, job_expected=True)
        selector = f"involvedObject.kind=Job,involvedObject.name={self.name},involvedObject.namespace={self.namespace}"
        events = self._json(
            core.list_namespaced_event(
                self.namespace, field_selector=selector, _preload_content=False, _request_timeout=TIMEOUT_S
            )
        )
        state = job_state(job, events.get("items") or [])
        return FanOutProgress(self.name, self.count, members, state, job_expected=True)

    def follow(self, cancel: threading.Event, timeout: float | None = None) -> Iterator[FanOutProgress]:
        """Each change, until the fan-out has settled, `cancel` is set, or `timeout` seconds have passed."""
        last: FanOutProgress | None = None
        deadline = None if timeout is None else time.monotonic() + timeout
        while not cancel.is_set() and (deadline is None or time.monotonic() < deadline):
            try:
                progress = self.look()
            except Exception as exc:
                trouble = f"cannot read the fan-out: {self.kube.explain(exc)}"
                members, job = (last.members, last.job) if last else ((), None)
                progress = FanOutProgress(self.name, self.count, members, job, self.job, trouble)
            if progress != last:
                yield progress
                last = progress
            if progress.settled:
                return
            cancel.wait(INTERVAL_S)
