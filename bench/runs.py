"""Runs benchmark: the real app (App.run_test with the real backends) against the real local stack.

- archive: N kwok pods (50; --smoke 3), each recorded as a run, whose CRI log files are appended at R lines/s
  each (2,000; --smoke 200) for S seconds (10; --smoke 2) by a process of its own while the app shows the pod list
  and its run follower archives every container's log. archive_frame_gap_p99_ms: the 99th percentile of the gaps
  between turns of the app's event loop (a probe asking for one every 10 ms) while the lines come in (target
  < 50 ms); lines_written / lines_archived / lines_lost: every line counted in the archives once the writers stop
  (target: none lost); runs_short: how many runs lack lines (each named, with how many, on stderr);
  archive_catch_up_s: from the writers' stop to the last line archived (given up after 120 s).
- screen: runs_screen_open_ms: `9` typed (as a terminal's input hands a key over, not Pilot.press, which waits for
  the whole process to idle) with 10,000 runs recorded (--smoke 500) -> all of them read into the Runs screen's table
  and its first screenful drawn (target < 200 ms). Each open is the app's first in a process of its own (the screen's
  module, its CSS and its footer are all first made then, as for a user), median of --opens (5; --smoke 1);
  runs_screen_open_max_ms the slowest; runs_screen_open_ui_cpu_ms the UI thread's CPU time in an open (median);
  runs_screen_open_load the 1-minute load average over those opens.
- load: the 1-minute load average at the end (other work on the machine's 2 cores shows in the figures).
Writes bench/results/runs.json (runs.smoke.json with --smoke); the last line printed is `RESULT runs ...`.
Run: python bench/runs.py [--smoke] [--only archive|screen] [--pods N] [--rate R] [--seconds S] [--runs-recorded K]
[--opens N] (needs tools/stack up).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events

from tests.support.pods import kwok_pod
from tests.support.stack import read_stack_env, wait_for
from tui.app import K8sxApp
from tui.backends import Backends
from tui.models.runs.run import Run
from tui.screens.pods.pods import PodsScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.services.runs.store import RunStore, new_run_id

RESULTS = Path(__file__).resolve().parent / "results"
SIZE = (160, 50)


def kubectl(*args: str, input: str | None = None, check: bool = True) -> str:
    """kubectl's output; with check=False, "" when it fails (not there yet, already gone)."""
    done = subprocess.run(["kubectl", *args], input=input, capture_output=True, text=True, check=check)
    return done.stdout if done.returncode == 0 else ""


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


def write_lines(logfiles: list[Path], rate: int, seconds: float) -> list[int]:
    """CRI lines at `rate` a second into each file, in 10 ms batches, for `seconds`; how many went into each. Run in
    a process of its own (--write-logs), as the pods' containers are: writer threads in the app's process held the
    GIL the app's UI thread needed, which the frame gap then counted against the app."""
    written = [0] * len(logfiles)
    outs = [logfile.open("a", buffering=1 << 16) for logfile in logfiles]
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        due = min(int(elapsed * rate), int(seconds * rate))
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        for at, out in enumerate(outs):
            for index in range(written[at], due):
                out.write(f"{stamp}000Z stdout F step {index} loss=0.{index % 9973:04d} lr=0.0003 epoch=3\n")
            written[at] = max(written[at], due)
            out.flush()
        time.sleep(0.01)
    for out in outs:
        out.close()
    return written


async def archive_scenario(namespace: str, folder: Path, pods: int, rate: int, seconds: float) -> dict[str, float]:
    created = new_pods(namespace, folder, pods)
    app = make_app(namespace)
    store = RunStore()
    runs = record_runs(store, app.backends.kube, namespace, [name for name, _ in created])
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PodsScreen)
        await pilot.pause(1.0)
        files = [str(log) for _, log in created]
        args = [sys.executable, __file__, "--write-logs", json.dumps([rate, seconds, files])]
        writer = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        gaps: list[float] = []
        last = time.perf_counter()
        while writer.poll() is None:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        out, _ = writer.communicate()
        if writer.returncode != 0:
            raise SystemExit(f"the log writer failed ({writer.returncode})")
        counts = json.loads(out.strip().splitlines()[-1])
        written = sum(counts)
        stopped = time.perf_counter()

        def archived() -> int:
            return sum(archive.lines for run in runs for archive in store.logs(run.id))

        while archived() < written and time.perf_counter() - stopped < 120:
            await asyncio.sleep(0.25)
        catch_up = time.perf_counter() - stopped
        got = archived()
        short = [  # which runs lack lines: all of them behind, or a few stuck
            f"{run.name}:{wrote - sum(archive.lines for archive in store.logs(run.id))}"
            for run, wrote in zip(runs, counts, strict=True)
            if sum(archive.lines for archive in store.logs(run.id)) < wrote
        ]
    if short:
        print(f"  runs short of lines (name:missing): {' '.join(short)}", file=sys.stderr)
    return {
        "archive_frame_gap_p99_ms": percentile(gaps, 99) * 1000,
        "lines_written": written,
        "lines_archived": got,
        "lines_lost": written - got,
        "runs_short": len(short),
        "archive_catch_up_s": catch_up,
    }


def record_many(count: int) -> None:
    """`count` finished runs in the store at $XDG_STATE_HOME, one a second back from now."""
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
    store.close()


def type_key(app: K8sxApp, key: str) -> None:
    """A key as the terminal's input thread gives it to the app (Pilot.press would wait for the process to idle)."""
    event = events.Key(key, key)
    event.set_sender(app)
    app.post_message(event)


async def open_once(count: int) -> tuple[float, float]:
    """Seconds from `9` typed to the first screenful of all `count` runs drawn, and the CPU seconds the UI thread
    spent meanwhile (the share of it a busy machine does not change). Nothing of the Runs screen is imported here
    before the key: the app imports it when the mode is first shown, and that is part of opening it."""
    app = make_app("default")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.0)  # started: the pod list shown, its first reads done
        drawn = asyncio.get_running_loop().create_future()
        started, cpu = time.perf_counter(), time.thread_time()
        type_key(app, "9")
        while True:
            screen = app.screen
            view = getattr(screen, "view", None) if app.current_mode == "runs" and screen.is_mounted else None
            if view is not None and len(view.rows) >= count:
                break  # every run read and handed to the table: the next frame draws them
            if time.perf_counter() - started > 60:
                raise SystemExit("the Runs screen did not show the runs within a minute")
            await asyncio.sleep(0.001)

        def painted() -> None:
            if not drawn.done():
                drawn.set_result(time.perf_counter())

        screen.call_after_refresh(painted)
        done = await asyncio.wait_for(drawn, 10)
        cpu = time.thread_time() - cpu
        first = view.render_line(1).text
        if "train-0 " not in first:
            raise SystemExit(f"the first row drawn is not the newest run: {first!r}")
    return done - started, cpu


def screen_scenario(count: int, opens: int) -> dict[str, float]:
    """`opens` first opens, each in a process of its own (this file with --one-open), on the same records."""
    record_many(count)
    times, cpus, loads = [], [], []
    for _ in range(opens):
        done = subprocess.run(
            [sys.executable, __file__, "--one-open", str(count)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"an open of the Runs screen failed:\n{done.stderr[-3000:]}")
        took, cpu = json.loads(done.stdout.strip().splitlines()[-1])
        times.append(took)
        cpus.append(cpu)
        loads.append(os.getloadavg()[0])
    return {
        "runs_screen_open_ms": statistics.median(times) * 1000,
        "runs_screen_open_max_ms": max(times) * 1000,
        "runs_screen_open_ui_cpu_ms": statistics.median(cpus) * 1000,
        "runs_screen_open_load": statistics.median(loads),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="3 pods, 2 s, 500 runs: seconds, for CI")
    parser.add_argument("--pods", type=int, default=50)
    parser.add_argument("--rate", type=int, default=2000, help="lines a second per pod")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs-recorded", type=int, default=10_000)
    parser.add_argument("--opens", type=int, default=5, help="first opens of the Runs screen (the median is reported)")
    parser.add_argument("--only", choices=("archive", "screen"), help="one scenario alone")
    parser.add_argument("--one-open", type=int, help=argparse.SUPPRESS)  # a child process: one open, seconds printed
    parser.add_argument("--write-logs", help=argparse.SUPPRESS)  # a child process: [rate, seconds, [files]]
    args = parser.parse_args()
    if args.write_logs is not None:
        rate, seconds, files = json.loads(args.write_logs)
        print(json.dumps(write_lines([Path(file) for file in files], rate, seconds)))
        return
    env = read_stack_env()
    os.environ["KUBECONFIG"] = env["KUBECONFIG"]
    if args.one_open is not None:
        print(json.dumps(asyncio.run(open_once(args.one_open))))
        return
    if args.smoke:
        pods, rate, seconds, recorded, opens = 3, 200, 2.0, 500, 1
    else:
        pods, rate, seconds, recorded, opens = args.pods, args.rate, args.seconds, args.runs_recorded, args.opens
    namespace = f"bench-runs-{uuid.uuid4().hex[:6]}"
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="k8sx-bench-runs-") as folder:
        if args.only != "screen":
            os.environ["XDG_STATE_HOME"] = str(Path(folder) / "state-archive")
            kubectl("create", "namespace", namespace)
            try:
                sa = ("get", "serviceaccount", "default", "-n", namespace)
                wait_for(lambda: kubectl(*sa, check=False) != "", timeout=120, what="the namespace's service account")
                result |= asyncio.run(archive_scenario(namespace, Path(folder), pods, rate, seconds))
            finally:
                kubectl("delete", "pods", "--all", "-n", namespace, "--grace-period=0", "--force", check=False)
                kubectl("delete", "namespace", namespace, "--wait=false", check=False)
        if args.only != "archive":
            os.environ["XDG_STATE_HOME"] = str(Path(folder) / "state-screen")
            result |= screen_scenario(recorded, opens)
    sizes = {"pods": pods, "lines_per_s_per_pod": rate, "seconds": seconds} if args.only != "screen" else {}
    if args.only != "archive":
        sizes |= {"runs_recorded": recorded, "opens": opens}
    result = {
        **sizes,
        **{key: round(value, 1) if isinstance(value, float) else value for key, value in result.items()},
        "load": round(os.getloadavg()[0], 1),
    }
    print("  " + json.dumps(result), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("runs.smoke.json" if args.smoke else "runs.json")).write_text(json.dumps(result, indent=2))
    keys = ("pods", "archive_frame_gap_p99_ms", "lines_written", "lines_lost", "runs_short", "archive_catch_up_s",
            "runs_screen_open_ms", "runs_screen_open_max_ms", "runs_screen_open_ui_cpu_ms", "runs_screen_open_load",
            "load")  # fmt: skip
    print("RESULT runs " + " ".join(f"{key}={result[key]}" for key in keys if key in result))
    if result.get("lines_lost"):
        raise SystemExit(f"{result['lines_lost']} lines were not archived")


if __name__ == "__main__":
    main()
