"""Where the Logs screen's lines come from and what it says about them: the tail it starts with (a setting), a
source that lost lines while the app was away, and the logs of pods that are dead (a real kubelet's)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import docker
import pytest
from docker.errors import NotFound
from textual.pilot import Pilot

from tests.support.app import SIZE, make_app, settle
from tests.support.images import busybox_image, push_image
from tests.support.logs import Clock, cri, info, lines_held, log_pod, logs_screen, open_from_pod_list, shown
from tests.support.net import TcpProxy
from tests.support.pods import start_real_node_pod
from tests.support.stack import StackEnv, kubeconfig_with_server, kubectl, read_stack_env
from tui.app import K8sxApp
from tui.backends import Backends
from tui.screens.common.dialogs import ChoiceScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.settings import Settings


async def choose_range(pilot: Pilot[None], app: K8sxApp, choice: str) -> list[str]:
    """Press r on the Logs screen and pick `choice`; returns the choices the picker offered."""
    await pilot.press("r")
    await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the range picker")
    picker = app.screen
    assert isinstance(picker, ChoiceScreen)
    offered = list(picker.choices)
    await pilot.press(*choice, "enter")
    return offered


# ---------------------------------------------------------------- the tail


async def test_a_log_opens_at_its_last_1000_lines_and_all_reads_the_rest(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="chatty")
    pod.write([cri(f"line {i}", clock.tick()) for i in range(1500)])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "chatty")
        await settle(pilot, lambda: lines_held(app) == 1000 and shown(app)[-1:] == ["line 1499"], what="the tail")
        await pilot.pause(0.5)
        history = logs_screen(app).history
        assert history is not None and len(history) == 1000 and history.line(0).endswith(b" line 500")
        assert "last 1,000 lines" in info(app)

        offered = await choose_range(pilot, app, "all")
        assert offered[0] == "last 1,000 lines"
        await settle(pilot, lambda: lines_held(app) == 1500, what="the whole log")
        history = logs_screen(app).history
        assert history is not None and history.line(0).endswith(b" line 0") and "all lines" in info(app)


async def test_the_number_of_lines_a_log_starts_with_is_a_setting(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="chatty")
    pod.write([cri(f"line {i}", clock.tick()) for i in range(500)])
    backends = Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host))
    app = K8sxApp(backends, settings=Settings(log_tail_lines=200))  # as the settings file gives it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        assert "last 200 lines" in info(app)  # said before any pod is chosen
        await pilot.press("1")
        await open_from_pod_list(pilot, app, "chatty")
        await settle(pilot, lambda: lines_held(app) == 200 and shown(app)[-1:] == ["line 499"], what="200 lines")
        await pilot.pause(0.5)
        assert lines_held(app) == 200 and "last 200 lines" in info(app)

        offered = await choose_range(pilot, app, "5m")
        assert offered == ["last 200 lines", "1m", "5m", "15m", "1h", "all"]
        await choose_range(pilot, app, "last 200")  # and back to the setting
        await settle(pilot, lambda: "last 200 lines" in info(app) and lines_held(app) == 200, what="the tail again")


# ---------------------------------------------------------------- a source that lost lines


async def test_lines_the_server_no_longer_has_after_a_drop_are_reported_missing(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="rotating")
    step = timedelta(milliseconds=1)
    pod.write([cri(f"record {i}", clock.tick(step)) for i in range(100)])
    server = kubectl(stack, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
    proxy = TcpProxy(server)
    try:
        app = make_app(kubeconfig_with_server(stack, tmp_path, proxy.server), stack.docker_host, namespace=namespace)
        async with app.run_test(size=SIZE) as pilot:
            await open_from_pod_list(pilot, app, "rotating")
            await settle(pilot, lambda: lines_held(app) == 100, what="the first 100 records")

            proxy.refuse()
            assert proxy.drop() > 0
            await settle(pilot, lambda: "reconnecting" in info(app), what="reconnecting shown")
            # Meanwhile records 100-199 are written and rotated away: the log the server has now starts at 200.
            for _ in range(100):
                clock.tick(step)
            pod.files["main"].write_text("".join(cri(f"record {i}", clock.tick(step)) for i in range(200, 300)))
            proxy.accept()
            # (the info line, not the history: lines are appended before the screen shows them and says so)
            await settle(pilot, lambda: "201 lines" in info(app) and "live" in info(app), what="the records after it")
            assert "1 gap (lines may be missing)" in info(app)
            history = logs_screen(app).history
            assert history is not None
            lines = [line.split(b" ", 1)[1].decode() for line in history.lines(0, len(history))]
            assert lines[:100] == [f"record {i}" for i in range(100)]
            assert lines[101:] == [f"record {i}" for i in range(200, 300)]
            assert "lines may be missing here" in lines[100]  # where they are missing, in the log itself

            await choose_range(pilot, app, "all")  # start over: the marker is not part of the log
            await settle(pilot, lambda: lines_held(app) == 100 and "gap" not in info(app), what="a fresh start")
    finally:
        proxy.close()


# ---------------------------------------------------------------- dead pods (a real kubelet)


@pytest.fixture(scope="module")
def node_image(stack: StackEnv) -> Iterator[str]:
    """A FROM-scratch busybox image in the local registry, for pods on the real node."""
    ref = push_image(stack, busybox_image, f"{stack.registry}/k8sx-e2e/logs:{uuid.uuid4().hex[:10]}")
    yield ref
    client = docker.DockerClient(base_url=stack.docker_host, timeout=120)
    with contextlib.suppress(NotFound):
        client.api.remove_image(ref, force=True)
    client.close()


def node_pod(
    stack: StackEnv, namespace: str, image: str, name: str, script: str, phase: str, restart: str = "Never"
) -> None:
    """A pod on the real node running `script` in sh; returns once it is in `phase`."""
    start_real_node_pod(stack, namespace, image, name, ["sh", "-c", script], phase, restart)


async def test_the_logs_of_a_failed_and_a_completed_pod_stay_readable(
    stack: StackEnv, namespace: str, node_image: str
) -> None:
    assert read_stack_env()["K8SX_REAL_NODE"]
    failing = 'echo "epoch 1 loss 0.9"; echo "ERROR loss is nan"; exit 3'
    node_pod(stack, namespace, node_image, "diverged", failing, "Failed")
    node_pod(stack, namespace, node_image, "finished", 'echo "epoch 1 loss 0.9"; echo "saved model"', "Succeeded")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "diverged")
        await settle(pilot, lambda: shown(app) == ["epoch 1 loss 0.9", "ERROR loss is nan"], what="the failed log")
        await settle(pilot, lambda: "stream ended" in info(app), what="the end of its log")
        assert "container exited (Error, exit code 3)" in info(app)

        await pilot.press("1")
        await open_from_pod_list(pilot, app, "finished")
        await settle(pilot, lambda: shown(app) == ["epoch 1 loss 0.9", "saved model"], what="the completed pod's log")
        await settle(pilot, lambda: "stream ended" in info(app), what="the end of its log")
        assert "container exited (Completed, exit code 0)" in info(app)

        await pilot.press("p")  # it never restarted: there is no previous container, and the screen says so
        await settle(pilot, lambda: "stream ended" in info(app) and "previous" in info(app), what="no previous log")
        assert "not found" in info(app) and lines_held(app) == 0


async def test_a_crashing_container_is_followed_into_its_next_run_without_a_false_gap(
    stack: StackEnv, namespace: str, node_image: str
) -> None:
    script = 'echo "run $(cat /proc/sys/kernel/random/uuid | cut -c1-8) started"; sleep 1; echo "diverged"; exit 1'
    node_pod(stack, namespace, node_image, "crashloop", script, "Running", restart="Always")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "crashloop")
        await settle(pilot, lambda: shown(app)[-1:] == ["diverged"], what="the first run's log")
        await settle(pilot, lambda: "it will be restarted" in info(app), timeout=30, what="waiting for the restart")
        # The kubelet waits about 10 s before it starts the container again.
        await settle(pilot, lambda: len(shown(app)) >= 4, timeout=90, what="the second run's first line")
        rows = shown(app)
        assert rows[1:3] == ["diverged", f"↻ {namespace}/crashloop/main: the container restarted"], rows
        assert rows[0].startswith("run ") and rows[3].startswith("run ") and rows[0] != rows[3]  # not repeated
        assert "gap" not in info(app)
