"""The Nodes and Events views in the real app against the real stack: kwok's GPU nodes with their types, spot flag,
taints and the GPUs a pod holds; Enter asking the pod list for a node's pods; the namespace's events live (the
scheduler's FailedScheduling of a pod no node can hold), `w` for warnings only, hostile event text as text."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.support.app import SIZE, settle
from tests.support.nodes_events import create_event, gpu_pod, info, recording_app, table_rows
from tests.support.pods import manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.models.nodes.node import COLUMNS
from tui.screens.events.events import COLUMNS as EVENT_COLUMNS
from tui.screens.events.events import EventsScreen
from tui.screens.nodes.nodes import NodesScreen

HOSTILE = "pulled \x1b]52;c;eA==\x07 [bold red]not markup[/] done"


async def test_nodes_view_shows_gpu_nodes_types_spot_and_requested_gpus(stack: StackEnv, namespace: str) -> None:
    apply(stack, namespace, manifest(gpu_pod("two-gpus", 2, node="kwok-gpu-t4-0")))
    wait_pod_phase(stack, namespace, "two-gpus", timeout=120)
    app = recording_app(stack, namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(NodesScreen(app.backends.kube))

        def nodes() -> dict[str, dict[str, str]]:
            return {row["NAME"]: row for row in table_rows(app, "nodes", COLUMNS)}

        await settle(pilot, lambda: "kwok-gpu-t4-0" in nodes(), what="the nodes listed")
        t4, a100 = nodes()["kwok-gpu-t4-0"], nodes()["kwok-gpu-a100-0"]
        assert (t4["GPU TYPE"], t4["SPOT"], t4["GPU/C"], t4["GPU/A"]) == ("nvidia-tesla-t4", "no", "4", "4")
        assert int(t4["GPU/R"]) >= 2  # this test's pod (others may hold some of the T4s too)
        assert t4["TAINTS"] == "nvidia.com/gpu:NoSchedule" and t4["STATUS"] == "Ready"
        assert (a100["GPU TYPE"], a100["SPOT"], a100["GPU/C"]) == ("nvidia-a100-80gb", "yes", "8")
        assert "cloud.google.com/gke-spot:NoSchedule" in a100["TAINTS"]
        assert nodes()["real-node-0"]["GPU/C"] == "-" and nodes()["real-node-0"]["GPU TYPE"] == "-"
        assert "live" in info(app, "nodes-info")
        # Usage from metrics-server (the stack has it; a fresh node may wait for its first scrape).
        await settle(pilot, lambda: nodes()["kwok-gpu-t4-0"]["MEM"] != "n/a", timeout=60, what="the T4's usage")

        # Enter on the T4: the pod list is asked for that node's pods.
        table = app.screen.query_one("#nodes", DataTable)
        table.move_cursor(row=table.get_row_index("kwok-gpu-t4-0"))
        await pilot.press("enter")
        await settle(pilot, lambda: app.asked_for == ["kwok-gpu-t4-0"], what="the pod list asked for the T4's pods")
        assert isinstance(app.screen, NodesScreen)  # the table's own Enter did not run instead


async def test_events_view_is_live_newest_first_w_warnings_only_and_hostile_text(
    stack: StackEnv, namespace: str
) -> None:
    create_event(stack, namespace, "exp.hostile", "exp", "Pulled", HOSTILE)
    app = recording_app(stack, namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(EventsScreen(app.backends.kube))

        def events() -> list[dict[str, str]]:
            return table_rows(app, "events", EVENT_COLUMNS)

        await settle(pilot, lambda: [e["REASON"] for e in events()] == ["Pulled"], what="the listed event")
        [pulled] = events()
        assert pulled["MESSAGE"] == "pulled ␛]52;c;eA==␇ [bold red]not markup[/] done"
        assert pulled["OBJECT"] == "pod/exp" and pulled["TYPE"] == "Normal" and pulled["COUNT"] == "1"
        table = app.screen.query_one("#events", DataTable)
        drawn = "\n".join(table.render_line(y).text for y in range(table.size.height))
        assert "␛]52;c;eA==␇ [bold red]not markup[/] done" in drawn  # drawn as the text it is, not as markup
        assert "\x1b" not in app.export_screenshot()

        # An event the scheduler writes while the view is open: no node has 16 GPUs.
        apply(stack, namespace, manifest(gpu_pod("greedy", 16)))
        await settle(
            pilot, lambda: "FailedScheduling" in [e["REASON"] for e in events()], what="the FailedScheduling event"
        )
        first = events()[0]  # the newest
        assert (first["REASON"], first["TYPE"], first["OBJECT"]) == ("FailedScheduling", "Warning", "pod/greedy")
        assert "Insufficient nvidia.com/gpu" in first["MESSAGE"]

        await pilot.press("w")
        assert {e["TYPE"] for e in events()} == {"Warning"} and "Pulled" not in [e["REASON"] for e in events()]
        assert "warnings of" in info(app, "events-info") and "w: all events" in info(app, "events-info")
        await pilot.press("w")
        assert "Pulled" in [e["REASON"] for e in events()]
        assert "live" in info(app, "events-info")
