"""Pod list benchmark: the real app (App.run_test with the real backends) against the real local stack.

For each N: create N pods in a fresh namespace (spread over the kwok nodes), then
- first_full_s: app launch -> every row in the table (median of --runs launches), and kubectl's
  `get pods` wall time on the same namespace for the ratio;
- event_p50_ms / event_p99_ms: a pod's status written to the API server -> that row updated in the app's table;
- rss_mb: the process's resident memory with the N rows loaded;
- usage_full_s: app launch -> every row present and the first metrics reading's usage drawn in them (the bench
  waits until metrics-server has usage for half the pods first: with 10,000 kwok pods it never has all of them at
  once, it skips some at each scrape), median of --runs launches; `usage_rows`: the rows with usage then;
- metrics_ui_ms: one metrics refresh's cost on the UI thread (the reading's handler: usage into the table, the
  history's clean-up, the redraw asked for), median and worst of several refreshes (`metrics_ui_max_ms`).
Writes bench/results/pods.json (pods.smoke.json with --smoke); the last line printed is `RESULT pods ...`.
Run: python bench/pods.py [--quick | --smoke] [--sizes 1000,10000] (needs tools/stack up; uses $KUBECONFIG).
--smoke: 20 pods, one launch, 5 events: the same code path in seconds (CI runs it; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

from kubernetes import client as k8s
from kubernetes import config as k8s_config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._kwok_pods import kubectl_get_s, pods_namespace
from tui.app import K8sxApp
from tui.backends import Backends
from tui.messages import PodMetricsRead
from tui.screens.pods.pods import PodsScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService

RESULTS = Path(__file__).resolve().parent / "results"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def make_app(kubeconfig: str, namespace: str) -> K8sxApp:
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return K8sxApp(Backends(KubeService(kubeconfig, None, namespace), DockerService(docker_host)))


async def first_full(kubeconfig: str, namespace: str, count: int) -> float:
    started = time.perf_counter()
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, PodsScreen)
        while len(screen.table.view) < count:
            await asyncio.sleep(0.005)
        await pilot.pause()  # the frame that draws them
        return time.perf_counter() - started


def wait_for_metrics(kubeconfig: str, namespace: str, count: int, timeout: float) -> int:
    """Until metrics-server lists usage for `count` pods of the namespace (kwok's emulation, two scrapes): how many
    it lists then."""
    api = k8s_config.new_client_from_config(kubeconfig)
    custom = k8s.CustomObjectsApi(api)
    started = time.perf_counter()
    while True:
        body = custom.list_namespaced_custom_object("metrics.k8s.io", "v1beta1", namespace, "pods", _request_timeout=60)
        scraped = sum(1 for item in body.get("items") or [] if item.get("containers"))
        if scraped >= count:
            print(f"  metrics-server lists {scraped} pods after {time.perf_counter() - started:.0f}s", file=sys.stderr)
            return scraped
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"metrics-server lists {scraped} of {count} pods after {timeout:.0f}s")
        time.sleep(2)


def with_usage(screen: PodsScreen, count: int) -> bool:
    """Every row listed and a metrics reading with usage applied."""
    return len(screen.table.view) >= count and bool(screen.table.usage)


def rows_with_usage(screen: PodsScreen) -> int:
    return sum(1 for key in screen.table.rows if key in screen.table.usage)


async def usage_full(kubeconfig: str, namespace: str, count: int) -> tuple[float, int]:
    """Launch -> every row there with the first reading's usage (drawn: the frame after); and how many have usage."""
    started = time.perf_counter()
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, PodsScreen)
        while not with_usage(screen, count):
            await asyncio.sleep(0.005)
        await pilot.pause()
        return time.perf_counter() - started, rows_with_usage(screen)


async def metrics_ui_costs(kubeconfig: str, namespace: str, count: int, refreshes: int) -> list[float]:
    """The UI thread's time in the metrics reading's handler, for `refreshes` readings asked one after another."""
    costs: list[float] = []
    handler = PodsScreen.on_pod_metrics_read

    def timed(screen: PodsScreen, message: PodMetricsRead) -> None:
        started = time.perf_counter()
        handler(screen, message)
        costs.append((time.perf_counter() - started) * 1000)

    PodsScreen.on_pod_metrics_read = timed  # type: ignore[method-assign]  # Textual dispatches by the class
    try:
        app = make_app(kubeconfig, namespace)
        async with app.run_test(size=(160, 50)) as pilot:
            screen = app.screen
            assert isinstance(screen, PodsScreen)
            while not with_usage(screen, count):
                await asyncio.sleep(0.01)
            costs.clear()  # the first ones came while the list was still arriving
            for _ in range(refreshes):
                before = len(costs)
                screen.ask_metrics()
                while len(costs) == before:
                    await asyncio.sleep(0.01)
                await pilot.pause(0.2)
    finally:
        PodsScreen.on_pod_metrics_read = handler  # type: ignore[method-assign]
    return costs


async def event_latencies(
    core: k8s.CoreV1Api, kubeconfig: str, namespace: str, count: int, events: int
) -> tuple[list[float], float]:
    app = make_app(kubeconfig, namespace)
    latencies: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, PodsScreen)
        while len(screen.table.view) < count:
            await asyncio.sleep(0.01)
        await pilot.pause(0.5)
        loop = asyncio.get_running_loop()
        for i in range(events):
            name = f"bench-{(i * 7919) % count:06d}"
            key = f"{namespace}/{name}"
            restarts = 1000 + i
            status = {"status": {"containerStatuses": [{
                "name": "main", "image": "x", "imageID": "", "ready": True, "restartCount": restarts,
                "state": {"running": {"startedAt": "2026-11-29T00:00:00Z"}},
            }]}}  # fmt: skip
            started = time.perf_counter()
            await loop.run_in_executor(
                None, lambda n=name, s=status: core.patch_namespaced_pod_status(n, namespace, s, _request_timeout=30)
            )
            while screen.table.rows[key].restarts != restarts:
                await asyncio.sleep(0.001)
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.02)
        memory = rss_mb()
    return latencies, memory


def measure(size: int, runs: int, events: int, refreshes: int, smoke: bool) -> dict[str, float]:
    kubeconfig = os.environ["KUBECONFIG"]
    api = k8s_config.new_client_from_config(kubeconfig)
    core = k8s.CoreV1Api(api)
    with pods_namespace(core, "bench-pods", size) as namespace:
        fulls = [asyncio.run(first_full(kubeconfig, namespace, size)) for _ in range(runs)]
        kubectl = [kubectl_get_s(kubeconfig, namespace, size) for _ in range(runs)]
        # Usage before the events: their status patches move a container's start back, and metrics-server then
        # skips that pod ("unexpected decrease in startTime"). A smoke run takes what is there after the first scrape.
        wait_for_metrics(kubeconfig, namespace, 1 if smoke else size // 2, timeout=120 if smoke else 600)
        usage_fulls = [asyncio.run(usage_full(kubeconfig, namespace, size)) for _ in range(runs)]
        costs = asyncio.run(metrics_ui_costs(kubeconfig, namespace, size, refreshes))
        latencies, memory = asyncio.run(event_latencies(core, kubeconfig, namespace, size, events))
    first = statistics.median(fulls)
    return {
        "pods": size,
        "first_full_s": round(first, 3),
        "kubectl_get_s": round(statistics.median(kubectl), 3),
        "ratio_vs_kubectl": round(first / statistics.median(kubectl), 2),
        "event_p50_ms": round(percentile(latencies, 50), 1),
        "event_p99_ms": round(percentile(latencies, 99), 1),
        "rss_mb": round(memory, 1),
        "usage_full_s": round(statistics.median(seconds for seconds, _ in usage_fulls), 3),
        "usage_rows": min(rows for _, rows in usage_fulls),
        "metrics_ui_ms": round(statistics.median(costs), 1),
        "metrics_ui_max_ms": round(max(costs), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 pods, one launch: under a minute")
    parser.add_argument("--smoke", action="store_true", help="20 pods, one launch, 5 events: seconds, for CI")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args()
    if args.smoke:
        sizes, runs, events, refreshes = [20], 1, 5, 2
    elif args.quick:
        sizes, runs, events, refreshes = [1000], 1, 30, 5
    else:
        sizes, runs, events, refreshes = [int(s) for s in args.sizes.split(",")], args.runs, args.events, 9
    results = []
    for size in sizes:
        print(f"pods={size}", file=sys.stderr)
        result = measure(size, runs, events, refreshes, args.smoke)
        print("  " + json.dumps(result), file=sys.stderr)
        results.append(result)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("pods.smoke.json" if args.smoke else "pods.json")).write_text(json.dumps(results, indent=2))
    line = " ".join(
        f"{key}={value}" if len(results) == 1 else f"{key}@{r['pods']}={value}"
        for r in results
        for key, value in r.items()
        if key != "pods" or len(results) == 1
    )
    print(f"RESULT pods {line}")


if __name__ == "__main__":
    main()
