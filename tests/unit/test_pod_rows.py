"""The STATUS column says what kubectl says for the same pod."""

from datetime import UTC, datetime
from typing import Any

from kubernetes.client import (
    ApiClient,
    V1Container,
    V1ContainerState,
    V1ContainerStateRunning,
    V1ContainerStateTerminated,
    V1ContainerStateWaiting,
    V1ContainerStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodSpec,
    V1PodStatus,
)

from tui.services.pods.rows import pod_row, pod_status


def _pod(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The pod as the API server sends it: the client's model, serialised to camelCase JSON."""
    return ApiClient().sanitize_for_serialization(_v1pod(*args, **kwargs))  # type: ignore[no-any-return]


def _v1pod(
    phase: str,
    states: list[V1ContainerState],
    *,
    ready: bool = False,
    deleting: bool = False,
    init: list[V1ContainerState] | None = None,
) -> V1Pod:
    def statuses(items: list[V1ContainerState], prefix: str) -> list[V1ContainerStatus]:
        return [
            V1ContainerStatus(name=f"{prefix}{i}", image="img", image_id="", ready=ready, restart_count=i, state=state)
            for i, state in enumerate(items)
        ]

    return V1Pod(
        metadata=V1ObjectMeta(
            name="p",
            namespace="ns",
            creation_timestamp=datetime(2026, 1, 1, tzinfo=UTC),
            deletion_timestamp=datetime(2026, 1, 2, tzinfo=UTC) if deleting else None,
        ),
        spec=V1PodSpec(
            containers=[V1Container(name=f"c{i}", image=f"img{i}") for i in range(len(states))],
            init_containers=[V1Container(name=f"i{i}", image="init") for i in range(len(init or []))] or None,
            node_name="node-a",
        ),
        status=V1PodStatus(
            phase=phase,
            container_statuses=statuses(states, "c"),
            init_container_statuses=statuses(init, "i") if init else None,
            pod_ip="10.1.2.3",
        ),
    )


RUNNING = V1ContainerState(running=V1ContainerStateRunning())


def test_running_pod() -> None:
    assert pod_status(_pod("Running", [RUNNING], ready=True)) == "Running"


def test_waiting_reason_wins_over_phase() -> None:
    crash = V1ContainerState(waiting=V1ContainerStateWaiting(reason="CrashLoopBackOff"))
    assert pod_status(_pod("Running", [crash])) == "CrashLoopBackOff"
    pull = V1ContainerState(waiting=V1ContainerStateWaiting(reason="ImagePullBackOff"))
    assert pod_status(_pod("Pending", [pull])) == "ImagePullBackOff"


def test_terminated_reasons_and_exit_codes() -> None:
    oom = V1ContainerState(terminated=V1ContainerStateTerminated(exit_code=137, reason="OOMKilled"))
    assert pod_status(_pod("Failed", [oom])) == "OOMKilled"
    bare = V1ContainerState(terminated=V1ContainerStateTerminated(exit_code=3))
    assert pod_status(_pod("Failed", [bare])) == "ExitCode:3"
    done = V1ContainerState(terminated=V1ContainerStateTerminated(exit_code=0, reason="Completed"))
    assert pod_status(_pod("Succeeded", [done])) == "Completed"


def test_deleted_pod_is_terminating() -> None:
    assert pod_status(_pod("Running", [RUNNING], ready=True, deleting=True)) == "Terminating"


def test_init_containers_show_progress_and_failures() -> None:
    finished = V1ContainerState(terminated=V1ContainerStateTerminated(exit_code=0))
    running = V1ContainerState(running=V1ContainerStateRunning())
    waiting = V1ContainerState(waiting=V1ContainerStateWaiting(reason="PodInitializing"))
    assert pod_status(_pod("Pending", [waiting], init=[finished, running])) == "Init:1/2"
    failed = V1ContainerState(terminated=V1ContainerStateTerminated(exit_code=1, reason="Error"))
    assert pod_status(_pod("Pending", [waiting], init=[failed])) == "Init:Error"


def test_row_counts_ready_containers_and_restarts() -> None:
    row = pod_row(_pod("Running", [RUNNING, RUNNING], ready=True))
    assert row.created == datetime(2026, 1, 1, tzinfo=UTC)
    assert (row.key, row.ready, row.restarts, row.node, row.ip, row.image) == (
        "ns/p",
        "2/2",
        1,
        "node-a",
        "10.1.2.3",
        "img0",
    )
