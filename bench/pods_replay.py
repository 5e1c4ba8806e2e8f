"""The pod list at 100,000 pods without 100,000 pods: a list replayed into the real app.

bench/pods.py needs the pods in the cluster (100,000 kwok pods keep kwok busy for half an hour); this replays the
list instead. One kwok pod as the API server sent it (bench/pods_replay_pod.json, captured from a pod made as
bench/_kwok_pods.py makes them, Running) is multiplied into N pods (names bench-000000 …, their own uid, node, IP
and image tag) and served as the API server serves a list, in pages of 1,000 with continue tokens, through the app's
own list code (PodWatcher's paging, decoding and rows); the watch after it stays silent. The app is the real one
(App.run_test with the real backends: the stack must be up for its start-up probe). Measured:
- decode_s: the watch thread's work alone, outside the app: every page decoded and its rows built;
- first_full_s: app launch -> every row in the table and drawn (median of --runs launches);
- list_ui_ms: the UI thread's time in the pod list's batch handler while the list came in (its sum; `_max_ms` the
  longest one), the share of first_full_s the UI thread spent on the rows;
- scroll_*, filter_*, filter_clear_ms: as bench/pods.py measures them (its own code), pooled over --runs launches.
Writes bench/results/pods_replay.json (.smoke.json with --smoke); the last line is `RESULT pods_replay ...`.
Run: python bench/pods_replay.py [--smoke | --quick] [--pods 100000] [--runs 3] (with tools/stack env).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._kwok_pods import KWOK_NODES, pod_name
from bench.pods import RESULTS, all_rows, launch, make_app, percentile, scroll_and_filter, timed_handler
from tui.services.pods import watch as pod_watch
from tui.services.pods.rows import pod_row

TEMPLATE = Path(__file__).resolve().parent / "pods_replay_pod.json"
NAMESPACE = "pods-replay"  # never asked for: a list with rows needs no namespace check
PAGE = 1000


def replay_pages(count: int, namespace: str = NAMESPACE) -> list[bytes]:
    """`count` pods as the API server lists them: pages of PAGE items, the list's metadata first."""
    template = json.loads(TEMPLATE.read_text())
    pages: list[bytes] = []
    for start in range(0, max(count, 1), PAGE):
        items = []
        for index in range(start, min(count, start + PAGE)):
            pod = json.loads(json.dumps(template))  # a deep copy
            meta, spec, status = pod["metadata"], pod["spec"], pod["status"]
            meta |= {"name": pod_name(index), "namespace": namespace, "uid": str(uuid.uuid4())}
            meta["labels"]["shard"] = str(index % 10)
            meta["resourceVersion"] = str(1_000_000 + index)
            spec["nodeName"] = KWOK_NODES[index % len(KWOK_NODES)]
            image = f"127.0.0.1:5000/bench/worker:{index % 7}"
            spec["containers"][0]["image"] = status["containerStatuses"][0]["image"] = image
            ip = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
            status["podIP"], status["podIPs"] = ip, [{"ip": ip}]
            items.append(pod)
        last = start + PAGE >= count
        metadata: dict[str, Any] = {"resourceVersion": "2000000"}
        if not last:
            metadata |= {"continue": str(start + PAGE), "remainingItemCount": count - start - PAGE}
        body = {"kind": "PodList", "apiVersion": "v1", "metadata": metadata, "items": items}
        pages.append(json.dumps(body, separators=(",", ":")).encode())
    return pages


def serve(pages: list[bytes]) -> Callable[[], None]:
    """The app's list requests answered from `pages`, its watch silent until stopped; returns the undo."""
    original_page, original_watch = pod_watch.list_page, pod_watch.PodWatcher._watch

    def list_page(kube: object, path: str, token: str | None, **query: object) -> bytes:
        return pages[int(token or 0) // PAGE]

    def silent_watch(self: pod_watch.PodWatcher, version: str) -> Generator[Any, None, str]:
        self._stopped.wait()
        return ""
        yield  # a generator, as ListWatch._watch is

    pod_watch.list_page = list_page  # type: ignore[assignment]
    pod_watch.PodWatcher._watch = silent_watch  # type: ignore[method-assign]

    def undo() -> None:
        pod_watch.list_page = original_page
        pod_watch.PodWatcher._watch = original_watch  # type: ignore[method-assign]

    return undo


def decode_s(pages: list[bytes]) -> float:
    """The watch thread's share: each page decoded as the app decodes it, its rows built."""
    started = time.perf_counter()
    for page in pages:
        rows = [pod_row(item) for item in pod_watch._decode(page).get("items") or []]
        assert rows or len(pages) == 1
    return time.perf_counter() - started


async def first_full(kubeconfig: str, count: int) -> tuple[float, list[float]]:
    """Launch -> every row drawn; and the UI thread's time (ms) in each batch handled meanwhile."""
    with timed_handler("on_pods_pending") as costs:
        started = time.perf_counter()
        app = make_app(kubeconfig, NAMESPACE)
        async with app.run_test(size=(160, 50)) as pilot:
            await all_rows(app, count)
            await pilot.pause()  # the frame that draws them
            return time.perf_counter() - started, costs


def measure(count: int, runs: int) -> dict[str, float]:
    kubeconfig = os.environ["KUBECONFIG"]
    pages = replay_pages(count)
    decoding = statistics.median(decode_s(pages) for _ in range(runs))
    undo = serve(pages)
    try:
        launches = [launch(first_full(kubeconfig, count)) for _ in range(runs)]
        answers: dict[str, list[float]] = {"scroll": [], "filter": [], "clear": []}
        for _ in range(runs):
            for kind, values in launch(scroll_and_filter(kubeconfig, NAMESPACE, count)).items():
                answers[kind] += values
    finally:
        undo()
    return {
        "pods": count,
        "decode_s": round(decoding, 3),
        "first_full_s": round(statistics.median(seconds for seconds, _ in launches), 3),
        "list_ui_ms": round(statistics.median(sum(costs) for _, costs in launches), 1),
        "list_ui_max_ms": round(max(max(costs, default=0.0) for _, costs in launches), 1),
        "list_batches": statistics.median(len(costs) for _, costs in launches),
        "scroll_p50_ms": round(percentile(answers["scroll"], 50), 1),
        "scroll_p99_ms": round(percentile(answers["scroll"], 99), 1),
        "filter_p50_ms": round(percentile(answers["filter"], 50), 1),
        "filter_max_ms": round(max(answers["filter"]), 1),
        "filter_clear_ms": round(statistics.median(answers["clear"]), 1),
        "load": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="20 pods, one launch: seconds, for CI")
    parser.add_argument("--quick", action="store_true", help="10,000 pods, one launch")
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    count, runs = (20, 1) if args.smoke else (10_000, 1) if args.quick else (args.pods, args.runs)
    result = measure(count, runs)
    RESULTS.mkdir(exist_ok=True)
    name = "pods_replay.smoke.json" if args.smoke else "pods_replay.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2))
    print("RESULT pods_replay " + " ".join(f"{key}={value}" for key, value in result.items()))


if __name__ == "__main__":
    main()
