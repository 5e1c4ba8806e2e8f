"""Save an SVG of every screen of the real app, run against the local stack (tools/dev screenshots).

Every mode of the app is shot (so a new mode is included without touching this file), then the views worth
seeing inside them (describe, YAML, the delete confirm, filter, palette, help, logs of a pod, a shell, a build
form, a prepared push, a run's page, a run and its re-run compared, the GPU pods' resource columns, Pending pods'
reasons, an event whole, a GPU pod's detail panel) and the pod list in every bundled theme.
Each extra view that cannot be reached (e.g. the screen changed) is reported and skipped, so one broken view never
costs the others.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tui.app import MODE_INFOS, K8sxApp
from tui.backends import Backends
from tui.diagnostic_log import default_log_path, start_log
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.screens.common.text_view import TextViewScreen
from tui.screens.events.events import EventsScreen
from tui.screens.pods.detail import SERIES, PodDetailScreen
from tui.screens.pods.pods import PodsScreen
from tui.screens.runs.compare import CompareScreen
from tui.screens.runs.runs import RunsScreen
from tui.screens.terminal.terminal import TerminalScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.services.runs.store import RunStore
from tui.themes import bundled_theme_dir, load_themes

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (140, 32)
NAMESPACE = "default"

# Two more demo pods next to `tools/stack seed`'s, so the pod list shows more states than Running.
EXTRA_PODS = """
apiVersion: v1
kind: Pod
metadata: {name: notebook-gpu, labels: {app: k8sx-demo}}
spec:
  nodeSelector: {type: gpu}
  containers: [{name: main, image: 127.0.0.1:5000/experiments/notebook:0.1}]
---
apiVersion: v1
kind: Pod
metadata: {name: train-missing-image, labels: {app: k8sx-demo}}
spec:
  nodeSelector: {type: real}
  tolerations: [{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}]
  containers: [{name: main, image: 127.0.0.1:5000/experiments/not-pushed:0.1}]
"""


# Two pods for the resource views, deleted again at the end: a 1-GPU pod on the T4 node whose exec'd `nvidia-smi` is
# a stand-in (kwok runs its execs on this machine, in GPU_DIR: GPU% and VRAM that move every 15 s), using kwok's
# default, changing CPU and memory; and a pod asking more GPUs than any node has (Pending, and the scheduler says why).
GPU_POD = "finetune-gpu"
PENDING_POD = "train-16-gpus"
GPU_PODS = """
apiVersion: v1
kind: Pod
metadata: {name: finetune-gpu, labels: {app: k8sx-demo}}
spec:
  nodeSelector: {cloud.google.com/gke-accelerator: nvidia-tesla-t4}
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  containers:
  - name: main
    image: 127.0.0.1:5000/experiments/finetune:0.1
    resources: {requests: {cpu: 10m, memory: 48Mi}, limits: {memory: 64Mi, nvidia.com/gpu: 1}}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Exec
metadata: {name: finetune-gpu}
spec:
  execs: [{local: {workDir: "GPU_DIR", envs: [{name: PATH, value: "GPU_DIR/bin:/usr/local/bin:/usr/bin:/bin"}]}}]
---
apiVersion: v1
kind: Pod
metadata: {name: train-16-gpus, labels: {app: k8sx-demo}}
spec:
  tolerations: [{operator: Exists}]
  containers:
  - name: main
    image: 127.0.0.1:5000/experiments/train:0.3
    resources: {limits: {nvidia.com/gpu: 16}}
"""
# What the real one prints for --query-gpu=utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits.
STAND_IN_SMI = """#!/bin/sh
use=$(( $(date +%s) / 15 % 5 * 12 + 38 ))
echo "$use, $(( 9000 + use * 40 )), 15360"
"""


def kubectl_apply(manifest: str) -> None:
    subprocess.run(["kubectl", "apply", "-n", NAMESPACE, "-f", "-"], input=manifest, text=True, check=True,
                   capture_output=True)  # fmt: skip


def add_demo_pods(gpu_dir: Path) -> None:
    kubectl_apply(EXTRA_PODS)
    (gpu_dir / "bin").mkdir()
    smi = gpu_dir / "bin" / "nvidia-smi"
    smi.write_text(STAND_IN_SMI)
    smi.chmod(0o755)
    kubectl_apply(GPU_PODS.replace("GPU_DIR", str(gpu_dir)))


def delete_gpu_pods() -> None:
    for kind, name in (("pod", GPU_POD), ("exec.kwok.x-k8s.io", GPU_POD), ("pod", PENDING_POD)):
        delete_demo(kind, name)
    for name in (GPU_POD, PENDING_POD):  # their events too: the next run's detail shows its own pod's only
        selector = f"involvedObject.name={name}"
        subprocess.run(
            ["kubectl", "delete", "events", "-n", NAMESPACE, "--field-selector", selector], capture_output=True
        )


def save(app: K8sxApp, name: str) -> None:
    app.save_screenshot(f"{name}.svg", str(OUT))
    print(OUT / f"{name}.svg")


async def until(pilot: Pilot[None], predicate: Callable[[], bool], seconds: float) -> bool:
    for _ in range(int(seconds / 0.1)):
        if predicate():
            return True
        await pilot.pause(0.1)
    return predicate()


async def _wait_for_data(pilot: Pilot[None], app: K8sxApp) -> None:
    def ready() -> bool:
        screen = app.screen
        return (
            app.cluster_health.is_up
            and app.engine_health.is_up
            and isinstance(screen, PodsScreen)
            and len(screen.table.view) > 0
        )

    if not await until(pilot, ready, 30):
        raise SystemExit("the local stack did not answer: run tools/stack up and tools/stack seed first")

    def pull_failed() -> bool:  # the real node has tried (and failed) to pull the missing image
        screen = app.screen
        return isinstance(screen, PodsScreen) and any(
            "Err" in row.status or "BackOff" in row.status for row in screen.table.rows.values()
        )

    await until(pilot, pull_failed, 40)


async def shot(pilot: Pilot[None], app: K8sxApp, name: str, keys: tuple[str, ...], settle: float = 0.8) -> None:
    """Go to the pod list, press `keys`, save; then back out to the pod list."""
    try:
        await app.switch_mode("pods")
        await pilot.pause(0.2)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.15)
        await pilot.pause(settle)
        save(app, name)
    except Exception as exc:  # one view that cannot be reached must not cost the others
        print(f"skipped {name}: {exc}", file=sys.stderr)
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause(0.1)
    await app.switch_mode("pods")
    await pilot.press("escape")  # clears a filter left open
    await pilot.pause(0.2)


async def deploy_from_template(pilot: Pilot[None], app: K8sxApp) -> None:
    """The Deploy screen after a pod from the template was applied and followed (deleted again afterwards)."""
    try:
        await app.switch_mode("deploy")
        await pilot.pause(0.3)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, FormScreen), 5)
        app.screen.query_one("#field-name", Input).value = "train-demo"
        app.screen.query_one("#field-image", Input).value = f"{os.environ['K8SX_REGISTRY']}/experiments/train:0.3"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen), 5)
        await pilot.pause(0.5)  # the template's YAML reaches the editor
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Running" in str(app.screen.query_one("#deploy-follow", Static).content), 30)
        await pilot.pause(1.0)
        save(app, "deploy-applied")
        await shot(pilot, app, "pod-claims", ("v",), 1.5)  # its claim, in use by the pod just applied
    except Exception as exc:
        print(f"skipped deploy-applied: {exc}", file=sys.stderr)
    finally:
        delete_demo("pod", "train-demo")  # its claim stays for the re-run in runs_views


def delete_demo(kind: str, name: str) -> None:
    delete = ["kubectl", "delete", kind, name, "-n", NAMESPACE, "--ignore-not-found", "--wait=true"]
    subprocess.run(delete, capture_output=True)


async def runs_views(pilot: Pilot[None], app: K8sxApp) -> None:
    """The Runs screen with the run deploy_from_template recorded, that run's page, then the run re-run (`R`) and
    the two compared (`d`): the re-run's pod is deleted again afterwards."""
    try:
        await app.switch_mode("runs")
        await pilot.pause(3.5)  # the list refreshes every few seconds
        save(app, "runs")
        await pilot.press("enter")
        await pilot.pause(1.0)
        save(app, "run-page")
    except Exception as exc:
        print(f"skipped the runs views: {exc}", file=sys.stderr)
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause(0.1)
    await runs_compared(pilot, app)


async def runs_compared(pilot: Pilot[None], app: K8sxApp) -> None:
    """The run re-run from the Runs screen, then it and its re-run marked and compared side by side."""
    store = RunStore()
    before = {summary.id for summary in store.summaries()}
    try:
        await app.switch_mode("runs")
        await pilot.press("R")
        if not await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10):
            raise RuntimeError("the re-run was not offered")
        await pilot.click("#confirm")
        runs = app.screen
        if not isinstance(runs, RunsScreen) or not await until(pilot, lambda: len(runs.view.rows) == 2, 15):
            raise RuntimeError("the re-run was not listed")

        def settled() -> bool:  # the original's pod deleted, the re-run's running: as the follower recorded them
            rows = runs.view.rows
            return sorted(rows.phase(index) for index in range(len(rows))) == ["Deleted", "Running"]

        await until(pilot, settled, 30)
        await pilot.press("home", "space", "space", "d")  # mark both, then compare them
        if not await until(pilot, lambda: isinstance(app.screen, CompareScreen), 10):
            raise RuntimeError("the comparison did not open")
        await pilot.pause(0.8)
        save(app, "runs-compare")
    except Exception as exc:
        print(f"skipped runs-compare: {exc}", file=sys.stderr)
    finally:
        for summary in store.summaries():
            if summary.id not in before:  # the re-run's pod: not left behind on the cluster
                delete_demo(summary.kind.lower(), summary.name)
        store.close()
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause(0.1)


def _gpu_pod_read(pods: PodsScreen) -> bool:
    """The GPU pod has a usage reading (metrics-server sometimes lists a kwok pod without containers for a while: the
    app then says n/a) and an nvidia-smi one."""
    key = f"{NAMESPACE}/{GPU_POD}"
    state = pods.table.gpu.get(key)
    return key in pods.table.usage and state is not None and state.use is not None


async def _wait_for_readings(pilot: Pilot[None], app: K8sxApp, seconds: float) -> None:
    """Usage and GPU readings for the pod list's shots (the GPU pod's first usage needs two metrics-server scrapes),
    and the Pending pod's reason: the pictures then show figures, not `n/a`."""
    await app.switch_mode("pods")
    pods = app.screen
    if not isinstance(pods, PodsScreen):
        return
    if not await until(pilot, lambda: _gpu_pod_read(pods), seconds):
        print(f"note: a pod list shot shows n/a for {GPU_POD}'s usage or GPU (no reading yet)", file=sys.stderr)
    await until(pilot, lambda: "Insufficient" in _status(pods, PENDING_POD), 30)


async def resources_views(pilot: Pilot[None], app: K8sxApp) -> None:
    """The GPU pods with their resource columns (GPU%, VRAM from the stand-in nvidia-smi), and the whole list with
    the resource columns hidden (`m` twice), where a Pending pod's STATUS has room for its reason."""
    await _wait_for_readings(pilot, app, 45)
    await shot(pilot, app, "pods-resources", ("slash", *"gpu", "enter"), 0.8)
    try:
        await shot(pilot, app, "pods-pending", ("m", "m"), 0.8)
    finally:
        await app.switch_mode("pods")
        if isinstance(pods := app.screen, PodsScreen):
            pods.view.resources = "requests"  # the pod list's default, for the shots after this one
            pods.view.rows_changed()


def _status(pods: PodsScreen, name: str) -> str:
    row = pods.table.rows.get(f"{NAMESPACE}/{name}")
    return row.status if row is not None else ""


async def event_detail(pilot: Pilot[None], app: K8sxApp) -> None:
    """An event whole (Enter on the Events view): the scheduler's on the Pending pod, else the newest."""
    try:
        await app.switch_mode("events")
        events = app.screen
        if not isinstance(events, EventsScreen) or not await until(pilot, lambda: bool(events.events.rows), 15):
            raise RuntimeError("no events listed")
        table = events.table
        table.focus()
        await pilot.press("home")
        for index in range(table.row_count):  # the scheduler's words about the Pending pod, when listed
            row = events.events.rows.get(str(table.coordinate_to_cell_key((index, 0)).row_key.value))
            if row is not None and (row.reason, row.kind, row.name) == ("FailedScheduling", "Pod", PENDING_POD):
                table.move_cursor(row=index)
                break
        await pilot.press("enter")
        if not await until(pilot, lambda: isinstance(app.screen, TextViewScreen), 5):
            raise RuntimeError("the event's detail did not open")
        await pilot.pause(0.5)
        save(app, "event-detail")
    except Exception as exc:
        print(f"skipped event-detail: {exc}", file=sys.stderr)
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause(0.1)


async def pod_detail(pilot: Pilot[None], app: K8sxApp) -> None:
    """The GPU pod's detail panel (`i`), once its sparklines have a few samples (one per 15 s reading)."""
    try:
        await app.switch_mode("pods")
        await pilot.press("slash", *GPU_POD, "enter", "i")
        detail = app.screen
        if not isinstance(detail, PodDetailScreen):
            raise RuntimeError("the detail did not open")

        def samples(name: str) -> int:
            return len(detail.sparkline(name).data or [])

        if not await until(pilot, lambda: min(samples(name) for name in SERIES) >= 4, 100):
            counts = ", ".join(f"{name} {samples(name)}" for name in SERIES)
            print(f"note: pod-detail shot with few samples ({counts})", file=sys.stderr)
        await pilot.pause(1.0)  # its events
        save(app, "pod-detail")
    except Exception as exc:
        print(f"skipped pod-detail: {exc}", file=sys.stderr)
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause(0.1)
    await app.switch_mode("pods")
    await pilot.press("escape")  # the filter
    await pilot.pause(0.2)


async def main() -> None:
    gpu_dir = Path(tempfile.mkdtemp(prefix="k8sx-screenshots-gpu-"))
    try:
        add_demo_pods(gpu_dir)
        await shoot_all()
    finally:
        delete_gpu_pods()
        shutil.rmtree(gpu_dir, ignore_errors=True)


async def shoot_all() -> None:
    start_log(default_log_path())  # as the installed app does: help and doctor show where it is
    # The runs and what the app remembers are this run's own, and the code a run records is a small folder of its
    # own (not this checkout): the pictures do not depend on who runs this, or where.
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="k8sx-screenshots-")
    work = Path(tempfile.mkdtemp(prefix="k8sx-screenshots-work-"))
    (work / "train.py").write_text("print('training')\n")
    os.chdir(work)
    kube = KubeService(os.environ["KUBECONFIG"], None, NAMESPACE)
    # Only the bundled themes and the built-in settings: the pictures do not depend on who runs this.
    app = K8sxApp(Backends(kube, DockerService(os.environ["DOCKER_HOST"])), theme_dirs=[bundled_theme_dir()])
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_data(pilot, app)
        await _wait_for_readings(pilot, app, 90)
        for info in MODE_INFOS:
            await app.switch_mode(info.name)
            await pilot.pause(0.8)
            save(app, info.name)
        views: list[tuple[str, tuple[str, ...], float]] = [
            ("pod-describe", ("d",), 1.0),
            ("pod-yaml", ("y",), 1.0),
            ("pod-delete-confirm", ("ctrl+d",), 0.5),
            ("pod-filter", ("slash", *"shard"), 0.5),
            ("pull-results-form", ("r",), 0.8),
            ("command-palette", ("ctrl+p",), 0.5),
            ("help", ("question_mark",), 0.5),
            ("logs-following", ("l",), 2.5),
            ("terminal-shell", ("s",), 3.0),
            ("images-build", ("4", "b"), 0.8),
            ("push-prepared", ("4", "P"), 1.0),
        ]
        for name, keys, wait in views:
            await shot(pilot, app, name, keys, wait)
        await resources_views(pilot, app)
        await event_detail(pilot, app)
        await deploy_from_template(pilot, app)
        try:
            await runs_views(pilot, app)
        finally:
            delete_demo("pvc", "results")
        await pod_detail(pilot, app)
        await app.switch_mode("terminal")
        await pilot.pause(0.2)
        terminal = app.screen
        if isinstance(terminal, TerminalScreen):
            for pane_id in list(terminal.tabs):
                terminal.close_tab(pane_id)  # ends the shell process of the screenshot, never the pod
            await pilot.pause(0.5)
        for theme in load_themes([bundled_theme_dir()]).themes:
            app.theme = theme.name
            await shot(pilot, app, f"theme-{theme.name}", (), 0.5)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
