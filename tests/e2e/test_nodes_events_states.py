"""The Nodes and Events views over time and in trouble, in the real app: the 15 s refresh, a cluster without
metrics-server (n/a, said once, asked once a minute), an API server that cannot be reached, and the Events view's
ages moving on and following a namespace switched elsewhere."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

from textual.screen import Screen
from textual.widgets import DataTable

from tests.support.app import SIZE, make_app, settle
from tests.support.metrics import apiserver_without_metrics, free_port
from tests.support.nodes_events import create_event, gpu_pod, info, recording_app, table_rows
from tests.support.pods import manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply, kubeconfig_with_server, kubectl
from tui.models.metrics.usage import NOT_INSTALLED, MetricsReading
from tui.models.nodes.node import COLUMNS
from tui.screens.events.events import AGES_S, EventsScreen
from tui.screens.events.events import COLUMNS as EVENT_COLUMNS
from tui.screens.nodes.nodes import REFRESH_S, NodesScreen
from tui.services.nodes.nodes import NodesReading

BARE_NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "bare-gpu-0", "labels": {"cloud.google.com/gke-accelerator": "nvidia-l4"}},
    "status": {"capacity": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"},
               "allocatable": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}},
}  # fmt: skip


async def test_the_nodes_view_refreshes_every_15_seconds(stack: StackEnv, namespace: str) -> None:
    app = recording_app(stack, namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(NodesScreen(app.backends.kube))

        def a100_requested() -> str:  # the spot node: the other tests place their GPU pods on the T4
            rows = {row["NAME"]: row for row in table_rows(app, "nodes", COLUMNS)}
            return rows["kwok-gpu-a100-0"]["GPU/R"] if "kwok-gpu-a100-0" in rows else ""

        await settle(pilot, lambda: a100_requested() != "", what="the nodes listed")
        before = int(a100_requested())
        pod = gpu_pod("on-spot", 3, node="kwok-gpu-a100-0")
        pod["spec"]["tolerations"].append({"key": "cloud.google.com/gke-spot", "operator": "Exists"})
        apply(stack, namespace, manifest(pod))
        wait_pod_phase(stack, namespace, "on-spot", timeout=120)
        # No key pressed: the view's own 15 s tick reads the nodes again.
        await settle(
            pilot, lambda: int(a100_requested()) > before, timeout=REFRESH_S * 3, what="the refresh to count the pod"
        )


async def test_without_metrics_server_usage_is_na_said_once_and_asked_once_a_minute(
    stack: StackEnv, tmp_path: Path
) -> None:
    with apiserver_without_metrics(stack, tmp_path) as kubeconfig:
        subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "create", "-f", "-"], input=json.dumps(BARE_NODE),
                       text=True, check=True, capture_output=True, timeout=60)  # fmt: skip
        app = make_app(kubeconfig, stack.docker_host, namespace="default")
        async with app.run_test(size=SIZE) as pilot:
            screen = NodesScreen(app.backends.kube)
            await app.push_screen(screen)
            await settle(pilot, lambda: NOT_INSTALLED in info(app, "nodes-info"), what="the metrics state")
            [node] = table_rows(app, "nodes", COLUMNS)
            assert [node[c] for c in ("NAME", "GPU TYPE", "GPU/C", "SPOT")] == ["bare-gpu-0", "nvidia-l4", "1", "no"]
            assert node["CPU"] == node["MEM"] == node["%CPU"] == node["%MEM"] == "n/a"
            assert node["CPU/A"] == "8" and node["MEM/A"] == "32.0Gi"
            assert info(app, "nodes-info").count("metrics:") == 1
            assert not [n for n in app._notifications if "metrics" in n.message]  # on the info line only

            # The nodes are read again every 15 s; the missing metrics API only once a minute.
            asked: list[str] = []
            reads: list[NodesReading] = []
            usage, read = screen.service.metrics.node_usage, screen.service.read

            def counted_usage() -> MetricsReading:
                asked.append("nodes")
                return usage()

            def counted_read() -> NodesReading:
                reads.append(read())
                return reads[-1]

            screen.service.metrics.node_usage = counted_usage  # type: ignore[method-assign]
            screen.service.read = counted_read  # type: ignore[method-assign]
            await pilot.press("r")  # what the 15 s tick does
            await settle(pilot, lambda: len(reads) == 1, what="the nodes read again")
            assert asked == [] and NOT_INSTALLED in info(app, "nodes-info")
            screen.service._asked_at -= 61
            await pilot.press("r")
            await settle(pilot, lambda: asked == ["nodes"], what="the metrics API asked again a minute on")


async def test_a_cluster_that_cannot_be_reached_is_said_on_the_info_line(stack: StackEnv, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    app = make_app(kubeconfig_with_server(stack, tmp_path, f"https://127.0.0.1:{port}"), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(NodesScreen(app.backends.kube))
        await settle(pilot, lambda: "cannot list nodes" in info(app, "nodes-info"), what="the nodes' trouble")
        assert f"cannot reach https://127.0.0.1:{port}: connection refused" in info(app, "nodes-info")
        await app.push_screen(EventsScreen(app.backends.kube))
        await settle(pilot, lambda: "cannot list events" in info(app, "events-info"), what="the events' trouble")
        assert "connection refused" in info(app, "events-info")
        assert app.screen.query_one("#events", DataTable).row_count == 0


async def test_the_events_view_follows_a_namespace_switched_elsewhere(stack: StackEnv, namespace: str) -> None:
    other = f"t-{uuid.uuid4().hex[:8]}"
    kubectl(stack, "create", "namespace", other)
    try:
        for where, name in ((namespace, "here"), (other, "there")):
            create_event(stack, where, f"{name}.1", name, name.title(), f"in {where}")
        app = recording_app(stack, namespace)
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(EventsScreen(app.backends.kube))

            def reasons() -> list[str]:
                return [row["REASON"] for row in table_rows(app, "events", EVENT_COLUMNS)]

            await settle(pilot, lambda: reasons() == ["Here"], what="the first namespace's event")
            # LAST SEEN moves on by itself (no new event comes meanwhile): "2s", then "7s" …
            first_age = table_rows(app, "events", EVENT_COLUMNS)[0]["LAST SEEN"]
            await settle(
                pilot,
                lambda: table_rows(app, "events", EVENT_COLUMNS)[0]["LAST SEEN"] != first_age,
                timeout=AGES_S * 3,
                what="LAST SEEN to move on",
            )
            await app.push_screen(Screen())  # another view, where the namespace is switched
            app.backends.kube.use_namespace(other)
            app.pop_screen()
            await settle(pilot, lambda: reasons() == ["There"], what="the other namespace's event")
            assert f"namespace {other}" in info(app, "events-info")
    finally:
        kubectl(stack, "delete", "namespace", other, "--wait=false", check=False)
