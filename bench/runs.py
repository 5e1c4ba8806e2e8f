"""Runs benchmark: the real app (App.run_test with the real backends) against the real local stack.

- archive: N kwok pods (50; --smoke 3), each recorded as a run, whose CRI log files are appended at R lines/s
  each (2,000; --smoke 200) for S seconds (10; --smoke 2) while the app shows the pod list and its run follower
  archives every container's log. archive_frame_gap_p99_ms: the 99th percentile of the gaps between turns of the
  app's event loop (a probe asking for one every 10 ms) while the lines come in (target < 50 ms);
  lines_written / lines_archived / lines_lost: every line counted in the archives once the writers stop (target:
  none lost); archive_catch_up_s: from the writers' stop to the last line archived.
- screen: runs_screen_open_ms: `9` pressed with 10,000 runs recorded (--smoke 500) -> every run in the Runs
  screen's table (target < 200 ms).
- load: the 1-minute load average at the end (other work on the machine's 2 cores shows in the figures).
Writes bench/results/runs.json (runs.smoke.json with --smoke); the last line printed is `RESULT runs ...`.
Run: python bench/runs.py [--smoke] [--pods N] [--rate R] [--seconds S] [--runs-recorded K] (needs tools/stack up).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.pods import kwok_pod
from tests.support.stack import read_stack_env, wait_for
from tui.app import K8sxApp
from tui.backends import Backends
from tui.models.runs.run import Run
from tui.screens.pods.pods import PodsScreen
from tui.screens.runs.runs import RunsScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.services.runs.store import RunStore, new_run_id

RESULTS = Path(__file__).resolve().parent / "results"
SIZE = (160, 50)


def kubectl(*args: str, input: str | None = None) -> str:
    import subprocess

    done = subprocess.run(["kubectl", *args], input=input, capture_output=True, text=True, check=True)
    return done.stdout


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def make_app(namespace: str) -> K8sxApp:
    env = read_stack_env()
    return K8sxApp(Backends(KubeService(env["KUBECONFIG"], None, namespace), DockerService(env["DOCKER_HOST"])))


def new_pods(namespace: str, folder: Path, count: int) -> list[tuple[str, Path]]:
    pods = []
    for index in range(count):
        name = f"run-{index:02d}-{uuid.uuid4().hex[:4]}"
        logfile = folder / f"{name}.log"
        logfile.touch()
        kubectl(
            "apply", "-n", namespace, "-f", "-", input=kwok_pod(name, logs=[{"logsFile": str(logfile), "follow": True}])
        )
        pods.append((name, logfile))
    for name, _ in pods:
        wait_for(
            lambda name=name: (
                kubectl("get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.phase}") == "Running"
            ),
            timeout=120,
            what=f"pod {name} Running",
        )
    return pods


def record_runs(store: RunStore, kube: KubeService, namespace: str, names: list[str]) -> list[Run]:
    kube.api_client()  # loads the kubeconfig: the context is known from here on
    context = kube.context or ""
    runs = [
        Run(
            id=new_run_id(),
            name=name,
            kind="Pod",
            namespace=namespace,
            context=context,
            server="",
            created=time.time(),
            manifest=f"kind: Pod\nmetadata:\n  name: {name}\n",
            images=("busybox",),
        )
        for name in names
    ]
    for run in runs:
        store.record(run)
    return runs


def write_lines(logfile: Path, rate: int, seconds: float, stop: threading.Event) -> int:
    """CRI lines at `rate` a second in 10 ms batches, for `seconds`; how many were written."""
    written = 0
    started = time.perf_counter()
    with logfile.open("a", buffering=1 << 16) as out:
        while not stop.is_set():
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                break
            due = min(int(elapsed * rate), int(seconds * rate))
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
            for index in range(written, due):
                out.write(f"{stamp}000Z stdout F step {index} loss=0.{index % 9973:04d} lr=0.0003 epoch=3\n")
            written = max(written, due)
            out.flush()
            time.sleep(0.01)
    return written


async def archive_scenario(namespace: str, folder: Path, pods: int, rate: int, seconds: float) -> dict[str, float]:
    created = new_pods(namespace, folder, pods)
    app = make_app(namespace)
    store = RunStore()
    runs = record_runs(store, app.backends.kube, namespace, [name for name, _ in created])
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PodsScreen)
        await pilot.pause(1.0)
        counts: list[int] = [0] * len(created)
        stop = threading.Event()

        def writer(index: int, logfile: Path) -> None:
            counts[index] = write_lines(logfile, rate, seconds, stop)

        threads = [threading.Thread(target=writer, args=(i, log)) for i, (_, log) in enumerate(created)]
        gaps: list[float] = []
        for thread in threads:
            thread.start()
        last = time.perf_counter()
        while any(thread.is_alive() for thread in threads):
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        for thread in threads:
            thread.join()
        written = sum(counts)
        stopped = time.perf_counter()

        def archived() -> int:
            return sum(archive.lines for run in runs for archive in store.logs(run.id))

        while archived() < written and time.perf_counter() - stopped < 120:
            await asyncio.sleep(0.25)
        catch_up = time.perf_counter() - stopped
        got = archived()
    return {
        "archive_frame_gap_p99_ms": percentile(gaps, 99) * 1000,
        "lines_written": written,
        "lines_archived": got,
        "lines_lost": written - got,
        "archive_catch_up_s": catch_up,
    }


async def screen_scenario(count: int) -> dict[str, float]:
    store = RunStore()
    now = time.time()
    for index in range(count):
        store.record(
            Run(
                id=f"bench-{index:06d}",
                name=f"train-{index}",
                kind="Pod",
                namespace="bench",
                context="bench",
                server="",
                created=now - index,
                manifest="kind: Pod\n",
                images=(f"registry.example/team/train:0.{index % 50}",),
                phase="Succeeded",
                ended=now - index + 60,
            )
        )
    app = make_app("default")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        started = time.perf_counter()
        await pilot.press("9")
        while True:
            screen = app.screen
            if isinstance(screen, RunsScreen) and len(screen.view.rows.summaries) >= count:
                break
            if time.perf_counter() - started > 60:
                raise SystemExit("the Runs screen did not show the runs within a minute")
            await asyncio.sleep(0.002)
        opened = time.perf_counter() - started
    return {"runs_screen_open_ms": opened * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="3 pods, 2 s, 500 runs: seconds, for CI")
    parser.add_argument("--pods", type=int, default=50)
    parser.add_argument("--rate", type=int, default=2000, help="lines a second per pod")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs-recorded", type=int, default=10_000)
    args = parser.parse_args()
    if args.smoke:
        pods, rate, seconds, recorded = 3, 200, 2.0, 500
    else:
        pods, rate, seconds, recorded = args.pods, args.rate, args.seconds, args.runs_recorded
    env = read_stack_env()
    os.environ["KUBECONFIG"] = env["KUBECONFIG"]
    namespace = f"bench-runs-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="k8sx-bench-runs-") as folder:
        os.environ["XDG_STATE_HOME"] = str(Path(folder) / "state-archive")
        kubectl("create", "namespace", namespace)
        try:
            wait_for(lambda: kubectl("get", "serviceaccount", "default", "-n", namespace) != "", what="the namespace")
            result = asyncio.run(archive_scenario(namespace, Path(folder), pods, rate, seconds))
        finally:
            kubectl("delete", "pods", "--all", "-n", namespace, "--grace-period=0", "--force")
            kubectl("delete", "namespace", namespace, "--wait=false")
        os.environ["XDG_STATE_HOME"] = str(Path(folder) / "state-screen")
        result |= asyncio.run(screen_scenario(recorded))
    result = {
        "pods": pods,
        "lines_per_s_per_pod": rate,
        "seconds": seconds,
        "runs_recorded": recorded,
        **{key: round(value, 1) if isinstance(value, float) else value for key, value in result.items()},
        "load": round(os.getloadavg()[0], 1),
    }
    print("  " + json.dumps(result), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("runs.smoke.json" if args.smoke else "runs.json")).write_text(json.dumps(result, indent=2))
    keys = ("pods", "archive_frame_gap_p99_ms", "lines_written", "lines_lost", "archive_catch_up_s",
            "runs_screen_open_ms", "load")  # fmt: skip
    print("RESULT runs " + " ".join(f"{key}={result[key]}" for key in keys))
    if result["lines_lost"]:
        raise SystemExit(f"{result['lines_lost']} lines were not archived")


if __name__ == "__main__":
    main()
