"""Terminal benchmark: the real app (App.run_test with the real backends) against the real local stack.

- echo_p50_ms / echo_p99_ms: a key pressed in a shell in a kwok pod -> its echo drawn by the terminal widget
  (the widget's render_line produces the row with the new character);
- mb_per_s: `cat` of a text file (20 MB; --quick 4 MB, --smoke 64 KB) in the pod's shell -> the marker printed
  after it drawn on screen, file size / elapsed (median of --runs);
- ratio_vs_kubectl: our time for that output / `kubectl exec POD -- cat FILE > /dev/null` (the transport's
  ceiling, same run, same file; median of --runs); ratio_vs_kubectl_tty: the same against `kubectl exec -it`
  read from a pseudo-terminal (the TTY path a user's own terminal gets);
- the same echo and throughput figures for a shell in a Docker container (docker_*);
- flood_echo_p99_ms: while the pod's shell `cat`s a 50 MB file three times (--smoke 1 MB once), a capital letter
  typed (the file has none) -> drawn (the pod's terminal echoes it into the flood); flood_escape_ms: ctrl+] half a
  second into that flood -> the keys are the app's again (measured first; then the keys go back to the shell).
  These keys are handed to the app as a terminal's input thread hands them (Pilot.press also waits until the
  process is idle, up to a second twice, which it never is in a flood); in the JSON: flood_fed_at_escape, the
  share of the flood read when ctrl+] took effect (below 1: during it), flood_echo_p50_ms, and flood_left_out,
  the share of the flood's output left out unseen (lines that would only have scrolled past the scrollback).
  Where a flood key's time goes (EchoStages, timestamps inside the app; each key's stages are printed to stderr):
  flood_stage_{sent,read,fed,drawn}_p50_ms and flood_slowest_*_ms (key posted -> written to the session -> its
  echo read off the connection -> fed to the emulator -> drawn), flood_waiting_kb_* (output waiting in the
  OutputBuffer when the echo was read), flood_gc2_* (full garbage collections during those keys: count, longest).
kwok runs exec'd commands on this machine: the pod's working directory is a temporary folder.
Writes bench/results/terminal.json (terminal.smoke.json with --smoke); the last line printed is `RESULT terminal ...`.
Run: python bench/terminal.py [--quick | --smoke] [--runs 3] [--keys 200] (needs tools/stack up).
--smoke: 64 KB, 5 keys, one run: the same code path in seconds (CI runs it; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import docker
from ptyprocess import PtyProcess
from textual import events
from textual.strip import Strip

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.app import make_app
from tests.support.images import busybox_image
from tests.support.pods import kwok_shell_pod
from tests.support.stack import StackEnv, kubectl, read_stack_env, wait_for
from tui.app import K8sxApp
from tui.models.pods.row import PodRow
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.terminal.terminal import SessionTab, TerminalScreen
from tui.services.images.images import ImageService
from tui.widgets.terminal import TerminalView

RESULTS = Path(__file__).resolve().parent / "results"
SIZE = (160, 50)
WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epoch",
    "loss",
    "accuracy",
    "tensor",
    "gradient",
    "batch",
    "shard",
    "sample",
    "checkpoint",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def text_file(path: Path, size: int) -> int:
    """Log-like lines of 20-120 characters, `size` bytes."""
    rng = random.Random(5)
    lines, total, i = [], 0, 0
    while total < size:
        line = f"{i:08d} " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14)))
        lines.append(line)
        total += len(line) + 1
        i += 1
    path.write_text("\n".join(lines) + "\n")
    return path.stat().st_size


class RenderSpy:
    """Records when the widget draws a row containing some text (the glyph is on screen from then on)."""

    def __init__(self, view: TerminalView) -> None:
        self.wanted: str | None = None
        self.seen_at = 0.0
        original = view.render_line

        def spy(y: int) -> Strip:
            strip = original(y)
            if self.wanted is not None and not self.seen_at and self.wanted in strip.text:
                self.seen_at = time.perf_counter()
            return strip

        view.render_line = spy  # type: ignore[method-assign]

    def expect(self, text: str) -> None:
        self.wanted, self.seen_at = text, 0.0


async def until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.001)


async def open_tab(app: K8sxApp, opener: Callable[[TerminalScreen], None], prompt: str) -> tuple[SessionTab, RenderSpy]:
    screen = next(s for s in app.screen_stack if isinstance(s, TerminalScreen))
    opener(screen)
    await until(lambda: bool(screen.tabs) and list(screen.tabs.values())[-1].started, 30, "the session")
    tab = list(screen.tabs.values())[-1]
    await until(lambda: any(line.endswith(prompt) for line in tab.emulator.display()), 30, "the prompt")
    assert tab.view is not None
    return tab, RenderSpy(tab.view)


async def close_tab(pilot: object, app: K8sxApp, tab: SessionTab) -> None:
    """Keys back to the app, `x` on the tab (its shell still runs, so the app asks first), Close, and wait until
    the tab is gone."""
    screen = next(s for s in app.screen_stack if isinstance(s, TerminalScreen))
    await pilot.press("ctrl+right_square_bracket", "x")  # type: ignore[attr-defined]
    await until(lambda: isinstance(app.screen, ConfirmScreen), 10, "the close question")
    await pilot.press("tab", "enter")  # type: ignore[attr-defined]  # Cancel has the focus; tab goes to Close
    await until(lambda: tab.pane_id not in screen.tabs and app.screen is screen, 10, "the tab closed")


async def echo_latencies(pilot: object, tab: SessionTab, spy: RenderSpy, keys: int) -> list[float]:
    """Type letters at the prompt; each: press -> the prompt row drawn with it. ctrl+u clears every 40."""
    latencies: list[float] = []
    typed = ""
    row = tab.emulator.cursor[1]
    prompt = tab.emulator.display()[row]
    for i in range(keys):
        if len(typed) == 40:
            await pilot.press("ctrl+u")  # type: ignore[attr-defined]
            await until(lambda: tab.emulator.display()[row] == prompt, 10, "the cleared line")
            typed = ""
        char = "abcdefghijklmnopqrstuvwxyz"[i % 26]
        typed += char
        spy.expect(f"{prompt} {typed}")
        started = time.perf_counter()
        await pilot.press(char)  # type: ignore[attr-defined]
        await until(lambda: spy.seen_at > 0, 10, f"the echo of {char!r}")
        latencies.append((spy.seen_at - started) * 1000)
    await pilot.press("ctrl+u")  # type: ignore[attr-defined]
    return latencies


async def throughput(pilot: object, spy: RenderSpy, path: str, runs: int) -> list[float]:
    """`cat` the file, then echo a marker: Enter -> the marker's row drawn. The typed command line shows
    `$((3+4))` where the output shows `7`, so only the output matches."""
    times = []
    for _ in range(runs):
        marker = f"CAT-DONE-{uuid.uuid4().hex[:8]}-"
        await pilot.press(*f"cat {path}; echo {marker}$((3+4))")  # type: ignore[attr-defined]
        await asyncio.sleep(0.2)
        spy.expect(f"{marker}7")
        started = time.perf_counter()
        await pilot.press("enter")  # type: ignore[attr-defined]
        await until(lambda: spy.seen_at > 0, 600, "the marker after the output")
        times.append(spy.seen_at - started)
        await pilot.press(*"clear", "enter")  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)
    return times


class EchoStages:
    """Where a flood key's time goes, from timestamps inside the app: key posted -> written to the session (the UI
    took the key) -> its echo read off the connection (the reader's batch holding it handed to the OutputBuffer)
    -> fed to the emulator -> drawn. Also how much output waited in the buffer when the echo was read."""

    STAGES = ("sent", "read", "fed", "drawn")

    def __init__(self, tab: SessionTab) -> None:
        self._tab = tab
        self._wanted = b""
        self._now: dict[str, float] = {}
        self._waiting_at_read = 0
        self._blocked = 0.0  # the reader's time in OutputBuffer.add (waiting for the UI) before the echo was read
        self.rows: list[dict[str, float]] = []
        session, output, emulator = tab.session, tab.output, tab.emulator
        self._originals = (session.write, output.add, emulator.feed)
        write, add, feed = self._originals

        def spy_write(data: bytes) -> None:
            if data == self._wanted and "sent" not in self._now:
                self._now["sent"] = time.perf_counter()
            write(data)

        def spy_add(data: bytes) -> bool:
            waiting = len(output)
            if "sent" in self._now and "read" not in self._now and self._wanted in data:
                self._now["read"] = time.perf_counter()
                self._waiting_at_read = waiting
            began = time.perf_counter()
            try:
                return add(data)
            finally:
                if "sent" in self._now and "read" not in self._now:
                    self._blocked += time.perf_counter() - began

        def spy_feed(data: bytes) -> None:
            if "read" in self._now and "fed" not in self._now and self._wanted in data:
                self._now["fed"] = time.perf_counter()
            feed(data)

        self.gc_pauses: list[float] = []
        self._gc_began = 0.0

        def gc_spy(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                self._gc_began = time.perf_counter()
            elif info.get("generation") == 2:
                self.gc_pauses.append((time.perf_counter() - self._gc_began) * 1000)

        self._gc_spy = gc_spy
        self.gc_objects = len(gc.get_objects())  # what a full collection goes through
        gc.callbacks.append(gc_spy)
        session.write = spy_write  # type: ignore[method-assign]
        output.add = spy_add  # type: ignore[method-assign]
        emulator.feed = spy_feed  # type: ignore[method-assign]

    def expect(self, char: bytes, started: float) -> None:
        self._wanted, self._now, self._blocked = char, {"key": started}, 0.0

    def drawn(self, at: float) -> None:
        now = self._now | {"drawn": at}
        row: dict[str, float] = {"waiting_kb": self._waiting_at_read / 1024, "reader_blocked": self._blocked * 1000}
        before = now["key"]
        for stage in self.STAGES:
            if stage in now:
                row[stage] = (now[stage] - before) * 1000
                before = now[stage]
        self.rows.append(row)

    def undo(self) -> None:
        tab = self._tab
        del tab.session.write, tab.output.add, tab.emulator.feed  # type: ignore[attr-defined]
        gc.callbacks.remove(self._gc_spy)

    def figures(self) -> dict[str, float]:
        """Each stage's median and the stages of the slowest key (ms from the stage before)."""
        if not self.rows:
            return {}
        slowest = max(self.rows, key=lambda row: sum(row.get(s, 0.0) for s in self.STAGES))
        figures = {f"flood_stage_{s}_p50_ms": statistics.median(r.get(s, 0.0) for r in self.rows) for s in self.STAGES}
        figures |= {f"flood_slowest_{s}_ms": slowest.get(s, 0.0) for s in self.STAGES}
        figures["flood_gc_objects_k"] = self.gc_objects / 1000
        figures["flood_gc2_count"] = len(self.gc_pauses)
        figures["flood_gc2_max_ms"] = max(self.gc_pauses, default=0.0)
        figures["flood_waiting_kb_p50"] = statistics.median(r["waiting_kb"] for r in self.rows)
        figures["flood_slowest_waiting_kb"] = slowest["waiting_kb"]
        return figures


def type_key(app: K8sxApp, key: str) -> None:
    """A key as the terminal's input thread gives it to the app (what Pilot.press does, without its waits)."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def flood(
    pilot: object, app: K8sxApp, tab: SessionTab, spy: RenderSpy, path: str, size: int, keys: int, times: int
) -> dict[str, float]:
    """While `cat` of a big file (`times` over) floods the shell: ctrl+] -> the keys are the app's again (then the
    shell's once more); each of `keys` capital letters (the file has none) typed -> drawn (the pod's terminal echoes
    it into the flood). Keys go in as a terminal's input thread hands them over (type_key), not by Pilot.press.
    kwok's exec'd shell has no controlling terminal (ctrl+c stops nothing), so the flood runs to its end, then the
    letters typed meanwhile are cleared from the prompt."""
    assert tab.view is not None
    view = tab.view
    marker = f"FLOOD-DONE-{uuid.uuid4().hex[:6]}-"
    await pilot.press(*f"cat {' '.join([path] * times)}; echo {marker}$((3+4))")  # type: ignore[attr-defined]
    read_before, left_out_before = tab.output.start, tab.output.left_out  # output read: fed, or left out unseen
    type_key(app, "enter")
    await asyncio.sleep(0.5)  # the flood is under way
    started = time.perf_counter()
    type_key(app, "ctrl+right_square_bracket")
    await until(lambda: not view.has_focus, 60, "the keys back to the app during the flood")
    escape_ms = (time.perf_counter() - started) * 1000
    fed_at_escape = (tab.output.start - read_before) / (size * times)
    view.focus()  # typing into the flood again
    await until(lambda: view.has_focus, 10, "the keys to the shell again")
    echoes: list[float] = []
    stages = EchoStages(tab)
    for char in "QWERTYUIOPASDFGHJKLZXCVBNM"[:keys]:
        spy.expect(char)
        started = time.perf_counter()
        stages.expect(char.encode(), started)
        type_key(app, char)
        await until(lambda: spy.seen_at > 0, 60, f"the echo of {char!r} during the flood")
        echoes.append((spy.seen_at - started) * 1000)
        stages.drawn(spy.seen_at)
        await asyncio.sleep(0.05)
    stages.undo()
    for row in stages.rows:  # each key's stages, for reading where a slow one's time went
        print("  flood key " + " ".join(f"{k}={v:.1f}" for k, v in row.items()), file=sys.stderr)
    spy.expect(f"{marker}7")
    await until(lambda: spy.seen_at > 0 or marker + "7" in "".join(tab.emulator.display()), 600, "the flood's end")
    view.focus()
    await until(lambda: view.has_focus, 10, "the keys to the shell again")
    await pilot.press("ctrl+u", *"clear", "enter")  # type: ignore[attr-defined]
    await asyncio.sleep(0.3)
    return stages.figures() | {
        "flood_echo_p99_ms": percentile(echoes, 99),
        "flood_echo_p50_ms": statistics.median(echoes),
        "flood_escape_ms": escape_ms,
        "flood_fed_at_escape": fed_at_escape,
        "flood_left_out": (tab.output.left_out - left_out_before) / (tab.output.start - read_before),
    }


def kubectl_cat(stack: StackEnv, namespace: str, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            ["kubectl", "--kubeconfig", stack.kubeconfig, "exec", "-n", namespace, "exp", "--", "cat", path],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        times.append(time.perf_counter() - started)
    return times


def kubectl_tty_cat(stack: StackEnv, namespace: str, path: str, runs: int) -> list[float]:
    """The same through `kubectl exec -it` into a pseudo-terminal (what a user's own terminal receives), dropped."""
    times = []
    argv = ["kubectl", "--kubeconfig", stack.kubeconfig, "exec", "-it", "-n", namespace, "exp", "--", "cat", path]
    for _ in range(runs):
        started = time.perf_counter()
        process = PtyProcess.spawn(argv, dimensions=(SIZE[1], SIZE[0]))
        with contextlib.suppress(EOFError):
            while True:
                process.read(1 << 16)
        process.wait()
        times.append(time.perf_counter() - started)
    return times


def copy_to_container(client: docker.DockerClient, container_id: str, source: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(source, arcname=source.name)
    client.api.put_archive(container_id, "/", buffer.getvalue())


async def measure(
    stack: StackEnv,
    namespace: str,
    container_id: str,
    file: Path,
    keys: int,
    runs: int,
    flood_file: Path,
    flood_size: int,
    flood_times: int,
) -> dict[str, float]:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    result: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await until(lambda: any(isinstance(s, TerminalScreen) for s in app.screen_stack), 10, "the terminal screen")

        if os.environ.get("K8SX_BENCH_GC_FREEZE"):  # an experiment: what tui/app.py could do once started
            gc.freeze()
        pod = PodRow(namespace, "exp", "1/1", "Running", 0, None, "", "", "busybox")
        tab, spy = await open_tab(app, lambda screen: screen.open_pod_shell(pod), "k8sx$")
        echoes = await echo_latencies(pilot, tab, spy, keys)
        cats = await throughput(pilot, spy, str(file), runs)
        result |= await flood(pilot, app, tab, spy, str(flood_file), flood_size, min(keys, 20), flood_times)
        result |= {
            "echo_p50_ms": statistics.median(echoes),
            "echo_p99_ms": percentile(echoes, 99),
            "cat_s": statistics.median(cats),
        }
        await close_tab(pilot, app, tab)

        tab, spy = await open_tab(app, lambda screen: screen.open_container_shell(container_id), "/ #")
        echoes = await echo_latencies(pilot, tab, spy, keys)
        cats = await throughput(pilot, spy, f"/{file.name}", runs)
        result |= {
            "docker_echo_p50_ms": statistics.median(echoes),
            "docker_echo_p99_ms": percentile(echoes, 99),
            "docker_cat_s": statistics.median(cats),
        }
        await close_tab(pilot, app, tab)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 MB, 60 keys, one run: under a minute")
    parser.add_argument("--smoke", action="store_true", help="64 KB, 5 keys, one run: seconds, for CI")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--mb", type=int, default=20)
    args = parser.parse_args()
    if args.smoke:
        runs, keys, file_bytes, flood_bytes, flood_times = 1, 5, 64 << 10, 1 << 20, 1
    elif args.quick:
        runs, keys, file_bytes, flood_bytes, flood_times = 1, 60, 4 << 20, 50 << 20, 3
    else:
        runs, keys, file_bytes, flood_bytes, flood_times = args.runs, args.keys, args.mb << 20, 50 << 20, 3

    env = read_stack_env()
    stack = StackEnv(
        env["KUBECONFIG"], env["DOCKER_HOST"], env["K8SX_REGISTRY"], env["K8SX_AUTH_REGISTRY"],
        env["K8SX_AUTH_REGISTRY_USER"], env["K8SX_AUTH_REGISTRY_PASSWORD"], env["K8SX_STACK_DIR"],
        env["K8SX_PYTHON_IMAGE"],
    )  # fmt: skip
    namespace = f"bench-term-{uuid.uuid4().hex[:6]}"
    client = docker.DockerClient(base_url=stack.docker_host, timeout=120)
    images = ImageService(client)
    container_id = ""
    with tempfile.TemporaryDirectory(prefix="k8sx-bench-terminal-") as folder:
        try:
            kubectl(stack, "create", "namespace", namespace)
            wait_for(lambda: kubectl(stack, "get", "serviceaccount", "default", "-n", namespace, check=False) != "")
            home = kwok_shell_pod(stack, namespace, Path(folder))
            file = home / "big.txt"
            size = text_file(file, file_bytes)
            container_id = images.start_build_container(busybox_image(client)).container_id
            copy_to_container(client, container_id, file)
            flood_file = home / "flood.txt"
            flood_size = text_file(flood_file, flood_bytes)

            figures = asyncio.run(
                measure(stack, namespace, container_id, file, keys, runs, flood_file, flood_size, flood_times)
            )
            kubectl_s = statistics.median(kubectl_cat(stack, namespace, str(file), runs))
            kubectl_tty_s = statistics.median(kubectl_tty_cat(stack, namespace, str(file), runs))
        finally:
            kubectl(stack, "delete", "namespace", namespace, "--wait=false", check=False)
            if container_id:
                images.remove_container(container_id)
            client.close()

    result = {
        "file_mb": round(size / 1e6, 2),
        "keys": keys,
        "runs": runs,
        "echo_p50_ms": round(figures["echo_p50_ms"], 1),
        "echo_p99_ms": round(figures["echo_p99_ms"], 1),
        "mb_per_s": round(size / 1e6 / figures["cat_s"], 1),
        "cat_s": round(figures["cat_s"], 3),
        "kubectl_cat_s": round(kubectl_s, 3),
        "ratio_vs_kubectl": round(figures["cat_s"] / kubectl_s, 2),
        "kubectl_tty_cat_s": round(kubectl_tty_s, 3),
        "ratio_vs_kubectl_tty": round(figures["cat_s"] / kubectl_tty_s, 2),
        "docker_echo_p50_ms": round(figures["docker_echo_p50_ms"], 1),
        "docker_echo_p99_ms": round(figures["docker_echo_p99_ms"], 1),
        "docker_mb_per_s": round(size / 1e6 / figures["docker_cat_s"], 1),
        "flood_echo_p99_ms": round(figures["flood_echo_p99_ms"], 1),
        "flood_escape_ms": round(figures["flood_escape_ms"], 1),
        "flood_echo_p50_ms": round(figures["flood_echo_p50_ms"], 1),
        "flood_fed_at_escape": round(figures["flood_fed_at_escape"], 2),
        "flood_left_out": round(figures["flood_left_out"], 2),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    } | {
        key: round(value, 1)
        for key, value in figures.items()
        if key.startswith(("flood_slowest", "flood_stage", "flood_waiting", "flood_gc"))
    }
    print("  " + json.dumps(result), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("terminal.smoke.json" if args.smoke else "terminal.json")).write_text(json.dumps(result, indent=2))
    keys_shown = (
        "echo_p50_ms",
        "echo_p99_ms",
        "mb_per_s",
        "ratio_vs_kubectl",
        "ratio_vs_kubectl_tty",
        "docker_mb_per_s",
        "flood_echo_p99_ms",
        "flood_escape_ms",
    )
    print("RESULT terminal " + " ".join(f"{key}={result[key]}" for key in keys_shown))


if __name__ == "__main__":
    main()
