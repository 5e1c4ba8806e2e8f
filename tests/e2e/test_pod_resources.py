"""The pod list's resource columns against the real stack: usage from metrics-server (kwok's emulated usage), % of
the request, GPUs asked for, sorting by CPU, the `m` toggle; and a real API server without metrics-server."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.metrics import apiserver_without_metrics
from tests.support.pods import manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.app import K8sxApp
from tui.models.metrics.usage import NOT_INSTALLED
from tui.screens.pods.pods import PodsScreen
from tui.widgets.pod_table import GAP, PodTableView

SCRAPES_S = 240  # a new pod: kwok's first usage, two metrics-server scrapes (15 s each), then the app's 15 s tick


def usage_pod(name: str, cpu: str, memory: str, requests: dict[str, Any], limits: dict[str, Any]) -> dict[str, Any]:
    """A kwok pod with exactly this usage (the stack's ClusterResourceUsage reads the annotations), on the T4 node:
    it has few pods, so kwok's scrape is quick and metrics-server's CPU rate stays close to the annotation."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/usage-cpu": cpu, "kwok.x-k8s.io/usage-memory": memory},
        },
        "spec": {
            "nodeSelector": {"kubernetes.io/hostname": "kwok-gpu-t4-0"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [{"name": "main", "image": "busybox", "resources": {"requests": requests, "limits": limits}}],
        },
    }


def table_view(app: K8sxApp) -> PodTableView:
    screen = app.screen_stack[0] if app.current_mode == "pods" else app.get_screen("pods")
    assert isinstance(screen, PodsScreen)
    return screen.query_one(PodTableView)


def cells(app: K8sxApp, name: str) -> dict[str, str]:
    """The row of pod `name` as drawn, cut at the columns' widths: {column title: text}."""
    view = table_view(app)
    for y in range(1, view.size.height):
        line = view.render_line(y).text
        if line.split() and line.split()[0] == name:
            out, x = {}, 0
            for column in view.columns:
                out[column] = line[x : x + view.widths[column]].strip()
                x += view.widths[column] + GAP
            return out
    return {}


def header(app: K8sxApp) -> list[str]:
    return table_view(app).render_line(0).text.split()


def shown_names(app: K8sxApp) -> list[str]:
    table = table_view(app).table
    return [table.rows[key].name for key in table.view]


def millicores(text: str) -> int:
    return int(text[:-1]) if text.endswith("m") and text[:-1].isdigit() else -1


def percent(text: str) -> int:
    return int(text[:-1]) if text.endswith("%") and text[:-1].isdigit() else -1


async def test_usage_percent_of_request_gpus_and_sorting_by_cpu(stack: StackEnv, namespace: str) -> None:
    apply(
        stack,
        namespace,
        manifest(
            usage_pod("busy", "250m", "300Mi", {"cpu": "500m", "memory": "500Mi"}, {"memory": "1000Mi"}),
            usage_pod("hot", "450m", "90Mi", {"cpu": "500m", "memory": "100Mi"}, {}),
            usage_pod("gpu", "20m", "10Mi", {"nvidia.com/gpu": 2}, {"nvidia.com/gpu": 2}),
        ),
    )
    for name in ("busy", "hot", "gpu"):
        wait_pod_phase(stack, namespace, name, timeout=120)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: len(shown_names(app)) == 3, what="the three pods listed")
        # The default set: usage, % of request, GPUs; the /L ones wait for `m`.
        assert [c for c in header(app) if c.strip("↑↓") in ("CPU", "MEM", "%CPU/R", "%MEM/R", "GPU")] == [
            "CPU", "MEM", "%CPU/R", "%MEM/R", "GPU",
        ]  # fmt: skip
        assert "%CPU/L" not in header(app)
        # GPUs come from the spec: there at once, metrics-server or not; blank for a pod without any.
        assert cells(app, "gpu")["GPU"] == "2" and cells(app, "busy")["GPU"] == ""

        await settle(
            pilot,
            lambda: all(cells(app, name).get("MEM") not in ("n/a", None) for name in ("busy", "hot", "gpu")),
            timeout=SCRAPES_S,
            what="metrics-server's usage in the MEM column",
        )
        busy = cells(app, "busy")
        assert busy["MEM"] == "300Mi" and busy["%MEM/R"] == "60%"  # working set exactly; 300Mi of 500Mi
        assert abs(millicores(busy["CPU"]) - 250) <= 25, busy  # a rate over two scrapes' clocks
        assert 45 <= percent(busy["%CPU/R"]) <= 55, busy
        assert cells(app, "gpu")["%CPU/R"] == "n/a"  # no CPU request: nothing to divide by
        assert cells(app, "hot")["%MEM/R"] == "90%"

        await pilot.press("m")  # with the limits: busy has a memory limit, no CPU limit
        busy = cells(app, "busy")
        assert busy["%MEM/L"] == "30%" and busy["%CPU/L"] == "n/a", busy

        # Sort by CPU: `o` steps through the columns on screen (NAME, READY, STATUS, RESTARTS, AGE, CPU), O reverses.
        await pilot.press("o", "o", "o", "o", "o")
        assert table_view(app).table.sort_column == "CPU"
        assert shown_names(app) == ["gpu", "busy", "hot"]
        await pilot.press("O")
        assert shown_names(app) == ["hot", "busy", "gpu"]
        assert "sorted by CPU↓" in pods_info(app)

        await pilot.press("m")  # hidden
        assert not {"CPU", "MEM", "GPU", "%CPU/R", "CPU↓"} & set(header(app))
        assert shown_names(app) == ["hot", "busy", "gpu"]  # still sorted by it


async def test_over_80_and_100_percent_stand_out(stack: StackEnv, namespace: str) -> None:
    # %MEM/R 90% (warning) and %MEM/L 150% cannot happen (the limit kills first), but usage over a request can.
    apply(
        stack,
        namespace,
        manifest(
            usage_pod("warm", "10m", "90Mi", {"memory": "100Mi"}, {}),
            usage_pod("over", "10m", "150Mi", {"memory": "100Mi"}, {}),
            usage_pod("calm", "10m", "10Mi", {"memory": "100Mi"}, {}),
        ),
    )
    for name in ("warm", "over", "calm"):
        wait_pod_phase(stack, namespace, name, timeout=120)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:

        def drawn() -> list[str | None]:
            return [cells(app, name).get("%MEM/R") for name in ("warm", "over", "calm")]

        try:
            await settle(pilot, lambda: drawn() == ["90%", "150%", "10%"], SCRAPES_S, what="the % of request drawn")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {drawn()}, {pods_info(app)}") from None
        view = table_view(app)
        high = view.get_component_rich_style("pod-usage--high")
        over = view.get_component_rich_style("pod-usage--over")
        assert high != over

        def style_of(name: str, text: str) -> Any:
            y = next(y for y in range(1, view.size.height) if view.render_line(y).text.split()[:1] == [name])
            return next(seg.style for seg in view.render_line(y) if seg.text.strip() == text)

        assert shown_names(app)[0] == "calm"  # the cursor's row (drawn in the cursor's colours) is not measured
        assert style_of("warm", "90%").color == high.color
        assert style_of("over", "150%").color == over.color and style_of("over", "150%").bold
        assert style_of("calm", "10%").color not in (high.color, over.color)


async def test_without_metrics_server_the_columns_say_na_and_the_list_works(stack: StackEnv, tmp_path: Path) -> None:
    # A real API server without the metrics.k8s.io APIService: what the app meets on a bare cluster.
    with apiserver_without_metrics(stack, tmp_path) as kubeconfig:

        def kubectl(*args: str, input: str | None = None) -> None:
            cmd = ["kubectl", "--kubeconfig", kubeconfig, *args]
            subprocess.run(cmd, input=input, text=True, check=True, capture_output=True, timeout=60)

        kubectl("create", "namespace", "bare")
        kubectl("create", "serviceaccount", "default", "-n", "bare")  # no controller-manager here to make it
        pods = [
            usage_pod(name, "1m", "1Mi", {"cpu": "100m", "nvidia.com/gpu": 1}, {"nvidia.com/gpu": 1})
            for name in ("alpha", "beta")
        ]
        kubectl("apply", "-n", "bare", "-f", "-", input=manifest(*pods))
        app = make_app(kubeconfig, stack.docker_host, namespace="bare")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: NOT_INSTALLED in pods_info(app), what="the metrics state on the info line")
            await settle(pilot, lambda: len(shown_names(app)) == 2, what="the pods listed")
            alpha = cells(app, "alpha")
            assert alpha["CPU"] == alpha["MEM"] == alpha["%CPU/R"] == "n/a" and alpha["GPU"] == "1", alpha
            assert pods_info(app).count("metrics:") == 1
            assert not [n for n in app._notifications if "metrics" in n.message]  # said once, on the info line
            # The list still works: filter, sort, the toggle.
            await pilot.press("slash", *"beta", "enter")
            await settle(pilot, lambda: shown_names(app) == ["beta"], what="the filter applied")
            await pilot.press("m")
            assert "%CPU/L" in header(app)
            assert NOT_INSTALLED in pods_info(app)

            # No retry faster than once a minute: the 15 s tick (driven here with the clock of the last read moved
            # back) asks again only after 60 s, and never while another view is shown.
            screen = app.screen_stack[0]
            assert isinstance(screen, PodsScreen)
            asked: list[str] = []
            real = screen.metrics.pod_usage
            screen.metrics.pod_usage = lambda ns: asked.append(ns) or real(ns)  # type: ignore[method-assign]
            screen._metrics_asked -= 20
            screen.metrics_due()
            await pilot.pause(0.5)
            assert asked == []
            screen._metrics_asked -= 45
            await pilot.press("2")
            await settle(pilot, lambda: not screen.is_active, what="another view shown")
            screen.metrics_due()
            await pilot.pause(0.5)
            assert asked == []
            await pilot.press("1")
            await settle(pilot, lambda: asked == ["bare"], what="a new read on coming back, a minute on")
            assert NOT_INSTALLED in pods_info(app)
