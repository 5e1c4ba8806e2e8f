"""The Logs screen opens a run's archived log: the lines the run follower kept, after the pod was deleted, with the
same search, container picker and save as a followed log."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.app import SIZE, make_app, settle
from tests.support.logs import Clock, cri, info, lines_held, log_pod, logs_screen, shown
from tests.support.run_logs import TWO_CONTAINERS, following, record_run
from tests.support.stack import StackEnv, kubectl, wait_for
from tests.support.state import own_state
from tui.models.runs.run import Run
from tui.screens.common.dialogs import ChoiceScreen
from tui.services.kube.kube import KubeService
from tui.services.runs import follower as run_follower
from tui.services.runs.store import RunStore, new_run_id

__all__ = ["own_state"]  # fixtures


def archived_deleted_run(stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A run whose pod logged, was archived by the run follower, and was deleted; its id."""
    monkeypatch.setattr(run_follower, "END_GRACE_S", 1.0)  # (kwok's log streams never end by themselves)
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="trainer", containers=("main", "sidecar"))
    pod.write([cri(f"epoch {i} loss 0.{i:03d}", clock.tick()) for i in range(500)], container="main")
    pod.write([cri("\x1b[31m[bold]sidecar[/bold] says hi\x1b[0m", clock.tick())], container="sidecar")
    store = RunStore()  # $XDG_STATE_HOME: the test's own (own_state), where the app looks too
    run = record_run(stack, namespace, "trainer", TWO_CONTAINERS)
    with following(KubeService(stack.kubeconfig, namespace=namespace), store):
        wait_for(lambda: sum(a.lines for a in store.logs(run.id)) == 501, timeout=60, what="both logs archived")
        kubectl(stack, "delete", "pod", "-n", namespace, "trainer", "--wait=true")
        wait_for(lambda: store.get(run.id).phase == "Deleted", timeout=60, what="the run Deleted")
    return run.id


async def test_a_deleted_pods_archived_log_opens_with_search_and_its_containers(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = archived_deleted_run(stack, namespace, tmp_path, monkeypatch)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        logs_screen(app).open_run_logs(run_id)
        await settle(pilot, lambda: lines_held(app) == 501, what="the archived lines and the gap's marker")
        await settle(pilot, lambda: "epoch 499 loss 0.499" in shown(app) and "501 lines" in info(app), what="shown")
        # kwok never ends a log stream, so the follower stopped it when the pod was gone, and said so
        assert shown(app)[-1].startswith(f"⚠ {namespace}/trainer/main: the pod was deleted before its log was read")
        assert f"archived log of run {run_id} ({namespace}/trainer) [main] · 501 lines · 1 gap" in info(app)
        await settle(pilot, lambda: "stream ended: archived log, complete" in info(app), what="its end")
        assert str(logs_screen(app).sub_title).startswith(f"archived log of run {run_id}")

        await pilot.press("slash", *"epoch 42 ", "enter")
        await settle(pilot, lambda: "search 'epoch 42 ': 1/1 hits" in info(app), what="the one hit")
        assert "epoch 42 loss 0.042" in shown(app)
        await pilot.press("escape")

        await pilot.press("c")  # the other archived container, as for a pod's containers
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the container picker")
        assert list(app.screen.choices) == ["all containers", "main", "sidecar"]  # type: ignore[attr-defined]
        await pilot.press(*"sidecar", "enter")
        sidecar = "[bold]sidecar[/bold] says hi"  # markup as text, its escape sequences not drawn
        await settle(pilot, lambda: shown(app)[:1] == [sidecar], what="the sidecar's line")
        assert lines_held(app) == 2  # and its gap's marker

        saved = tmp_path / "saved.log"
        await pilot.press("ctrl+s", *["ctrl+u"], *str(saved), "enter")
        await settle(pilot, lambda: any("saved" in n.message for n in app._notifications), what="saved")
        assert saved.read_bytes() == b"\x1b[31m[bold]sidecar[/bold] says hi\x1b[0m\n"  # the line as the pod wrote it


async def test_a_run_without_an_archived_log_is_said_in_words(stack: StackEnv, namespace: str) -> None:
    store = RunStore()
    run = Run(
        id=new_run_id(), name="never-followed", kind="Pod", namespace=namespace, context="k8sx-local",
        server="", created=time.time(), manifest="", images=("busybox",), phase="Deleted",
    )  # fmt: skip
    store.record(run)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: any("has no archived log" in n.message for n in app._notifications), what="why")
        logs_screen(app).open_run_logs("no-such-run")
        await settle(pilot, lambda: any("no run 'no-such-run'" in n.message for n in app._notifications), what="why")
        assert lines_held(app) == 0 and "no pod chosen" in info(app)


async def test_a_run_still_archived_shows_the_lines_the_follower_adds(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="training")
    pod.write([cri(f"step {i}", clock.tick()) for i in range(10)])
    store = RunStore()
    run = record_run(stack, namespace, "training")
    with following(KubeService(stack.kubeconfig, namespace=namespace), store):
        wait_for(lambda: sum(a.lines for a in store.logs(run.id)) == 10, timeout=60, what="the first lines archived")
        app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2")
            logs_screen(app).open_run_logs(run.id)
            await settle(pilot, lambda: shown(app)[-1:] == ["step 9"] and "live" in info(app), what="the first lines")
            pod.write([cri(f"step {i}", clock.tick()) for i in range(10, 15)])
            await settle(pilot, lambda: shown(app)[-1:] == ["step 14"], timeout=30, what="the lines added since")
            assert lines_held(app) == 15 and "archived log of run" in info(app)
