"""`f` on a pod and the Forwards view (F on the pod list), in the real app against a busybox httpd pod on the real
node: a declared port forwarded at once, the view's state, open/copy, stop; a taken local port refused in words
with the next free one offered; a replaced pod followed on the same port; a port nothing listens on said per
connection. Run under flock /tmp/real-node.lock."""

from __future__ import annotations

import os
import re
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.forward import HTTP_PORT, get, start_httpd
from tests.support.images import real_node_image
from tests.support.pods import kwok_pod, manifest
from tests.support.stack import StackEnv, kubectl
from tui.app import K8sxApp
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.forward.forwards import ForwardsScreen
from tui.screens.forward.port_choice import PortChoiceScreen
from tui.screens.pods.pods import PodsScreen
from tui.services.forward.manager import ForwardManager

__all__ = ["real_node_image"]


@pytest.fixture
def app(stack: StackEnv, namespace: str) -> Iterator[K8sxApp]:
    made = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    yield made
    forwards = getattr(made, "forwards", None)
    if isinstance(forwards, ForwardManager):
        forwards.stop_all()


def said(app: K8sxApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def view_rows(app: K8sxApp) -> list[str]:
    table = app.screen.query_one("#forwards", DataTable)
    return [" | ".join(str(cell) for cell in table.get_row_at(index)) for index in range(table.row_count)]


async def forward_from_pod_list(pilot: Pilot[None], app: K8sxApp, typed: str = "") -> int:
    """f on the only pod; Enter on its first declared port (or `typed`); the local port the notice names."""
    pods = app.screen
    assert isinstance(pods, PodsScreen)
    await settle(pilot, lambda: len(pods.table.view) == 1, what="the pod listed")
    before = len(said(app))
    await pilot.press("f")
    await settle(pilot, lambda: isinstance(app.screen, PortChoiceScreen), what="the port choice")
    if typed:
        await pilot.press(*typed)
    await pilot.press("enter")
    await settle(pilot, lambda: any("→" in text for text in said(app)[before:]), what="the forward's notice")
    notice = next(text for text in said(app)[before:] if "→" in text)
    found = re.match(r"http://127\.0\.0\.1:(\d+) → ", notice)
    assert found, notice
    return int(found.group(1))


async def open_view(pilot: Pilot[None], app: K8sxApp) -> None:
    await pilot.press("F")
    await settle(pilot, lambda: isinstance(app.screen, ForwardsScreen), what="the Forwards view")


async def test_f_forwards_a_declared_port_and_the_view_shows_opens_and_stops_it(
    stack: StackEnv, namespace: str, real_node_image: str, app: K8sxApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_httpd(stack, namespace, "web", real_node_image, experiment="walk")
    monkeypatch.setenv("PATH", str(tmp_path / "no-opener"))  # no xdg-open: o copies the URL
    async with app.run_test(size=SIZE) as pilot:
        port = await forward_from_pod_list(pilot, app)
        assert f"http://127.0.0.1:{port} → {namespace}/walk:{HTTP_PORT}" in said(app)
        assert get(port) == (200, b"hello\n")
        await open_view(pilot, app)
        start = f"http://127.0.0.1:{port} | {namespace}/walk (web) | 8080 | active | 0 | "
        await settle(pilot, lambda: len(view_rows(app)) == 1 and view_rows(app)[0].startswith(start), what="active")
        await pilot.press("o")
        assert app.clipboard == f"http://127.0.0.1:{port}"
        opener = tmp_path / "bin" / "xdg-open"
        opener.parent.mkdir()
        opener.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "opened"}\n')
        opener.chmod(opener.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{opener.parent}{os.pathsep}/usr/bin{os.pathsep}/bin")
        await pilot.press("o")
        await settle(pilot, lambda: (tmp_path / "opened").exists(), what="the opener run")
        assert (tmp_path / "opened").read_text().strip() == f"http://127.0.0.1:{port}"
        await pilot.press("x")
        await settle(pilot, lambda: view_rows(app) == [], what="the forward gone")
        with pytest.raises(ConnectionRefusedError):
            get(port)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, PodsScreen), what="back on the pod list")


async def test_a_taken_local_port_is_said_and_the_next_free_one_offered(
    stack: StackEnv, namespace: str, real_node_image: str, app: K8sxApp
) -> None:
    start_httpd(stack, namespace, "web", real_node_image)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        async with app.run_test(size=SIZE) as pilot:
            pods = app.screen
            assert isinstance(pods, PodsScreen)
            await settle(pilot, lambda: len(pods.table.view) == 1, what="the pod listed")
            await pilot.press("f")
            await settle(pilot, lambda: isinstance(app.screen, PortChoiceScreen), what="the port choice")
            await pilot.press(*f"{port}:{HTTP_PORT}", "enter")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer of a free port")
            question = str(app.screen.query_one("#question").render())
            free = int(re.findall(r"; (\d+) is free", question)[0])
            assert question.startswith(f"127.0.0.1:{port} is in use by another program; {free} is free.")
            assert await answer_dialog(pilot, app, "tab", "enter") is True
            await settle(pilot, lambda: f"http://127.0.0.1:{free} → {namespace}/web:{HTTP_PORT}" in said(app))
            assert get(free) == (200, b"hello\n")
    finally:
        taken.close()


async def test_the_forward_follows_the_experiment_into_its_new_pod_on_the_same_port(
    stack: StackEnv, namespace: str, real_node_image: str, app: K8sxApp
) -> None:
    start_httpd(stack, namespace, "train-1", real_node_image, experiment="walk")
    async with app.run_test(size=SIZE) as pilot:
        port = await forward_from_pod_list(pilot, app)
        assert get(port) == (200, b"hello\n")
        await open_view(pilot, app)
        kubectl(stack, "delete", "pod", "train-1", "-n", namespace, "--wait=false")
        await settle(pilot, lambda: " waiting for pod " in view_rows(app)[0], what="waiting for pod")
        start_httpd(stack, namespace, "train-2", real_node_image, experiment="walk")
        await settle(pilot, lambda: "(train-2) | 8080 | active" in view_rows(app)[0], what="re-attached")
        assert get(port) == (200, b"hello\n")


async def test_a_port_nothing_listens_on_is_said_per_connection_and_the_forward_stays(
    stack: StackEnv, namespace: str, real_node_image: str, app: K8sxApp
) -> None:
    start_httpd(stack, namespace, "quiet", real_node_image, listen=False)
    async with app.run_test(size=SIZE) as pilot:
        port = await forward_from_pod_list(pilot, app)
        with pytest.raises(OSError):
            get(port)
        await open_view(pilot, app)
        words = "port 8080 in the pod: connection refused (nothing listens there)"
        await settle(pilot, lambda: view_rows(app)[0].endswith(f"| {words}"), what="the connection's error")
        assert " | active | " in view_rows(app)[0]
        info = str(app.screen.query_one("#forwards-info", Static).content)  # in full, whatever the column shows
        assert info == f"1 forward · http://127.0.0.1:{port}: {words}", info


async def test_a_kept_forward_comes_back_on_the_next_start(
    stack: StackEnv, namespace: str, real_node_image: str, app: K8sxApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    start_httpd(stack, namespace, "web", real_node_image, experiment="walk")
    async with app.run_test(size=SIZE) as pilot:
        port = await forward_from_pod_list(pilot, app)
        await open_view(pilot, app)
        await pilot.press("k")
        await settle(pilot, lambda: " | yes | " in view_rows(app)[0], what="marked kept")
        assert (tmp_path / "state" / "k8sx-tui" / "forwards.json").exists()
    forwards = getattr(app, "forwards", None)
    assert isinstance(forwards, ForwardManager)
    forwards.stop_all()  # as the app's exit does; the kept file stays
    again = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    try:
        async with again.run_test(size=SIZE) as pilot:
            await open_view(pilot, again)
            start = f"http://127.0.0.1:{port} | {namespace}/walk (web) | 8080 | active | "
            await settle(pilot, lambda: view_rows(again)[0].startswith(start), what="back and active")
            assert " | yes | " in view_rows(again)[0]
            assert get(port) == (200, b"hello\n")
            await pilot.press("k")  # no longer kept: the file says so
            await settle(pilot, lambda: " | yes | " not in view_rows(again)[0], what="unkept")
            assert (tmp_path / "state" / "k8sx-tui" / "forwards.json").read_text().strip() == "[]"
    finally:
        forwards_again = getattr(again, "forwards", None)
        if isinstance(forwards_again, ForwardManager):
            forwards_again.stop_all()


async def test_a_pod_without_declared_ports_asks_for_one_and_bad_ports_are_said(
    stack: StackEnv, namespace: str, app: K8sxApp
) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=kwok_pod("bare"))
    async with app.run_test(size=SIZE) as pilot:
        pods = app.screen
        assert isinstance(pods, PodsScreen)
        await settle(pilot, lambda: len(pods.table.view) == 1, what="the pod listed")
        await pilot.press("f")
        await settle(pilot, lambda: isinstance(app.screen, PortChoiceScreen), what="the port choice")
        problem = str(app.screen.query_one("#problem").render())
        assert (
            problem == f"no ports declared in {namespace}/bare: type one (REMOTE · LOCAL:REMOTE · ADDRESS:LOCAL:REMOTE)"
        )
        assert app.screen.query_one("#problem").size.height >= 2  # wrapped in the dialog, not cut
        assert not app.screen.query_one("#port-choices").display  # no empty list under the field
        await pilot.press(*"tensor[board]", "enter")
        await settle(pilot, lambda: "port 'tensor[board]' is not a port number" in said(app), what="the refusal")
        assert isinstance(app.screen, PodsScreen) and app.forwards.statuses() == []


async def test_a_typed_port_is_taken_as_typed_even_when_a_declared_one_contains_it(
    stack: StackEnv, namespace: str, app: K8sxApp
) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {
            "nodeSelector": {"type": "kwok"},
            "containers": [{"name": "main", "image": "busybox", "ports": [{"name": "http", "containerPort": 8080}]}],
        },
    }
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=manifest(pod))
    async with app.run_test(size=SIZE) as pilot:
        pods = app.screen
        assert isinstance(pods, PodsScreen)
        await settle(pilot, lambda: len(pods.table.view) == 1, what="the pod listed")
        await pilot.press("f")
        await settle(pilot, lambda: isinstance(app.screen, PortChoiceScreen), what="the port choice")
        await settle(pilot, lambda: app.screen.query_one("#port-choices").option_count == 1, what="8080 listed")
        await pilot.press("8", "0", "enter")  # a name picker would narrow this to "8080 http/TCP (main)"
        await settle(pilot, lambda: any("→" in text for text in said(app)), what="the forward's notice")
        notice = next(text for text in said(app) if "→" in text)
        assert re.fullmatch(rf"http://127\.0\.0\.1:\d+ → {namespace}/web:80( \(80 was in use\))?", notice), notice
