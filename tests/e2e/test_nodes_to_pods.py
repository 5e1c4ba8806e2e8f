"""Enter on a node of the Nodes screen (0) shows the pod list with only that node's pods, as a filter the user
sees (`node:NAME`) and clears with Esc; `e` on the pod list opens the Events screen."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from tests.support.app import SIZE, make_app, settle
from tests.support.nodes_events import gpu_pod
from tests.support.pods import kwok_pod, manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.screens.events.events import EventsScreen
from tui.screens.nodes.nodes import NodesScreen
from tui.screens.pods.pods import PodsScreen


async def test_enter_on_a_node_filters_the_pod_list_to_it_and_esc_shows_all_again(
    stack: StackEnv, namespace: str
) -> None:
    apply(stack, namespace, manifest(gpu_pod("on-the-t4", 1, node="kwok-gpu-t4-0")))
    apply(stack, namespace, kwok_pod("elsewhere"))
    wait_pod_phase(stack, namespace, "on-the-t4", timeout=120)
    wait_pod_phase(stack, namespace, "elsewhere", timeout=120)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        pods = app.screen
        assert isinstance(pods, PodsScreen)
        await settle(pilot, lambda: len(pods.table.view) == 2, what="both pods listed")
        await pilot.press("0")
        await settle(pilot, lambda: isinstance(app.screen, NodesScreen), what="the Nodes screen")
        table = app.screen.query_one("#nodes", DataTable)
        await settle(pilot, lambda: "kwok-gpu-t4-0" in [str(key.value) for key in table.rows], what="nodes listed")
        table.move_cursor(row=table.get_row_index("kwok-gpu-t4-0"))
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is pods, what="back on the pod list")
        await settle(pilot, lambda: [pods.table.rows[key].name for key in pods.table.view] == ["on-the-t4"])
        assert pods.query_one("#pods-filter", Input).value == "node:kwok-gpu-t4-0"
        await pilot.press("escape")
        await settle(pilot, lambda: len(pods.table.view) == 2, what="every pod again after Esc")
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, EventsScreen), what="e opens the Events screen")
