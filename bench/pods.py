"""Pod list benchmark: the real app (App.run_test with the real backends) against the real local stack.

For each N: create N pods in a fresh namespace (spread over the kwok nodes), then
- first_full_s: app launch -> every row in the table (median of --runs launches), and kubectl's
  `get pods` wall time on the same namespace for the ratio;
- event_p50_ms / event_p99_ms: a pod's status written to the API server -> that row updated in the app's table;
- rss_mb: the process's resident memory with the N rows loaded.
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


def measure(size: int, runs: int, events: int) -> dict[str, float]:
    kubeconfig = os.environ["KUBECONFIG"]
    api = k8s_config.new_client_from_config(kubeconfig)
    core = k8s.CoreV1Api(api)
    with pods_namespace(core, "bench-pods", size) as namespace:
        fulls = [asyncio.run(first_full(kubeconfig, namespace, size)) for _ in range(runs)]
        kubectl = [kubectl_get_s(kubeconfig, namespace, size) for _ in range(runs)]
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
        sizes, runs, events = [20], 1, 5
    elif args.quick:
        sizes, runs, events = [1000], 1, 30
    else:
        sizes, runs, events = [int(s) for s in args.sizes.split(",")], args.runs, args.events
    results = []
    for size in sizes:
        print(f"pods={size}", file=sys.stderr)
        result = measure(size, runs, events)
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
