"""Describe shows what kubectl describe shows first: status, containers, conditions, volumes, events."""

from datetime import UTC, datetime

from tui.services.pods.actions import describe_text


def test_describe_names_state_volumes_and_events() -> None:
    pod = {
        "metadata": {"name": "train", "namespace": "ml", "labels": {"app": "exp"}},
        "spec": {
            "nodeName": "gpu-node-1",
            "containers": [
                {
                    "name": "main",
                    "image": "europe-west2-docker.pkg.dev/p/r/train:0.2",
                    "command": ["python", "train.py"],
                    "resources": {"limits": {"nvidia.com/gpu": "1"}},
                    "volumeMounts": [{"name": "data", "mountPath": "/persistent"}],
                }
            ],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "results"}}],
        },
        "status": {
            "phase": "Pending",
            "hostIP": "10.1.1.1",
            "conditions": [{"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [
                {
                    "name": "main",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "ImagePullBackOff", "message": "pull access denied"}},
                }
            ],
        },
    }
    events = [
        {
            "type": "Warning",
            "reason": "Failed",
            "lastTimestamp": "2026-11-29T10:00:00Z",
            "source": {"component": "kubelet"},
            "message": "Failed to pull image",
        }
    ]
    text = describe_text(pod, events, datetime(2026, 11, 29, 10, 2, tzinfo=UTC))
    assert "Status:             ImagePullBackOff" in text
    assert "Node:               gpu-node-1/10.1.1.1" in text
    assert "    State:          Waiting: ImagePullBackOff pull access denied" in text
    assert "    Limits:         nvidia.com/gpu=1" in text
    assert "    Mount:          /persistent from data (rw)" in text
    assert "data: persistentVolumeClaim results" in text
    assert "    Restart Count:  0" in text
    assert "  PodScheduled                True" in text
    assert "Warning Failed            2m    kubelet             Failed to pull image" in text


def test_describe_without_events_says_none() -> None:
    text = describe_text({"metadata": {"name": "p"}, "spec": {}, "status": {}}, [], datetime.now(UTC))
    assert text.rstrip().endswith("Events:\n  <none>")
