"""A run brought up to date from its pod's JSON as the API sends it (pure logic): phase, node, start and end, how
each container ended, the digests the kubelet ran; missing or hostile fields leave the run as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tui.models.runs.pod_status import digest_of, run_with_pod
from tui.models.runs.run import ContainerEnd, Run

DIGEST = "sha256:" + "e4f4ce6a473f38a872d7abd975b006b66c105e1b4c3c66ee2a756c0244c987cd"
INIT_DIGEST = "sha256:" + "63829fc6e1baaa7c10439d2d55c178028ffa13e3377e5b5e73a6f10b230d3e03"


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def run() -> Run:
    return Run("20261207-1255-3fa9", "exp", "Pod", "ns", "ctx", "https://api", 1.0, "kind: Pod\n", ("reg/x:1",))


def succeeded_pod() -> dict[str, Any]:
    """A pod as `kubectl get pod -o json` shows one that ran on a kubelet with containerd: an init container, then
    two containers ending at different times."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "exp", "namespace": "ns"},
        "spec": {"nodeName": "real-node-0", "containers": [{"name": "main"}, {"name": "side"}]},
        "status": {
            "phase": "Succeeded",
            "startTime": "2026-12-07T12:53:13Z",
            "initContainerStatuses": [
                {
                    "name": "fetch",
                    "image": "127.0.0.1:5000/k8sx-test/busybox:1",
                    "imageID": f"127.0.0.1:5000/k8sx-test/busybox@{INIT_DIGEST}",
                    "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                             "startedAt": "2026-12-07T12:53:13Z",
                                             "finishedAt": "2026-12-07T12:53:14Z"}},
                }
            ],
            "containerStatuses": [
                {
                    "name": "main",
                    "image": "127.0.0.1:5000/team/train:0.3",
                    "imageID": f"docker-pullable://127.0.0.1:5000/team/train@{DIGEST}",
                    "restartCount": 2,
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                             "startedAt": "2026-12-07T12:53:15Z",
                                             "finishedAt": "2026-12-07T12:54:20.123456Z"}},
                },
                {
                    "name": "side",
                    "image": "busybox",
                    "imageID": DIGEST,  # the same image: one digest
                    "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                             "finishedAt": "2026-12-07T12:53:50Z"}},
                },
            ],
        },
    }  # fmt: skip


def test_a_finished_pod_gives_its_node_times_containers_ends_and_digests() -> None:
    updated = run_with_pod(run(), succeeded_pod())
    assert (updated.pod, updated.node, updated.phase) == ("exp", "real-node-0", "Succeeded")
    assert updated.started == at("2026-12-07T12:53:13")
    assert updated.ended == at("2026-12-07T12:54:20.123456")  # the last container to finish
    assert updated.containers == (
        ContainerEnd("fetch", "terminated", 0, "Completed", 0, f"127.0.0.1:5000/k8sx-test/busybox@{INIT_DIGEST}"),
        ContainerEnd("main", "terminated", 0, "Completed", 2, f"docker-pullable://127.0.0.1:5000/team/train@{DIGEST}"),
        ContainerEnd("side", "terminated", 0, "Completed", 0, DIGEST),
    )
    assert updated.digests == (INIT_DIGEST, DIGEST)
    assert updated.is_over
    # What the pod does not say stays the run's own.
    assert (updated.id, updated.manifest, updated.images) == (run().id, run().manifest, run().images)


def test_a_running_pod_has_no_end_and_a_crash_looping_container_says_how_it_ended_last() -> None:
    pod = succeeded_pod()
    pod["status"]["phase"] = "Running"
    pod["status"]["containerStatuses"][0]["state"] = {
        "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s restarting failed container"}
    }
    pod["status"]["containerStatuses"][1]["state"] = {"running": {"startedAt": "2026-12-07T12:53:15Z"}}
    updated = run_with_pod(run(), pod)
    assert updated.phase == "Running" and updated.ended is None and not updated.is_over
    main, side = updated.containers[1:]
    assert (main.state, main.exit_code, main.reason, main.restarts) == ("waiting", 137, "CrashLoopBackOff", 2)
    assert (side.state, side.exit_code, side.reason) == ("running", None, "")


def test_a_pending_pod_not_yet_scheduled_leaves_what_the_run_knew() -> None:
    known = run_with_pod(run(), succeeded_pod())
    pending = {"metadata": {"name": "exp"}, "spec": {}, "status": {"phase": "Pending", "conditions": []}}
    again = run_with_pod(known, pending)
    assert again.phase == "Pending"
    assert (again.node, again.started, again.containers, again.digests) == (
        known.node, known.started, known.containers, known.digests,
    )  # fmt: skip


@pytest.mark.parametrize(
    "pod",
    [
        {},
        {"metadata": None, "spec": None, "status": None},
        {"metadata": [], "spec": "x", "status": 3},
        {"status": {"phase": 7, "startTime": "yesterday", "containerStatuses": "many"}},
        {"status": {"phase": "Failed", "containerStatuses": [None, 5, "x", {"state": []}]}},
        {"status": {"containerStatuses": [{"name": 1, "restartCount": "3", "imageID": 9, "state": {"terminated": 1}}]}},
        {"status": {"containerStatuses": [{"restartCount": True, "state": {"terminated": {"exitCode": "1"}}}]}},
        {"status": {"startTime": "2026-12-07T12:53:13" + "0" * 10_000}},
        {"status": {"startTime": "2026-12-07T12:53:13"}},  # no zone: not a time the API sends
        {"spec": {"nodeName": ["node"]}, "metadata": {"name": {"x": 1}}},
    ],
)
def test_hostile_or_missing_fields_never_raise_and_leave_the_run_as_it_was(pod: dict[str, Any]) -> None:
    updated = run_with_pod(run(), pod)
    assert (updated.pod, updated.node, updated.started, updated.ended, updated.digests) == ("", "", None, None, ())
    for end in updated.containers:
        assert isinstance(end.name, str) and isinstance(end.image_id, str) and end.restarts >= 0
        assert end.exit_code is None and end.state in ("waiting", "running", "terminated")


def test_a_failed_pod_whose_containers_never_ended_keeps_no_end_time() -> None:
    evicted = {"status": {"phase": "Failed", "reason": "Evicted", "containerStatuses": []}}
    assert run_with_pod(run(), evicted).ended is None


@pytest.mark.parametrize(
    ("image_id", "digest"),
    [
        (f"docker-pullable://reg.example/team/x@{DIGEST}", DIGEST),
        (f"reg.example:5000/x@{DIGEST}", DIGEST),
        (DIGEST, DIGEST),
        (f"docker://{DIGEST}", DIGEST),
        ("sha256:abc", "sha256:abc"),
        ("", ""),
        ("reg/x:1", ""),
        ("sha256:", ""),
        ("sha256:NOT-HEX", ""),
        (f"reg/x@{DIGEST} ; rm -rf /", ""),
        ("md5:abcdef", ""),
    ],
)
def test_the_digest_is_read_from_every_spelling_of_an_image_id(image_id: str, digest: str) -> None:
    assert digest_of(image_id) == digest
