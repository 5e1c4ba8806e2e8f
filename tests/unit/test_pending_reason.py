"""Why a Pending pod is pending, from real-shaped scheduler messages (those of kube-scheduler 1.25+ and older)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tui.models.events.event import EventRow
from tui.models.pods.pending import pending_reason, pending_status, reason_from_message

PREEMPTION = " preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling."


def unschedulable(message: str, **status: Any) -> dict[str, Any]:
    condition = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
    return {"metadata": {"name": "p"}, "spec": {}, "status": {"phase": "Pending", "conditions": [condition]} | status}


def failed_scheduling(message: str, minute: int) -> EventRow:
    seen = datetime(2026, 12, 7, 12, minute, tzinfo=UTC)
    return EventRow(f"ns/p.{minute}", "ns", "Warning", "FailedScheduling", "Pod", "p", message, 1, seen)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (
            "0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) had untolerated taint "
            "{nvidia.com/gpu: present}." + PREEMPTION,
            "Pending: Insufficient nvidia.com/gpu (0/6 nodes)",
        ),
        (
            "0/5 nodes are available: 2 node(s) had untolerated taint(s), 3 Insufficient nvidia.com/gpu. no new "
            "claims to deallocate, preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.",
            "Pending: Insufficient nvidia.com/gpu (0/5 nodes)",
        ),
        (
            "0/6 nodes are available: 6 node(s) didn't match Pod's node affinity/selector." + PREEMPTION,
            "Pending: no node matches the selector (0/6 nodes)",
        ),
        (
            "0/4 nodes are available: 4 node(s) had untolerated taint {nvidia.com/gpu: present}." + PREEMPTION,
            "Pending: untolerated taint nvidia.com/gpu (0/4 nodes)",
        ),
        (  # before 1.25: the taint's words hold a comma of their own
            "0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't "
            "tolerate, 2 node(s) had taint {cloud.google.com/gke-spot: true}, that the pod didn't tolerate.",
            "Pending: untolerated taint cloud.google.com/gke-spot (0/3 nodes)",
        ),
        (
            "0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory." + PREEMPTION,
            "Pending: Insufficient cpu (0/3 nodes)",
        ),
        (
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims." + PREEMPTION,
            "Pending: unbound PersistentVolumeClaim (0/3 nodes)",
        ),
        ("0/2 nodes are available: 2 node(s) were unschedulable.", "Pending: nodes cordoned (0/2 nodes)"),
        ("no nodes available to schedule pods", "Pending: no nodes in the cluster"),
    ],
)
def test_scheduler_messages_in_short_words(message: str, words: str) -> None:
    assert reason_from_message(message).short == words
    assert pending_status(unschedulable(message)) == words


def test_the_detail_keeps_every_reason_without_the_preemption_tail() -> None:
    reason = reason_from_message(
        "0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) had untolerated taint "
        "{nvidia.com/gpu: present}." + PREEMPTION
    )
    assert reason.detail == (
        "0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) had untolerated taint "
        "{nvidia.com/gpu: present}"
    )


def test_the_newest_failed_scheduling_event_wins_over_the_condition() -> None:
    pod = unschedulable("0/6 nodes are available: 6 Insufficient cpu.")
    events = [
        failed_scheduling("0/6 nodes are available: 6 node(s) didn't match Pod's node affinity/selector.", 1),
        failed_scheduling("0/6 nodes are available: 6 Insufficient nvidia.com/gpu.", 5),
        EventRow("ns/p.x", "ns", "Normal", "Pulled", "Pod", "p", "pulled", 1, None),
    ]
    assert pending_status(pod, events) == "Pending: Insufficient nvidia.com/gpu (0/6 nodes)"
    assert pending_status(pod) == "Pending: Insufficient cpu (0/6 nodes)"


def test_pods_that_are_not_waiting_for_a_node_say_nothing() -> None:
    message = "0/6 nodes are available: 6 Insufficient cpu."
    assert pending_reason(unschedulable(message, phase="Running")) is None
    scheduled = unschedulable(message)
    scheduled["spec"]["nodeName"] = "kwok-node-0"  # pulling its image: kubectl's STATUS says that
    assert pending_reason(scheduled) is None
    fresh = {"spec": {}, "status": {"phase": "Pending"}}  # not looked at by the scheduler yet
    assert pending_reason(fresh) is None
    gated = {"spec": {}, "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                                                                          "reason": "SchedulingGated"}]}}  # fmt: skip
    assert pending_status(gated) == "Pending: scheduling gated"


def test_hostile_messages_and_shapes_are_text_and_never_raise() -> None:
    words = pending_status(unschedulable("\x1b]52;c;eA==\x07 [bold]boom[/] " + "x" * 10_000))
    assert words is not None and "\x1b" not in words and "\x07" not in words and len(words) < 80
    assert pending_status({"status": "Pending"}) is None
    assert pending_status({"status": {"phase": "Pending", "conditions": [None, 3]}, "spec": []}) is None
    assert pending_status(unschedulable("0/3 nodes are available: 3 \x1b[2J Insufficient gpu.")) == (
        "Pending: ␛[2J Insufficient gpu (0/3 nodes)"
    )
