"""A pod's row is the same read from simdjson's lazy document (as the pod list reads its pages) as from plain JSON,
whichever fields are absent; a field of the wrong JSON type reads as absent rather than ending the list."""

from __future__ import annotations

import json
from typing import Any

import pytest
import simdjson
from kubernetes.client import V1ContainerState, V1ContainerStateTerminated, V1ContainerStateWaiting

from tests.unit.test_pod_rows import RUNNING, _pod
from tui.services.pods.rows import pod_row, pod_status

FINISHED = V1ContainerState(terminated=V1ContainerStateTerminated(exit_code=0))
FAILED = V1ContainerState(terminated=V1ContainerStateTerminated(exit_code=3))
WAITING = V1ContainerState(waiting=V1ContainerStateWaiting(reason="CrashLoopBackOff"))
PODS = {
    "running": _pod("Running", [RUNNING, RUNNING], ready=True),
    "waiting": _pod("Running", [RUNNING, WAITING]),
    "exit code": _pod("Failed", [FAILED]),
    "deleting": _pod("Running", [RUNNING], ready=True, deleting=True),
    "init": _pod("Pending", [WAITING], init=[FINISHED, RUNNING]),
    "init failed": _pod("Pending", [WAITING], init=[FAILED]),
}


def lazy(pod: dict[str, Any]) -> Any:
    return simdjson.Parser().parse(json.dumps(pod).encode())


@pytest.mark.parametrize("name", PODS)
def test_a_lazy_pod_reads_as_its_plain_json(name: str) -> None:
    pod = PODS[name]
    assert pod_row(lazy(pod)) == pod_row(pod)
    assert pod_status(lazy(pod)) == pod_status(pod)


@pytest.mark.parametrize("read", [lambda pod: pod, lazy], ids=["plain", "lazy"])
def test_fields_of_the_wrong_type_read_as_absent(read: Any) -> None:
    pod = {
        "metadata": {"name": "p", "namespace": "ns", "labels": ["not", "a", "map"]},
        "spec": "not an object",
        "status": {"phase": "Running", "containerStatuses": "abc"},
    }
    row = pod_row(read(pod))
    assert (row.key, row.status, row.ready, row.labels, row.image) == ("ns/p", "Running", "0/0", {}, "")
