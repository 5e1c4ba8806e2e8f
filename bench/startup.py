"""Start-up benchmark: the installed `k8sx-tui` command started in a pseudo-terminal, as a user starts it.

The console script next to this Python (the venv's `k8sx-tui`) runs as `k8sx-tui -n NAMESPACE` in a 160x50
pseudo-terminal with the stack's kubeconfig, in an empty working directory and with its own config and state
folders (no user settings). What it writes is fed, as it arrives, into the app's own terminal emulator
(tui/models/terminal/emulator.py, which answers the terminal's queries like a terminal would); every figure is the
arrival time of the chunk that made the screen so, counted from just before the process was started:
- first_frame_s: anything drawn (a visible character on the screen);
- rows_s@N: every row of a namespace of N pods on screen. The table holds more rows than fit, so "on screen" is:
  the info line says "N pods in namespace NS" (the count of rows in the table, never of a partial list: it counts
  pages as they come) and the first screenful of pods in the table's order (by name: bench-000000 onwards, all of
  them at N=4) is drawn;
- version_s: `k8sx-tui --version` to its exit;
- kubectl_get_s@N: `kubectl get pods -n NS` on the same namespace, taking turns with the app's launches;
  ratio_vs_kubectl@N = rows_s@N / kubectl_get_s@N.
Figures are medians of --runs. Writes bench/results/startup.json (startup.smoke.json with --smoke); the last line
printed is `RESULT startup ...`.
Run: python bench/startup.py [--quick | --smoke] [--sizes 4,10000] [--runs 5] (needs tools/stack up; uses $KUBECONFIG).
--smoke: 4 pods, one launch: the same code path in seconds (CI runs it; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client as k8s
from kubernetes import config as k8s_config
from ptyprocess import PtyProcess

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._kwok_pods import kubectl_get_s, pod_name, pods_namespace
from tui.models.terminal.emulator import TerminalEmulator

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS, LINES = 160, 50
FIRST_SCREENFUL = 20  # pod rows that must be drawn (the table shows about 40 in 50 lines)
LAUNCH_TIMEOUT_S = 120.0
COMMAND = Path(sys.executable).parent / "k8sx-tui"  # the installed console script of this venv


@dataclass
class Launch:
    first_frame_s: float
    rows_s: float


def app_env(home: Path) -> dict[str, str]:
    """The user's environment with the stack's kubeconfig, but no settings file of theirs and a fresh log."""
    return os.environ | {
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
    }


def all_rows_shown(screen: list[str], namespace: str, count: int) -> bool:
    text = "\n".join(screen)
    if f"{count} pod{'s' if count != 1 else ''} in namespace {namespace}" not in text:
        return False
    return all(pod_name(index) in text for index in range(min(count, FIRST_SCREENFUL)))


def launch(namespace: str, count: int) -> Launch:
    """Start the app, read its output until every row is on screen, then kill it."""
    emulator = TerminalEmulator(COLUMNS, LINES, scrollback=0)
    first_frame = rows = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        started = time.perf_counter()
        process = PtyProcess.spawn(
            [str(COMMAND), "-n", namespace], cwd=home, env=app_env(Path(home)), dimensions=(LINES, COLUMNS)
        )
        emulator.set_reply(process.write)  # cursor position and device attribute queries get a terminal's answers
        try:
            deadline = started + LAUNCH_TIMEOUT_S
            while not rows:
                if time.perf_counter() > deadline:
                    shown = "\n".join(emulator.display())
                    raise RuntimeError(f"not every row on screen after {LAUNCH_TIMEOUT_S:.0f}s; the screen:\n{shown}")
                ready, _, _ = select.select([process.fd], [], [], 0.5)
                if not ready:
                    continue
                try:
                    chunk = os.read(process.fd, 1 << 16)
                except OSError:  # EIO: the app ended
                    chunk = b""
                arrived = time.perf_counter() - started
                if not chunk:
                    shown = "\n".join(emulator.display())
                    raise RuntimeError(f"k8sx-tui ended before every row was on screen; the screen:\n{shown}")
                emulator.feed(chunk)
                screen = emulator.display()
                if not first_frame and any(line.strip() for line in screen):
                    first_frame = arrived
                if all_rows_shown(screen, namespace, count):
                    rows = arrived
        finally:
            with contextlib.suppress(Exception):
                process.terminate(force=True)
            with contextlib.suppress(Exception):
                process.close(force=True)
    return Launch(first_frame, rows)


def version_s() -> float:
    started = time.perf_counter()
    out = subprocess.run([str(COMMAND), "--version"], capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - started
    assert out.startswith("k8sx-tui "), f"unexpected --version output: {out!r}"
    return elapsed


def measure(core: k8s.CoreV1Api, kubeconfig: str, size: int, runs: int) -> dict[str, object]:
    launches: list[Launch] = []
    kubectl: list[float] = []
    with pods_namespace(core, "bench-startup", size) as namespace:
        for _ in range(runs):  # taking turns, so both meet the same machine
            launches.append(launch(namespace, size))
            kubectl.append(kubectl_get_s(kubeconfig, namespace, size))
    rows = statistics.median(launch.rows_s for launch in launches)
    return {
        "pods": size,
        "first_frame_s": round(statistics.median(launch.first_frame_s for launch in launches), 3),
        "rows_s": round(rows, 3),
        "kubectl_get_s": round(statistics.median(kubectl), 3),
        "ratio_vs_kubectl": round(rows / statistics.median(kubectl), 2),
        "runs": [{"first_frame_s": round(x.first_frame_s, 3), "rows_s": round(x.rows_s, 3)} for x in launches],
        "kubectl_runs": [round(x, 3) for x in kubectl],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 and 1,000 pods, 3 launches each")
    parser.add_argument("--smoke", action="store_true", help="4 pods, one launch: seconds, for CI")
    parser.add_argument("--sizes", default="4,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.smoke:
        sizes, runs = [4], 1
    elif args.quick:
        sizes, runs = [4, 1000], 3
    else:
        sizes, runs = [int(s) for s in args.sizes.split(",")], args.runs
    kubeconfig = os.environ["KUBECONFIG"]
    core = k8s.CoreV1Api(k8s_config.new_client_from_config(kubeconfig))
    versions = [version_s() for _ in range(runs)]
    results = []
    for size in sizes:
        print(f"pods={size}", file=sys.stderr)
        result = measure(core, kubeconfig, size, runs)
        print("  " + json.dumps(result), file=sys.stderr)
        results.append(result)
    summary: dict[str, object] = {
        "first_frame_s": results[0]["first_frame_s"],  # the smallest namespace's: the list barely matters yet
        **{f"rows_s@{r['pods']}": r["rows_s"] for r in results},
        "version_s": round(statistics.median(versions), 3),
        **{f"kubectl_get_s@{r['pods']}": r["kubectl_get_s"] for r in results},
        **{f"ratio_vs_kubectl@{r['pods']}": r["ratio_vs_kubectl"] for r in results},
    }
    RESULTS.mkdir(exist_ok=True)
    name = "startup.smoke.json" if args.smoke else "startup.json"
    (RESULTS / name).write_text(json.dumps({"summary": summary, "sizes": results, "version_runs": versions}, indent=2))
    print("RESULT startup " + " ".join(f"{key}={value}" for key, value in summary.items()))


if __name__ == "__main__":
    main()
