"""Events and nodes read from their JSON as the API server sends it (both event shapes; hostile text) into rows."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.models.events.event import event_row
from tui.models.events.table import EventTable
from tui.models.metrics.usage import Usage
from tui.models.nodes.node import COLUMNS, Requested, node_cells, node_row, node_status

SERIES_EVENT = {  # written through events.k8s.io (the scheduler): no count, a series
    "metadata": {"name": "big.18eef9dfd498e75c", "namespace": "ns", "resourceVersion": "9"},
    "involvedObject": {"kind": "Pod", "name": "big", "namespace": "ns"},
    "reason": "FailedScheduling",
    "message": "0/5 nodes are available: 3 Insufficient nvidia.com/gpu.",
    "type": "Warning",
    "count": None,
    "lastTimestamp": None,
    "eventTime": "2026-12-07T12:54:01.107212Z",
    "series": {"count": 2, "lastObservedTime": "2026-12-07T12:54:02.755457Z"},
}
OLD_EVENT = {  # core/v1's own shape (the kubelet, controllers)
    "metadata": {"name": "big.1", "namespace": "ns", "creationTimestamp": "2026-12-07T12:00:00Z"},
    "involvedObject": {"kind": "Pod", "name": "big"},
    "reason": "Pulled",
    "message": "pulled \x1b]52;c;eA==\x07 [bold]x[/]\nsecond line",
    "type": "Normal",
    "count": 7,
    "lastTimestamp": "2026-12-07T12:10:00Z",
}


def test_both_event_shapes_give_count_and_last_seen() -> None:
    new, old = event_row(SERIES_EVENT), event_row(OLD_EVENT)
    assert (new.key, new.object, new.count, new.warning) == ("ns/big.18eef9dfd498e75c", "pod/big", 2, True)
    assert new.last_seen == datetime(2026, 12, 7, 12, 54, 2, 755457, tzinfo=UTC)
    assert (old.count, old.last_seen, old.warning) == (7, datetime(2026, 12, 7, 12, 10, tzinfo=UTC), False)
    # Terminal commands and line breaks are visible text; markup stays text for whoever draws it as text.
    assert old.message == "pulled ␛]52;c;eA==␇ [bold]x[/]␊second line"


def test_hostile_event_shapes_never_raise() -> None:
    row = event_row({"metadata": {"name": 5}, "involvedObject": [], "count": "many", "lastTimestamp": "soon",
                     "eventTime": "2026-12-07T12:00:00", "message": "m" * 100_000})  # fmt: skip
    assert row.count == 1 and row.last_seen == datetime(2026, 12, 7, 12, tzinfo=UTC) and len(row.message) == 2000


def test_the_table_is_newest_first_and_w_keeps_warnings() -> None:
    table = EventTable()
    undated = event_row({"metadata": {"name": "x", "namespace": "ns"}, "type": "Normal"})
    table.replace_all([event_row(OLD_EVENT), event_row(SERIES_EVENT), undated])
    assert [r.reason for r in table.view()] == ["FailedScheduling", "Pulled", ""]
    table.warnings_only = True
    assert [r.reason for r in table.view()] == ["FailedScheduling"]
    table.apply({"ns/big.18eef9dfd498e75c": None})
    assert table.view() == [] and len(table.rows) == 2
    assert len(table.view(shown=1)) == 0


GPU_NODE = {
    "metadata": {
        "name": "kwok-gpu-a100-0",
        "labels": {
            "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
            "cloud.google.com/gke-spot": "true",
            "node-role.kubernetes.io/worker": "",
        },
    },
    "spec": {
        "taints": [
            {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
            {"key": "cloud.google.com/gke-spot", "value": "true", "effect": "NoSchedule"},
        ],
        "unschedulable": True,
    },
    "status": {
        "capacity": {"cpu": "96", "memory": "1360Gi", "nvidia.com/gpu": "8"},
        "allocatable": {"cpu": "95500m", "memory": "1350Gi", "nvidia.com/gpu": "8"},
        "conditions": [{"type": "Ready", "status": "True"}],
    },
}


def test_a_gpu_node_row_and_its_cells() -> None:
    row = node_row(GPU_NODE, Requested(cpu_m=1500, memory=2**30, gpu=2, pods=3), Usage(cpu_m=955, memory=None))
    cells = dict(zip(COLUMNS, node_cells(row), strict=True))
    assert cells["STATUS"] == "Ready,SchedulingDisabled" and cells["ROLES"] == "worker"
    assert (cells["CPU/R"], cells["CPU/A"], cells["CPU/C"], cells["CPU"], cells["%CPU"]) == (
        "1500m", "95500m", "96", "955m", "1%",
    )  # fmt: skip
    assert (cells["MEM/R"], cells["MEM/C"], cells["MEM"], cells["%MEM"]) == ("1024Mi", "1360.0Gi", "n/a", "n/a")
    assert (cells["GPU/R"], cells["GPU/A"], cells["GPU/C"], cells["GPU TYPE"], cells["SPOT"]) == (
        "2", "8", "8", "nvidia-a100-80gb", "yes",
    )  # fmt: skip
    assert cells["TAINTS"] == "nvidia.com/gpu:NoSchedule, cloud.google.com/gke-spot:NoSchedule"
    assert cells["PODS"] == "3"


def test_a_plain_node_has_quiet_gpu_cells_and_kubectls_status_words() -> None:
    plain = {"metadata": {"name": "n", "labels": {"kubernetes.io/role": "edge"}}, "status": {"conditions": []}}
    cells = dict(zip(COLUMNS, node_cells(node_row(plain, None, None)), strict=True))
    assert (cells["STATUS"], cells["ROLES"], cells["GPU/R"], cells["GPU TYPE"], cells["SPOT"], cells["TAINTS"]) == (
        "Unknown", "edge", "-", "-", "no", "-",
    )  # fmt: skip
    assert cells["CPU"] == "n/a" and cells["PODS"] == "0"
    down = {"status": {"conditions": [{"type": "Ready", "status": "False"}]}}
    assert node_status(down) == "NotReady"
    assert node_row({"metadata": "x", "spec": {"taints": "y"}, "status": []}, None, None).name == ""
