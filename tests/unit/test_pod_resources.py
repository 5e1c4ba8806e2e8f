"""The pod list's resource columns without a server: requests read from the list's JSON (plain or simdjson),
usage beside the rows, % of request/limit, sorting by usage, the cells' text and colour level."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import simdjson

from tui.models.metrics.resources import Amounts
from tui.models.metrics.usage import Usage
from tui.models.pods.row import PodRow
from tui.models.pods.table import PodTable
from tui.services.pods.rows import pod_row
from tui.widgets.pod_table import cell_text, usage_class

MI = 2**20
NOW = datetime(2026, 12, 1, tzinfo=UTC)
POD = {
    "metadata": {"namespace": "exp", "name": "train"},
    "spec": {
        "containers": [
            {
                "name": "main",
                "resources": {"requests": {"cpu": "500m", "memory": "500Mi"}, "limits": {"memory": "1Gi"}},
            },
            {"name": "side", "resources": {"limits": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": 2}}},
        ],
        "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "4"}}}],
    },
}


def row(name: str, cpu_m: int | None = None, memory: int | None = None, limit_cpu_m: int | None = None) -> PodRow:
    return PodRow("exp", name, "1/1", "Running", 0, NOW, "", "", "", requests=Amounts(cpu_m, memory),
                  limits=Amounts(limit_cpu_m))  # fmt: skip


def test_a_rows_requests_limits_and_gpus_are_the_schedulers_sums() -> None:
    made = pod_row(POD)
    # 500m + 1 (the unset request is the limit) = 1500m, but the init container's 4 cores come first: 4000m.
    assert made.requests == Amounts(4000, 500 * MI + 1024 * MI, 2)
    assert made.limits == Amounts(None, 2048 * MI, 2)  # main has no CPU limit: the pod has none
    assert made.gpus == 2


def test_the_watchs_lazy_json_gives_the_same_figures() -> None:
    # The pod list decodes with simdjson, whose objects are not Mappings: the figures must not silently vanish.
    lazy = simdjson.Parser().parse(json.dumps(POD).encode())
    assert pod_row(lazy).requests == pod_row(POD).requests and pod_row(lazy).gpus == 2


def test_hostile_resources_are_unknown_not_an_exception() -> None:
    pod = {"spec": {"containers": [{"name": "x", "resources": {"requests": {"cpu": "lots", "memory": ["1Gi"]}}}]}}
    made = pod_row(pod)
    assert made.requests == Amounts() and made.gpus == 0


def test_usage_figures_are_percent_of_request_and_limit_or_unknown() -> None:
    table = PodTable()
    table.replace_all([row("a", cpu_m=500, memory=100 * MI, limit_cpu_m=1000), row("b")])
    assert table.figure(table.rows["exp/a"], "%CPU/R") is None  # no metrics yet
    table.set_usage({"exp/a": Usage(250, 90 * MI), "exp/b": Usage(10, MI)})
    a, b = table.rows["exp/a"], table.rows["exp/b"]
    assert [table.figure(a, c) for c in ("CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L")] == [
        250, 90 * MI, 50, 25, 90, None,
    ]  # fmt: skip
    assert table.figure(b, "%CPU/R") is None and table.figure(b, "CPU") == 10


def test_sorting_by_usage_puts_unknown_last_when_biggest_first_and_follows_new_readings() -> None:
    table = PodTable()
    table.replace_all([row("a"), row("b"), row("c")])
    table.set_usage({"exp/a": Usage(100, MI), "exp/b": Usage(300, MI)})
    table.sort_by("CPU", reverse=True)
    assert table.view == ["exp/b", "exp/a", "exp/c"]
    assert table.set_usage({"exp/a": Usage(500, MI), "exp/b": Usage(300, MI)}) is True  # the order moved
    assert table.view == ["exp/a", "exp/b", "exp/c"]
    assert table.set_usage({"exp/a": Usage(600, MI), "exp/b": Usage(300, MI)}) is False  # same order
    table.sort_by("NAME")
    assert table.set_usage({}) is False  # not sorted by usage: no re-sort, only a redraw


def test_a_watch_update_keeps_the_usage_sort() -> None:
    table = PodTable()
    table.replace_all([row("a", cpu_m=100), row("b", cpu_m=100)])
    table.set_usage({"exp/a": Usage(90, MI), "exp/b": Usage(10, MI)})
    table.sort_by("%CPU/R")
    assert table.view == ["exp/b", "exp/a"]
    table.apply({"exp/b": row("b", cpu_m=5)})  # a new request: 10m of 5m is 200%
    assert table.view == ["exp/a", "exp/b"]


def test_cells_say_kubectl_tops_units_and_na() -> None:
    a = row("a", cpu_m=500, memory=500 * MI)
    usage = Usage(250, 300 * MI)
    assert [cell_text(a, c, NOW, usage) for c in ("CPU", "MEM", "%CPU/R", "%MEM/R", "%MEM/L", "GPU")] == [
        "250m", "300Mi", "50%", "60%", "n/a", "",
    ]  # fmt: skip
    assert cell_text(a, "CPU", NOW, None) == "n/a" and cell_text(a, "%CPU/R", NOW, None) == "n/a"


def test_80_and_100_percent_stand_out() -> None:
    assert [usage_class(v) for v in (None, 0, 79, 80, 99, 100, 250)] == [
        "", "", "", "pod-usage--high", "pod-usage--high", "pod-usage--over", "pod-usage--over",
    ]  # fmt: skip


def test_lazy_pods_with_other_resources_get_their_own_figures() -> None:
    # Figures are read once per distinct spec (a cache keyed by the resources as sent): a change must not be missed.
    def lazy(cpu: str, policy: str | None = None) -> PodRow:
        init = [{"name": "i", "resources": {"requests": {"cpu": "2"}}} | ({"restartPolicy": policy} if policy else {})]
        spec = {"containers": [{"name": "m", "resources": {"requests": {"cpu": cpu}}}], "initContainers": init}
        return pod_row(simdjson.Parser().parse(json.dumps({"spec": spec}).encode()))

    assert [lazy(c).requests.cpu_m for c in ("100m", "3", "100m")] == [2000, 3000, 2000]
    assert lazy("100m", "Always").requests.cpu_m == 2100  # a sidecar adds up: same resources, other meaning
