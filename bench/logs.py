"""Logs benchmark: the real app (App.run_test with the real backends) follows a kwok pod whose CRI log file is
appended at full speed, through the real kube-apiserver.

For each run: a fresh pod with an empty log file; the app opens its logs (range: all) and waits; then a writer
appends N lines as fast as it can and
- lines_per_s: N / (first line written -> the last line in the app's history and drawn on screen);
- frame_gap_p99_ms: the 99th percentile of the gaps between turns of the app's event loop (a probe that asks for a
  turn every 10 ms) while the lines come in: how long a key press could wait; frame_gap_idle_p99_ms: the same for
  2 s just before, the app idle (what the machine alone costs: other processes share its 2 cores);
- rss_mb: the process's resident memory after the N lines (Python, Textual and the kubernetes client included),
  and rss_growth_mb: how much of it the N lines added;
- kubectl_lines_per_s: `kubectl logs -f` of the same kind of pod and file, its output counted through a pipe (the
  ceiling: what the server side delivers); ratio_vs_kubectl = lines_per_s / kubectl_lines_per_s (1.0 = as fast).
Medians of --runs runs, app and kubectl alternating, each app run in a process of its own. Writes
bench/results/logs.json (logs.smoke.json with --smoke); the last line printed is `RESULT logs ...`.
Run: python bench/logs.py [--quick | --smoke] [--lines N] [--runs R] (needs tools/stack up; uses $KUBECONFIG).
--smoke: 2,000 lines, one run: the same code path in seconds (CI runs it; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.pods import kwok_pod
from tests.support.stack import wait_for
from tui.app import K8sxApp
from tui.backends import Backends
from tui.models.logs.lines import LogRange
from tui.models.pods.row import PodRow
from tui.screens.logs.logs import LogsScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService

RESULTS = Path(__file__).resolve().parent / "results"


def kubectl(*args: str, input: str | None = None) -> str:
    done = subprocess.run(["kubectl", *args], input=input, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"kubectl {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def write_source(path: Path, count: int) -> None:
    """N CRI lines (about 100 bytes each, as a training loop logs), a microsecond apart, starting now; written once
    to a file that each run copies, so no run's process holds them in memory."""
    start = datetime.now(UTC).replace(microsecond=0)
    stamp = start.strftime("%Y-%m-%dT%H:%M:%S")
    base = int(start.timestamp())
    with path.open("w") as out:
        for i in range(count):
            seconds, micros = divmod(i, 1_000_000)
            if seconds and not micros:
                stamp = datetime.fromtimestamp(base + seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            out.write(
                f"{stamp}.{micros:06d}000Z stdout F step {i} loss=0.{i % 99991:05d} lr=0.0003 epoch=3 worker=2 "
                f"tokens/s=51234 note=keep-going\n"
            )


def new_pod(namespace: str, directory: Path) -> tuple[str, Path]:
    name = f"bench-{uuid.uuid4().hex[:6]}"
    logfile = directory / f"{name}.log"
    logfile.touch()
    pod = kwok_pod(name, logs=[{"logsFile": str(logfile), "follow": True}])
    kubectl("apply", "-n", namespace, "-f", "-", input=pod)
    wait_for(
        lambda: kubectl("get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.phase}") == "Running",
        timeout=60,
        what=f"pod {name} Running",
    )
    return name, logfile


def write_all(logfile: Path, source: Path) -> None:
    """Append as fast as the disk takes it, in 1 MB writes (a process logging flat out)."""
    with source.open("rb") as lines, logfile.open("ab", buffering=0) as out:
        while block := lines.read(1 << 20):
            out.write(block)


def make_app(kubeconfig: str, namespace: str) -> K8sxApp:
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return K8sxApp(Backends(KubeService(kubeconfig, None, namespace), DockerService(docker_host)))


async def loop_gaps(seconds: float) -> list[float]:
    """Gaps between turns of the event loop, asking for one every 10 ms, for `seconds` (idle, for comparison)."""
    gaps: list[float] = []
    started = last = time.perf_counter()
    while last - started < seconds:
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    return gaps


async def app_run(kubeconfig: str, namespace: str, directory: Path, source: Path, count: int) -> dict[str, float]:
    name, logfile = new_pod(namespace, directory)
    app = make_app(kubeconfig, namespace)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        screen.log_range = LogRange(None, None)  # everything, not only the last 1,000 lines
        screen.open_logs([PodRow(namespace, name, "1/1", "Running", 0, None, "", "", "")])
        while "waiting for logs" not in str(screen.query_one("#logs-info").render()):
            await asyncio.sleep(0.05)
        await pilot.pause(0.5)
        idle = await loop_gaps(2.0)
        before = rss_mb()
        gaps: list[float] = []
        writer = threading.Thread(target=write_all, args=(logfile, source))
        started = time.perf_counter()
        writer.start()
        last = time.perf_counter()
        view = screen.view
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            history = screen.history
            if history is not None and len(history) >= count and view.drawn_last >= count - 1:
                break
            if now - started > 600:
                raise SystemExit(f"the app had {len(history or ())} of {count} lines after 10 minutes")
        elapsed = time.perf_counter() - started
        writer.join()
        after = rss_mb()
        history = screen.history
        assert history is not None and len(history) == count, "the app holds a different number of lines"
        return {
            "lines_per_s": count / elapsed,
            "frame_gap_p99_ms": percentile(gaps, 99) * 1000,
            "frame_gap_max_ms": max(gaps) * 1000,
            "frame_gap_idle_p99_ms": percentile(idle, 99) * 1000,
            "rss_mb": after,
            "rss_growth_mb": after - before,
            "spilled_mb": history.spilled_bytes / 2**20,
        }


def kubectl_run(namespace: str, directory: Path, source: Path, count: int) -> float:
    name, logfile = new_pod(namespace, directory)
    follower = subprocess.Popen(
        ["kubectl", "logs", "-f", "--timestamps", "-n", namespace, name], stdout=subprocess.PIPE, bufsize=0
    )
    assert follower.stdout is not None
    time.sleep(1.0)  # connected and waiting, as the app was
    writer = threading.Thread(target=write_all, args=(logfile, source))
    started = time.perf_counter()
    writer.start()
    seen = 0
    fd = follower.stdout.fileno()
    while seen < count:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise SystemExit("kubectl logs -f stopped early")
        seen += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    follower.kill()
    follower.wait()
    writer.join()
    return count / elapsed


def app_run_in_child(namespace: str, directory: Path, source: Path, count: int) -> dict[str, float]:
    """One app run in a process of its own, so that its memory is its own."""
    command = [sys.executable, __file__, "--app-run", "--namespace", namespace, "--directory", str(directory)]
    command += ["--source", str(source), "--lines", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"app run failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200,000 lines, one run: under a minute")
    parser.add_argument("--smoke", action="store_true", help="2,000 lines, one run: seconds, for CI")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app-run", action="store_true", help=argparse.SUPPRESS)  # one run, in a child process
    parser.add_argument("--namespace", help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    kubeconfig = os.environ["KUBECONFIG"]
    if args.app_run:
        measured = asyncio.run(app_run(kubeconfig, args.namespace, Path(args.directory), Path(args.source), args.lines))
        print(json.dumps(measured))
        return
    if args.smoke:
        count, runs = 2_000, 1
    elif args.quick:
        count, runs = 200_000, 1
    else:
        count, runs = args.lines, args.runs
    namespace = f"bench-logs-{uuid.uuid4().hex[:6]}"
    kubectl("create", "namespace", namespace)
    directory = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    try:
        print(f"generating {count:,} lines", file=sys.stderr)
        source = directory / "source.log"
        write_source(source, count)
        ours: list[dict[str, float]] = []
        theirs: list[float] = []
        for run in range(runs):
            ours.append(app_run_in_child(namespace, directory, source, count))
            print(f"  app run {run + 1}: " + json.dumps({k: round(v, 1) for k, v in ours[-1].items()}), file=sys.stderr)
            theirs.append(kubectl_run(namespace, directory, source, count))
            print(f"  kubectl run {run + 1}: {theirs[-1]:,.0f} lines/s", file=sys.stderr)
    finally:
        kubectl("delete", "pods", "--all", "-n", namespace, "--grace-period=0", "--force")
        kubectl("delete", "namespace", namespace, "--wait=false")
        shutil.rmtree(directory, ignore_errors=True)

    def median(key: str) -> float:
        return statistics.median(run[key] for run in ours)

    kubectl_rate = statistics.median(theirs)
    result = {
        "lines": count,
        "lines_per_s": round(median("lines_per_s")),
        "frame_gap_p99_ms": round(median("frame_gap_p99_ms"), 1),
        "frame_gap_max_ms": round(median("frame_gap_max_ms"), 1),
        "frame_gap_idle_p99_ms": round(median("frame_gap_idle_p99_ms"), 1),
        "rss_mb": round(median("rss_mb"), 1),
        "rss_growth_mb": round(median("rss_growth_mb"), 1),
        "spilled_mb": round(median("spilled_mb"), 1),
        "kubectl_lines_per_s": round(kubectl_rate),
        "ratio_vs_kubectl": round(median("lines_per_s") / kubectl_rate, 2),
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    report = {"result": result, "app_runs": ours, "kubectl_runs": theirs}
    (RESULTS / ("logs.smoke.json" if args.smoke else "logs.json")).write_text(json.dumps(report, indent=2))
    keys = ("lines", "lines_per_s", "frame_gap_p99_ms", "frame_gap_idle_p99_ms", "rss_mb", "rss_growth_mb")
    keys += ("kubectl_lines_per_s",)
    keys += ("ratio_vs_kubectl",)
    print("RESULT logs " + " ".join(f"{key}={result[key]}" for key in keys))


if __name__ == "__main__":
    main()
