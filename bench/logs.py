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
  ceiling: what the server side delivers); ratio_vs_kubectl = lines_per_s / kubectl_lines_per_s (1.0 = as fast);
- cpu_us_per_line: CPU time of the app's process per line while they come in (every thread: the stream's, the UI's,
  the spill's, and the bench's writer, which costs little); ui_cpu_us_per_line and stream_cpu_us_per_line: the
  UI thread's and the stream thread's shares;
  kubectl_cpu_us_per_line: the same for `kubectl logs -f`. Less load-dependent than the rates: where they go is in
  bench/README.md;
- ui_run_share and ui_runqueue_share: of the time the lines came in, the share the UI thread ran and the share it
  was runnable but waited for a core (the kernel's schedstat): what the frame gaps are made of;
- load: the median of the 1-minute load averages after each run (how busy the machine was; the busy processes
  count).
Medians of --runs runs, app and kubectl alternating, each app run in a process of its own. With --busy N, N
processes that keep a core busy each (`sha256sum /dev/zero`, each in a session of its own) run beside both for the
whole bench, as other work on the machine would (`busy=N` in the RESULT line). Writes bench/results/logs.json
(logs.smoke.json with --smoke; logs.busyN.json with --busy N); the last line printed is `RESULT logs ...`.
Run: python bench/logs.py [--quick | --smoke] [--lines N] [--runs R] [--busy N] (needs tools/stack up; uses
$KUBECONFIG).
--smoke: 2,000 lines, one run: the same code path in seconds (CI runs it; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
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


def cpu_seconds(pid: int, task: str = "") -> float:
    """User + system CPU time a process (or one of its threads: `task` = "/task/<native id>") has used so far."""
    fields = Path(f"/proc/{pid}{task}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def schedstat_ms(task: str) -> tuple[float, float]:
    """(ms a thread of this process has run, ms it waited on a run queue: runnable, no core free) so far."""
    run, wait, _ = Path(f"/proc/self/task/{task}/schedstat").read_text().split()
    return int(run) / 1e6, int(wait) / 1e6


def stream_cpu_seconds() -> float:
    """CPU time used so far by the threads that follow a log stream (those running tui/services/logs/stream.py)."""
    natives = {thread.ident: thread.native_id for thread in threading.enumerate()}
    total = 0.0
    for ident, frame in sys._current_frames().items():
        following = False
        walk: types.FrameType | None = frame
        while walk is not None and not following:
            following = walk.f_code.co_filename.endswith(os.path.join("logs", "stream.py"))
            walk = walk.f_back
        if following and natives.get(ident) is not None:
            total += cpu_seconds(os.getpid(), f"/task/{natives[ident]}")
    return total


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
        cpu, ui_cpu, stream_cpu = time.process_time(), time.thread_time(), stream_cpu_seconds()
        ui_task = str(threading.get_native_id())
        ui_ran, ui_waited = schedstat_ms(ui_task)
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
        ran, waited = schedstat_ms(ui_task)
        ui_ran, ui_waited = ran - ui_ran, waited - ui_waited
        cpu, ui_cpu, stream_cpu = (
            time.process_time() - cpu,
            time.thread_time() - ui_cpu,
            stream_cpu_seconds() - stream_cpu,
        )
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
            "cpu_us_per_line": cpu / count * 1e6,
            "ui_cpu_us_per_line": ui_cpu / count * 1e6,
            "stream_cpu_us_per_line": stream_cpu / count * 1e6,
            "ui_run_share": ui_ran / (elapsed * 1000),
            "ui_runqueue_share": ui_waited / (elapsed * 1000),
        }


def kubectl_run(namespace: str, directory: Path, source: Path, count: int) -> dict[str, float]:
    name, logfile = new_pod(namespace, directory)
    follower = subprocess.Popen(
        ["kubectl", "logs", "-f", "--timestamps", "-n", namespace, name], stdout=subprocess.PIPE, bufsize=0
    )
    assert follower.stdout is not None
    time.sleep(1.0)  # connected and waiting, as the app was
    cpu = cpu_seconds(follower.pid)
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
    cpu = cpu_seconds(follower.pid) - cpu
    follower.kill()
    follower.wait()
    writer.join()
    return {"lines_per_s": count / elapsed, "cpu_us_per_line": cpu / count * 1e6}


def app_run_in_child(namespace: str, directory: Path, source: Path, count: int) -> dict[str, float]:
    """One app run in a process of its own, so that its memory is its own."""
    command = [sys.executable, __file__, "--app-run", "--namespace", namespace, "--directory", str(directory)]
    command += ["--source", str(source), "--lines", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"app run failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def start_busy(count: int) -> list[subprocess.Popen[bytes]]:
    """`count` processes that each keep a core busy (hashing zeros) until killed. Each in a session of its own, as
    other work on a machine runs (another terminal, a service): with the kernel's autogroup (Linux's default for
    desktops, on here) CPU is shared between sessions first, and started in the bench's session they would share
    one group's CPU with the app's threads (and kubectl's) instead of running beside them."""
    return [
        subprocess.Popen(["sha256sum", "/dev/zero"], stdout=subprocess.DEVNULL, start_new_session=True)
        for _ in range(count)
    ]


def stop_busy(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200,000 lines, one run: under a minute")
    parser.add_argument("--smoke", action="store_true", help="2,000 lines, one run: seconds, for CI")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--busy", type=int, default=0, help="processes keeping a core busy each, beside the runs")
    parser.add_argument("--app-run", action="store_true", help=argparse.SUPPRESS)  # one run, in a child process
    parser.add_argument("--namespace", help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    kubeconfig = os.environ["KUBECONFIG"]
    # Terminated (e.g. by `timeout`), still stop the busy processes: in sessions of their own, nothing else would.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
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
    busy: list[subprocess.Popen[bytes]] = []
    try:
        print(f"generating {count:,} lines", file=sys.stderr)
        source = directory / "source.log"
        write_source(source, count)
        busy = start_busy(args.busy)
        ours: list[dict[str, float]] = []
        theirs: list[dict[str, float]] = []
        loads: list[float] = []  # the 1-minute load average after each run: how busy the machine was
        for run in range(runs):
            ours.append(app_run_in_child(namespace, directory, source, count))
            loads.append(os.getloadavg()[0])
            print(f"  app run {run + 1}: " + json.dumps({k: round(v, 1) for k, v in ours[-1].items()}), file=sys.stderr)
            theirs.append(kubectl_run(namespace, directory, source, count))
            loads.append(os.getloadavg()[0])
            rate, cpu = theirs[-1]["lines_per_s"], theirs[-1]["cpu_us_per_line"]
            print(
                f"  kubectl run {run + 1}: {rate:,.0f} lines/s, {cpu:.1f} µs CPU a line (load {loads[-1]:.1f})",
                file=sys.stderr,
            )
    finally:
        stop_busy(busy)
        kubectl("delete", "pods", "--all", "-n", namespace, "--grace-period=0", "--force")
        kubectl("delete", "namespace", namespace, "--wait=false")
        shutil.rmtree(directory, ignore_errors=True)

    def median(key: str) -> float:
        return statistics.median(run[key] for run in ours)

    kubectl_rate = statistics.median(run["lines_per_s"] for run in theirs)
    result = {
        "lines": count,
        "lines_per_s": round(median("lines_per_s")),
        "frame_gap_p99_ms": round(median("frame_gap_p99_ms"), 1),
        "frame_gap_max_ms": round(median("frame_gap_max_ms"), 1),
        "frame_gap_idle_p99_ms": round(median("frame_gap_idle_p99_ms"), 1),
        "rss_mb": round(median("rss_mb"), 1),
        "rss_growth_mb": round(median("rss_growth_mb"), 1),
        "spilled_mb": round(median("spilled_mb"), 1),
        "cpu_us_per_line": round(median("cpu_us_per_line"), 1),
        "ui_cpu_us_per_line": round(median("ui_cpu_us_per_line"), 1),
        "stream_cpu_us_per_line": round(median("stream_cpu_us_per_line"), 1),
        "ui_run_share": round(median("ui_run_share"), 2),
        "ui_runqueue_share": round(median("ui_runqueue_share"), 2),
        "kubectl_cpu_us_per_line": round(statistics.median(run["cpu_us_per_line"] for run in theirs), 1),
        "kubectl_lines_per_s": round(kubectl_rate),
        "ratio_vs_kubectl": round(median("lines_per_s") / kubectl_rate, 2),
        "runs": runs,
        "busy": args.busy,
        "load": round(statistics.median(loads), 1),
    }
    RESULTS.mkdir(exist_ok=True)
    report = {"result": result, "app_runs": ours, "kubectl_runs": theirs, "loads": loads}
    name = "logs.smoke" if args.smoke else f"logs.busy{args.busy}" if args.busy else "logs"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    keys = ["lines", "lines_per_s", "frame_gap_p99_ms", "frame_gap_idle_p99_ms", "rss_mb", "rss_growth_mb"]
    keys += ["cpu_us_per_line", "ui_cpu_us_per_line", "stream_cpu_us_per_line", "ui_run_share", "ui_runqueue_share"]
    keys += ["kubectl_lines_per_s", "kubectl_cpu_us_per_line"]
    keys += ["ratio_vs_kubectl", "busy", "load"]
    print("RESULT logs " + " ".join(f"{key}={result[key]}" for key in keys))


if __name__ == "__main__":
    main()
