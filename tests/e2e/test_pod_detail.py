"""A pod's detail (`i` on the pod list) against the real stack: CPU and memory sparklines fed by metrics-server's
readings (kwok's emulated usage), live; requests and limits beside them; the pod's events with hostile text drawn as
the text it is; Esc back to the list."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.gpu_pods import resource_pod
from tests.support.pods import manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply, kubectl
from tui.screens.pods.detail import PodDetailScreen
from tui.screens.pods.pods import PodsScreen
from tui.widgets.pod_table import PodTableView

SCRAPES_S = 240  # a new pod: kwok's first usage, two metrics-server scrapes (15 s each), then the app's 15 s tick
HOSTILE = "pulled \x1b]52;c;eA==\x07 [bold red]not markup[/] done"


async def test_detail_sparklines_requests_limits_events_live_and_back(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    requests, limits = {"cpu": "500m", "memory": "500Mi"}, {"memory": "1000Mi"}
    apply(stack, namespace, manifest(*resource_pod("busy", "250m", "300Mi", requests, limits)))
    wait_pod_phase(stack, namespace, "busy", timeout=120)
    note = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "busy.hostile"},
        "involvedObject": {"kind": "Pod", "name": "busy", "namespace": namespace},
        "reason": "Pulled[/]",
        "message": HOSTILE,
        "type": "Warning",
    }
    kubectl(stack, "create", "-n", namespace, "-f", "-", input=json.dumps(note))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        pods = app.screen
        assert isinstance(pods, PodsScreen)
        await settle(pilot, lambda: len(pods.table.rows) == 1, what="the pod listed")
        shown = {binding.id for _, binding, _, _ in pods.active_bindings.values() if binding.show}
        assert "pods.detail" in shown  # in the footer (and the help)
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, PodDetailScreen)
        heading = str(screen.query_one("#detail-heading", Static).content)
        assert heading.startswith(f"Pod {namespace}/busy · Running · node kwok-node-")
        # Requests and limits are there at once (the spec's), usage once metrics-server has it.
        assert "request 500m" in screen.figures("CPU") and "limit none" in screen.figures("CPU")
        assert "request 500Mi" in screen.figures("MEM") and "limit 1000Mi" in screen.figures("MEM")
        assert screen.figures("GPU") == "no GPUs asked for"

        # The pod's events: the hostile one as the text it is (control characters visible, no markup).
        await settle(pilot, lambda: "Pulled[/]" in [e.reason for e in screen.events], what="the pod's events")
        assert "Scheduled" in [e.reason for e in screen.events]  # the scheduler's, about this pod too
        table = screen.query_one("#detail-events", DataTable)
        drawn = "\n".join(table.render_line(y).text for y in range(table.size.height))
        assert "␛]52;c;eA==␇ [bold red]not markup[/] done" in drawn and "Pulled[/]" in drawn
        assert "\x1b" not in app.export_screenshot()

        # Samples from the pod list's metrics readings, while the detail is open (the list is not on screen).
        await settle(
            pilot,
            lambda: len(screen.sparkline("MEM").data or []) >= 1,
            timeout=SCRAPES_S,
            what="a first usage sample in the detail",
        )
        first = len(screen.sparkline("MEM").data or [])
        assert screen.figures("MEM").startswith("300Mi now")
        assert "request 500Mi (60%) · limit 1000Mi (30%)" in screen.figures("MEM")
        await settle(
            pilot,
            lambda: len(screen.sparkline("MEM").data or []) > first,
            timeout=60,
            what="the next sample, drawn live",
        )
        assert set(screen.sparkline("MEM").data or []) == {300 * 2**20}
        assert all(200 <= m <= 300 for m in screen.sparkline("CPU").data or []), screen.sparkline("CPU").data
        assert "samples over" in str(screen.query_one("#detail-span", Static).content)

        await pilot.press("escape")
        assert app.screen is pods and isinstance(app.screen.focused, PodTableView)
