"""The project file on the Deploy screen and the one-key loop (build → push → deploy → Running → shell, on the real
node), the loop's clear stop at a failing stage, and a fan-out of pods with per-index arguments."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.e2e.test_deploy import deploy_screen, follow_text, listed, open_deploy
from tests.e2e.test_terminal import newest, terminal, type_line, until_shown
from tests.support.app import SIZE, make_app, settle
from tests.support.images import BUSYBOX_DOCKERFILE
from tests.support.stack import StackEnv, kubectl, read_stack_env
from tests.support.state import own_state
from tui.models.deploy.pod_template import FANOUT_LABEL, INDEX_LABEL, MANAGED_BY_LABEL
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.services.images.last_pushed import LastPushed

__all__ = ["own_state"]


@pytest.fixture(autouse=True)
def own_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))


def busybox_project(folder: Path, registry: str, image: str, extra_dockerfile: str = "", pod: str = "") -> None:
    (folder / "image").mkdir()
    shutil.copy("/bin/busybox", folder / "image" / "busybox")
    (folder / "image" / "Dockerfile").write_text(BUSYBOX_DOCKERFILE + extra_dockerfile)
    (folder / "k8sx.yaml").write_text(
        f"image: {image}\nregistry: {registry}\nbuild: {{context: image, dockerfile: image/Dockerfile}}\n{pod}"
    )


REAL_NODE_POD = """\
pod:
  template:
    name: loop
    command: sh -c 'mkdir -p /tmp && echo ready > /tmp/state && exec sleep 3600'
    nodeSelector: {{type: real}}
    tolerations: [{{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}}]
"""


async def test_one_key_builds_pushes_deploys_on_the_real_node_and_opens_a_shell(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    env = read_stack_env()
    image = f"k8sx-e2e/loop-{uuid.uuid4().hex[:8]}"
    pod = REAL_NODE_POD.format()  # no claim: the real node's few local volumes are shared by every test
    busybox_project(own_state, stack.registry, image, pod=pod)
    LastPushed().set(f"{stack.registry}/{image}:0.4")  # the loop goes one up: 0.5
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        assert f"project k8sx.yaml: {stack.registry}/{image}" in str(screen.query_one("#deploy-info").content)  # type: ignore[attr-defined]
        assert "name: loop" in screen.editor.text  # the project's pod, shown before anything is applied
        await pilot.press("g")
        try:
            await settle(
                pilot,
                lambda: app.current_mode == "terminal" or "✗" in follow_text(app),
                timeout=240,
                what="the shell opened",
            )
            assert app.current_mode == "terminal"
        except AssertionError:
            raise AssertionError(follow_text(app)) from None
        started = lambda: bool(terminal(app).tabs) and newest(app).started  # noqa: E731
        await settle(pilot, started, timeout=90, what="the shell started")
        tab = newest(app)
        await type_line(pilot, "cat /tmp/state")
        await until_shown(pilot, tab, "\nready\n", timeout=90)
        terminal(app).close_tab(tab.pane_id)  # ends the shell's exec, not the pod

        text = follow_text(app)
        for stage in ("build", "push", "deploy", "running", "shell"):
            assert f"✓ {stage}" in text, text
        assert f"{stack.registry}/{image}:0.5@sha256:" in text
        assert f"image: {stack.registry}/{image}:0.5@sha256:" in deploy_screen(app).editor.text  # what was applied
    assert LastPushed().get() is not None and f"{image}:0.5@sha256:" in (LastPushed().get() or "")
    pod_json = json.loads(kubectl(stack, "get", "pod", "loop", "-n", namespace, "-o", "json"))
    assert pod_json["spec"]["nodeName"] == env["K8SX_REAL_NODE"]
    assert pod_json["spec"]["containers"][0]["image"].startswith(f"{stack.registry}/{image}:0.5@sha256:")
    assert pod_json["metadata"]["labels"][MANAGED_BY_LABEL] == "k8sx-tui"


async def test_the_loop_stops_at_the_first_failing_stage_and_says_why(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    pod = "pod:\n  template: {name: never, command: 'sleep 1'}\n"
    busybox_project(
        own_state, stack.registry, "k8sx-e2e/broken", 'RUN ["/bin/sh", "-c", "echo no data; exit 3"]\n', pod
    )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await pilot.press("g")
        await settle(pilot, lambda: "✗ build" in follow_text(app), timeout=120, what="the build failing")
        text = follow_text(app)
        assert "returned a non-zero code: 3" in text and "no data" in text, text
        assert "push (not run)" in text and "deploy (not run)" in text
        assert app.current_mode == "deploy"
    assert kubectl(stack, "get", "pods", "-n", namespace, "-o", "name") == ""


async def test_a_pod_that_cannot_be_scheduled_stops_the_loop_at_running_with_the_schedulers_reason(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    pod = "pod:\n  template: {name: nowhere, command: 'sleep 60', nodeSelector: {type: no-such-node}}\n"
    busybox_project(own_state, stack.registry, f"k8sx-e2e/stuck-{uuid.uuid4().hex[:6]}", pod=pod)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await pilot.press("g")
        await settle(pilot, lambda: "✗ running" in follow_text(app), timeout=180, what="the loop stopping")
        text = follow_text(app)
        assert "✓ deploy" in text and re.search(r"not scheduled: 0/\d+ nodes are available", text), text
        assert "shell (not run)" in text and app.current_mode == "deploy"


async def test_project_file_errors_are_shown_with_line_and_key(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    (own_state / "k8sx.yaml").write_text("image: train\nregistry: 127.0.0.1:5000\npods: {}\npaths: {results: [x]}\n")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        text = follow_text(app)
        assert (
            "k8sx.yaml line 3: unknown key 'pods' (known: build, forwards, image, namespace, paths, pod, registry, tag)"
            in text
        )
        assert "k8sx.yaml line 4: 'paths.results' must be a text value, not a list" in text
        await pilot.press("g")
        assert "no project file: P opens one" in follow_text(app)

        (own_state / "k8sx.yaml").write_text("image: train\nregistry: 127.0.0.1:5000\nnamespace: " + namespace + "\n")
        await pilot.press("P")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the project form")
        assert app.screen.query_one("#field-path", Input).value == str(own_state / "k8sx.yaml")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "project " in follow_text(app), what="the project loaded")
        assert f"image 127.0.0.1:5000/train, namespace {namespace}" in follow_text(app)


async def test_a_fan_out_starts_five_labelled_pods_with_their_own_index(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    manifest = """\
apiVersion: v1
kind: Pod
metadata: {name: prep}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: 127.0.0.1:5000/team/prep:0.1
    args: [--shard, "{index}", --of, "5"]
    env: [{name: OUT, value: "/persistent/out/shard-{index}"}]
"""
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(manifest)
        await pilot.press("F")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the fan-out form")
        assert app.screen.query_one("#field-name", Input).value == "prep"
        assert app.screen.query_one("#field-count", Input).value == "5"
        await pilot.press("ctrl+s")
        names = {f"prep-{i}" for i in range(5)}
        try:
            await settle(
                pilot,
                lambda: set(listed(app)) == names and set(listed(app).values()) == {"Running"},
                timeout=90,
                what="five pods Running",
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}: listed {listed(app)}; {follow_text(app)}") from None
        assert "fan-outs: prep" in str(deploy_screen(app).query_one("#deploy-pods-info").content)  # type: ignore[attr-defined]
        assert not isinstance(app.screen, ConfirmScreen)
    pods = json.loads(kubectl(stack, "get", "pods", "-n", namespace, "-l", f"{FANOUT_LABEL}=prep", "-o", "json"))
    by_index = {int(p["metadata"]["labels"][INDEX_LABEL]): p for p in pods["items"]}
    assert sorted(by_index) == [0, 1, 2, 3, 4]
    for index, pod in by_index.items():
        container = pod["spec"]["containers"][0]
        assert pod["metadata"]["name"] == f"prep-{index}"
        assert container["args"] == ["--shard", str(index), "--of", "5"]
        assert container["env"] == [{"name": "OUT", "value": f"/persistent/out/shard-{index}"}]
        assert pod["metadata"]["labels"][MANAGED_BY_LABEL] == "k8sx-tui"
