"""A run recorded as ended whose log was not archived to its end (the app was closed while the pod ran, and the
run's end was recorded before its last lines were read) is caught up when the app starts: from the archive's last
line while its pod is still there, to the byte what `kubectl logs` prints; when its pod is gone, the gap is said
in words, on the archive and to whoever asked (`on_gap`). On the real node (run under /tmp/real-node.lock)."""

from __future__ import annotations

import time
from dataclasses import replace

import yaml

from tests.support.app import SIZE, make_app, settle
from tests.support.logs import info, logs_screen, shown
from tests.support.pods import real_node_pod, wait_pod_phase
from tests.support.real_node import engine, pushed_image
from tests.support.run_logs import archived_text, following, kubectl_logs, record_run
from tests.support.stack import StackEnv, apply, kubectl, wait_for
from tests.support.state import own_state
from tui.models.runs.run import Run
from tui.services.kube.kube import KubeService
from tui.services.runs.follower import RunFollower
from tui.services.runs.store import RunStore

__all__ = ["engine", "own_state", "pushed_image"]  # fixtures

LINES = 300
SLOW = f'i=0; while [ $i -lt {LINES} ]; do echo "line $i"; i=$((i+1)); sleep 0.02; done'


def half_archived_ended_run(stack: StackEnv, namespace: str, image: str, name: str) -> Run:
    """A pod that prints LINES lines and ends, followed until its first lines are archived; then, with no follower,
    the pod ends and its run is recorded Succeeded while its archive is not complete."""
    pod = yaml.safe_dump(real_node_pod(name, image, ["sh", "-c", SLOW]), sort_keys=False)
    apply(stack, namespace, pod)
    store = RunStore()
    run = record_run(stack, namespace, name, pod)
    with following(KubeService(stack.kubeconfig, namespace=namespace), store):
        wait_for(lambda: archived_text(store, run.id).count(b"\n") >= 40, timeout=120, what="its first lines")
    wait_pod_phase(stack, namespace, name, "Succeeded", timeout=120)
    archive = store.logs(run.id)[0]
    assert not archive.complete and archive.lines < LINES
    ended = replace(store.get(run.id), phase="Succeeded", ended=time.time())
    store.record(ended)
    return ended


async def test_an_ended_runs_log_is_caught_up_on_start_or_its_gap_said(
    stack: StackEnv, namespace: str, pushed_image: str
) -> None:
    store = RunStore()
    there = half_archived_ended_run(stack, namespace, pushed_image, "finished-there")
    gone = half_archived_ended_run(stack, namespace, pushed_image, "finished-gone")
    gone_lines = store.logs(gone.id)[0].lines
    printed = kubectl_logs(stack, namespace, "finished-there")
    assert printed.count(b"\n") == LINES
    kubectl(stack, "delete", "pod", "-n", namespace, "finished-gone", "--wait=true")

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(
            pilot, lambda: all(store.logs(run.id)[0].complete for run in (there, gone)), timeout=60,
            what="both archives complete",
        )  # fmt: skip
        assert archived_text(store, there.id) == printed and store.logs(there.id)[0].gaps == ()
        assert archived_text(store, gone.id).count(b"\n") == gone_lines
        gaps = store.logs(gone.id)[0].gaps
        assert len(gaps) == 1 and "the pod was deleted meanwhile: its lines after that are not archived" in gaps[0]
        assert [store.get(run.id).phase for run in (there, gone)] == ["Succeeded", "Succeeded"]  # as they ended
        said = f"lines missing from an archived log: run {gone.id} ({namespace}/finished-gone), main: k8sx-tui was"
        await settle(pilot, lambda: any(n.message.startswith(said) for n in app._notifications), what="the gap said")
        assert not any(there.id in n.message for n in app._notifications)  # (caught up: no gap)

        await pilot.press("2")
        logs_screen(app).open_run_logs(gone.id)
        await settle(pilot, lambda: "archived log, complete" in info(app), what="the gone pod's archive")
        assert "1 gap" in info(app) and shown(app)[-1].startswith(f"⚠ {namespace}/finished-gone/main: k8sx-tui was")


def test_the_gaps_found_on_catching_up_are_said_to_whoever_asked(
    stack: StackEnv, namespace: str, pushed_image: str
) -> None:
    gone = half_archived_ended_run(stack, namespace, pushed_image, "said-gone")
    kubectl(stack, "delete", "pod", "-n", namespace, "said-gone", "--wait=true")
    said: list[str] = []
    follower = RunFollower(KubeService(stack.kubeconfig, namespace=namespace), RunStore(), 0.5, on_gap=said.append)
    follower.start()
    try:
        wait_for(lambda: bool(said), timeout=60, what="the gap said")
    finally:
        follower.stop()
    assert len(said) == 1 and said[0].startswith(f"run {gone.id} ({namespace}/said-gone), main: k8sx-tui was not ")
    assert said[0].endswith("and the pod was deleted meanwhile: its lines after that are not archived")
