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
  history's clean-up, the redraw asked for), median and worst of several refreshes (`metrics_ui_max_ms`);
- rss_full_mb, bytes_per_pod: each in a fresh process (so no earlier launch's garbage counts), the app's resident
  memory once every row is in the table (after a garbage collection), and the same app's on an empty namespace:
  bytes_per_pod = (RSS with N rows - RSS empty) / N, the whole cost of a row (its PodRow, the watch's and the
  table's indexes, what the list's decoding left the allocator holding), not tracemalloc of the row store alone;
- scroll_p50_ms / scroll_p99_ms: pagedown, pageup, end and home, posted to the app as a terminal's input thread
  hands them over (not Pilot.press, which waits for idle) -> the table's last line drawn with the new cursor;
- filter_p50_ms / filter_max_ms: `/` then a pod's name typed a key at a time, each key -> the filtered rows drawn;
  filter_clear_ms: Esc (the filter cleared) -> every row back and drawn. The scroll and filter figures come from
  --runs launches pooled.
--namespace NS measures a namespace made beforehand (pods named as _kwok_pods names them), created and deleted by
someone else. --no-metrics leaves out the metrics figures (metrics-server's emulation of 100,000 kwok pods takes
its time).
Writes bench/results/pods.json (pods.smoke.json with --smoke); the last line printed is `RESULT pods ...`.
Run: python bench/pods.py [--quick | --smoke] [--sizes 1000,10000] [--no-metrics] (needs tools/stack up; uses
$KUBECONFIG).
--smoke: 20 pods, one launch, 5 events: the same code path in seconds (CI runs it; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from kubernetes import client as k8s
from kubernetes import config as k8s_config
from textual import events
from textual.keys import _character_to_key
from textual.strip import Strip

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._kwok_pods import kubectl_get_s, pod_name, pods_namespace
from tui.app import K8sxApp
from tui.backends import Backends
from tui.screens.pods.pods import PodsScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.widgets.pod_table import PodTableView

RESULTS = Path(__file__).resolve().parent / "results"
T = TypeVar("T")


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


def launch(run: Coroutine[Any, Any, T]) -> T:
    """One launch of the app, run to its end. The app freezes the rows of a many-page list out of the collector's
    way, with whatever else lived then (its screens: one app a process in use); an earlier launch in this process
    would stay frozen, its memory counted in this one's, so it is thawed and collected first."""
    gc.unfreeze()
    gc.collect()
    return asyncio.run(run)


async def all_rows(app: K8sxApp, count: int) -> PodsScreen:
    """The pod list, once it holds `count` rows."""
    screen = app.screen
    assert isinstance(screen, PodsScreen)
    while len(screen.table.view) < count:
        await asyncio.sleep(0.005)
    return screen


async def first_full(kubeconfig: str, namespace: str, count: int) -> float:
    started = time.perf_counter()
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(160, 50)) as pilot:
        await all_rows(app, count)
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


@contextmanager
def timed_handler(name: str) -> Iterator[list[float]]:
    """PodsScreen's handler `name` timed while inside: the list fills with each call's ms on the UI thread."""
    costs: list[float] = []
    handler = getattr(PodsScreen, name)

    def timed(screen: PodsScreen, message: object) -> None:
        started = time.perf_counter()
        handler(screen, message)
        costs.append((time.perf_counter() - started) * 1000)

    setattr(PodsScreen, name, timed)  # Textual dispatches by the class
    try:
        yield costs
    finally:
        setattr(PodsScreen, name, handler)


async def metrics_ui_costs(kubeconfig: str, namespace: str, count: int, refreshes: int) -> list[float]:
    """The UI thread's time in the metrics reading's handler, for `refreshes` readings asked one after another."""
    with timed_handler("on_pod_metrics_read") as costs:
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


def type_key(app: K8sxApp, key: str) -> None:
    """A key as the terminal's input thread gives it to the app (bench/terminal.py's; Pilot.press waits for idle)."""
    character = key if len(key) == 1 else {"slash": "/", "minus": "-"}.get(key)
    event = events.Key(key, character)
    event.set_sender(app)
    app.post_message(event)


class DrawSpy:
    """When the pod table last changed (its cursor moved or its rows were set again) and when its last line was
    drawn after that: the whole view redrawn with the change."""

    def __init__(self, view: PodTableView) -> None:
        self.changed_at = 0.0
        self.drawn_at = 0.0
        render_line, cursor_moved, rows_changed = view.render_line, view.cursor_moved, view.rows_changed

        def spy_render(y: int) -> Strip:
            strip = render_line(y)
            if y == view.size.height - 1 and self.changed_at and not self.drawn_at:
                self.drawn_at = time.perf_counter()
            return strip

        def spy_cursor() -> None:
            cursor_moved()
            self.changed()

        def spy_rows() -> None:
            rows_changed()
            self.changed()

        view.render_line = spy_render  # type: ignore[method-assign]
        view.cursor_moved = spy_cursor  # type: ignore[method-assign]
        view.rows_changed = spy_rows  # type: ignore[method-assign]

    def changed(self) -> None:
        self.changed_at, self.drawn_at = time.perf_counter(), 0.0

    def arm(self) -> None:
        self.changed_at = self.drawn_at = 0.0


async def answer_ms(app: K8sxApp, spy: DrawSpy, key: str, done: object) -> float:
    """`key` typed -> `done()` holds and the table is drawn after its last change, in ms."""
    assert callable(done)
    spy.arm()
    started = time.perf_counter()
    type_key(app, key)
    deadline = started + 60
    while not (done() and spy.drawn_at):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no redraw within 60 s after {key!r}")
        await asyncio.sleep(0.001)
    elapsed = (spy.drawn_at - started) * 1000
    await asyncio.sleep(0.05)  # a person's pace: the next key after this one is seen
    return elapsed


SCROLL_KEYS = ["pagedown"] * 6 + ["end", "pageup", "pageup", "home"]


async def scroll_and_filter(kubeconfig: str, namespace: str, count: int) -> dict[str, list[float]]:
    """Scrolling (SCROLL_KEYS, twice) and filtering (`/`, a pod's name typed key by key, Esc) on the full table."""
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await all_rows(app, count)
        await pilot.pause(0.5)
        view = screen.view
        spy = DrawSpy(view)
        scrolls = []
        for key in SCROLL_KEYS * 2:  # (a key that cannot move the cursor still sets it and redraws)
            scrolls.append(await answer_ms(app, spy, key, lambda: True))
        type_key(app, "slash")
        while screen.focused is view:
            await asyncio.sleep(0.001)
        typed = ""
        filters = []
        for character in pod_name(count // 2 + 99)[: len("bench-") + 4]:  # bench-0501 of 100,000: 100 pods
            typed += character
            filters.append(
                await answer_ms(app, spy, _character_to_key(character), lambda t=typed: screen.table.filter.text == t)
            )
        clear = await answer_ms(app, spy, "escape", lambda: len(screen.table.view) == count)
    return {"scroll": scrolls, "filter": filters, "clear": [clear]}


async def loaded_rss(kubeconfig: str, namespace: str, count: int) -> float:
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, PodsScreen)
        while len(screen.table.view) < count or (count == 0 and not screen._listed_once):
            await asyncio.sleep(0.01)
        await pilot.pause(1.0)
        gc.collect()
        return rss_mb()


def rss_in_fresh_process(namespace: str, count: int) -> float:
    """The app's RSS with `count` rows of `namespace` loaded, in a process of its own (see --rss-of)."""
    done = subprocess.run(
        [sys.executable, __file__, "--rss-of", namespace, "--count", str(count)],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def memory_figures(core: k8s.CoreV1Api, namespace: str, count: int) -> dict[str, float]:
    empty = f"{namespace}-empty"
    core.create_namespace({"metadata": {"name": empty}})
    try:
        baseline = rss_in_fresh_process(empty, 0)
    finally:
        core.delete_namespace(empty, _request_timeout=60)
    full = rss_in_fresh_process(namespace, count)
    return {
        "rss_full_mb": round(full, 1),
        "rss_empty_mb": round(baseline, 1),
        "bytes_per_pod": round((full - baseline) * 1024 * 1024 / count),
    }


@contextmanager
def existing_namespace(namespace: str) -> Iterator[str]:
    yield namespace  # made by someone else (pods bench-000000 ...), left as it is


def measure(
    size: int, runs: int, events: int, refreshes: int, smoke: bool, metrics: bool, namespace: str | None = None
) -> dict[str, float]:
    kubeconfig = os.environ["KUBECONFIG"]
    api = k8s_config.new_client_from_config(kubeconfig)
    core = k8s.CoreV1Api(api)
    with existing_namespace(namespace) if namespace else pods_namespace(core, "bench-pods", size) as namespace:
        fulls = [launch(first_full(kubeconfig, namespace, size)) for _ in range(runs)]
        kubectl = [kubectl_get_s(kubeconfig, namespace, size) for _ in range(runs)]
        memory_now = memory_figures(core, namespace, size)
        answers: dict[str, list[float]] = {"scroll": [], "filter": [], "clear": []}
        for _ in range(runs):
            for kind, values in launch(scroll_and_filter(kubeconfig, namespace, size)).items():
                answers[kind] += values
        metric_figures = usage_and_refresh(kubeconfig, namespace, size, refreshes, runs, smoke) if metrics else {}
        latencies, memory = launch(event_latencies(core, kubeconfig, namespace, size, events))
    first = statistics.median(fulls)
    return {
        "pods": size,
        "first_full_s": round(first, 3),
        "kubectl_get_s": round(statistics.median(kubectl), 3),
        "ratio_vs_kubectl": round(first / statistics.median(kubectl), 2),
        "event_p50_ms": round(percentile(latencies, 50), 1),
        "event_p99_ms": round(percentile(latencies, 99), 1),
        "rss_mb": round(memory, 1),
        **memory_now,
        "scroll_p50_ms": round(percentile(answers["scroll"], 50), 1),
        "scroll_p99_ms": round(percentile(answers["scroll"], 99), 1),
        "filter_p50_ms": round(percentile(answers["filter"], 50), 1),
        "filter_max_ms": round(max(answers["filter"]), 1),
        "filter_clear_ms": round(statistics.median(answers["clear"]), 1),
        **metric_figures,
        "load": round(os.getloadavg()[0], 2),
    }


def usage_and_refresh(
    kubeconfig: str, namespace: str, size: int, refreshes: int, runs: int, smoke: bool
) -> dict[str, float]:
    """usage_full_s and metrics_ui_ms. Run before the events: their status patches move a container's start back,
    and metrics-server then skips that pod ("unexpected decrease in startTime"). A smoke run takes what is there
    after the first scrape."""
    wait_for_metrics(kubeconfig, namespace, 1 if smoke else size // 2, timeout=120 if smoke else 600)
    usage_fulls = [launch(usage_full(kubeconfig, namespace, size)) for _ in range(runs)]
    costs = launch(metrics_ui_costs(kubeconfig, namespace, size, refreshes))
    return {
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
    parser.add_argument("--no-metrics", action="store_true", help="leave out usage_full_s and metrics_ui_ms")
    parser.add_argument("--namespace", help="measure this namespace's pods (bench-000000 ...; one size) as they are")
    parser.add_argument("--rss-of", help=argparse.SUPPRESS)  # a child of memory_figures: the namespace to load
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_of:
        print(asyncio.run(loaded_rss(os.environ["KUBECONFIG"], args.rss_of, args.count)))
        return
    if args.smoke:
        sizes, runs, events, refreshes = [20], 1, 5, 2
    elif args.quick:
        sizes, runs, events, refreshes = [1000], 1, 30, 5
    else:
        sizes, runs, events, refreshes = [int(s) for s in args.sizes.split(",")], args.runs, args.events, 9
    results = []
    for size in sizes:
        print(f"pods={size}", file=sys.stderr)
        result = measure(size, runs, events, refreshes, args.smoke, not args.no_metrics, args.namespace)
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
