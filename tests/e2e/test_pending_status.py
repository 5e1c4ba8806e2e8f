"""A Pending pod says why in the pod list's STATUS column: the real scheduler cannot place a pod asking for 16 GPUs
(no node has that many). Needs the pod list's side wired (tui/services/pods/rows.py calls pending_status)."""

from __future__ import annotations

from tests.support.app import SIZE, make_app, settle
from tests.support.nodes_events import gpu_pod
from tests.support.pods import manifest
from tests.support.stack import StackEnv, apply
from tui.screens.pods.pods import PodsScreen
from tui.widgets.pod_table import PodTableView


async def test_a_pod_no_node_can_hold_says_insufficient_gpus_in_status(stack: StackEnv, namespace: str) -> None:
    apply(stack, namespace, manifest(gpu_pod("greedy", 16)))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, PodsScreen)
        view = screen.query_one(PodTableView)

        def status() -> str:
            row = view.table.rows.get(f"{namespace}/greedy")
            return row.status if row else ""

        await settle(pilot, lambda: status().startswith("Pending: "), what=f"the reason in STATUS ({status()!r})")
        assert status().startswith("Pending: Insufficient nvidia.com/gpu (0/"), status()
        drawn = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert "Pending: Insufficient" in drawn
