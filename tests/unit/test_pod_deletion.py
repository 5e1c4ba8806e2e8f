"""A pod being deleted, in words: how long, and why it is still there."""

from __future__ import annotations

from typing import Any

from tui.models.deploy.pod_deletion import deletion_progress


def terminating(**changes: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "metadata": {
            "name": "walk-prep",
            "deletionTimestamp": "2026-01-01T00:00:00Z",
            "deletionGracePeriodSeconds": 30,
        },
        "spec": {"nodeName": "node-1", "terminationGracePeriodSeconds": 30},
        "status": {"phase": "Running", "containerStatuses": [{"name": "main", "state": {"running": {}}}]},
    }
    for key, value in changes.items():
        pod[key] = {**pod[key], **value}
    return pod


def test_a_container_stopping_within_its_grace_period() -> None:
    progress = deletion_progress("walk-prep", terminating(), 12.3)
    assert progress.summary() == (
        "deleting pod walk-prep: Terminating, 12 s — its container main is stopping (grace period 30 s)"
    )


def test_past_the_grace_period_the_node_is_named() -> None:
    progress = deletion_progress("walk-prep", terminating(), 41)
    assert "11 s past its grace period: node node-1 has not confirmed that it stopped" in progress.summary()


def test_stopped_containers_a_finalizer_a_pod_never_scheduled_and_gone() -> None:
    stopped = terminating(status={"containerStatuses": [{"name": "main", "state": {"terminated": {}}}]})
    assert "its containers have stopped; node node-1 is cleaning up" in deletion_progress("p", stopped, 3).summary()
    held = terminating(metadata={"finalizers": ["example.com/keep"]})
    assert "held by finalizer example.com/keep" in deletion_progress("p", held, 3).summary()
    pending = terminating(spec={"nodeName": ""})
    assert "never scheduled" in deletion_progress("p", pending, 3).summary()
    gone = deletion_progress("p", None, 4.2)
    assert gone.gone and gone.summary() == "deleting pod p: Gone, 4 s — deleted"


def test_forced_says_so_and_no_grace_period() -> None:
    progress = deletion_progress("p", terminating(), 5, forced=True)
    assert progress.summary() == "deleting pod p: Terminating, 5 s — force-deleted: the API server removes it now"
