"""The surviving forward (tui/services/forward) against a busybox httpd pod on the real node: bytes identical,
many connections at once, a replaced pod followed on the same local port, a taken port refused in words with the
next free one, a port nothing listens on reported per connection. Run under flock /tmp/real-node.lock."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.forward import HTTP_PORT, get, sha256_in_pod, sha256_of_get, start_httpd
from tests.support.images import real_node_image
from tests.support.pods import wait_pod_phase
from tests.support.stack import StackEnv, kubectl, wait_for
from tui.models.forward.forward import ForwardSpec, State
from tui.models.forward.presets import Preset
from tui.services.forward.local_port import PortInUse, next_free
from tui.services.forward.manager import ForwardManager
from tui.services.kube.kube import KubeService

__all__ = ["real_node_image"]


@pytest.fixture
def manager(stack: StackEnv, namespace: str) -> Iterator[ForwardManager]:
    forwards = ForwardManager(KubeService(stack.kubeconfig, namespace=namespace))
    yield forwards
    forwards.stop_all()


def local_port() -> int:
    port = next_free("127.0.0.1", 20000 + int(time.time() * 1000) % 20000)
    assert port is not None
    return port


def active(manager: ForwardManager) -> bool:
    return all(status.state == State.ACTIVE for status in manager.statuses())


def test_a_big_file_comes_through_intact_and_many_requests_at_once_all_succeed(
    stack: StackEnv, namespace: str, real_node_image: str, manager: ForwardManager
) -> None:
    start_httpd(stack, namespace, "web", real_node_image, big_mb=50)
    forward = manager.start(ForwardSpec(namespace, "web", HTTP_PORT, local_port()))
    wait_for(lambda: active(manager), timeout=30, what="the forward active")
    digest, size = sha256_of_get(forward.spec.local_port)
    assert size == 50 * 1024 * 1024
    assert digest == sha256_in_pod(stack, namespace, "web")
    with ThreadPoolExecutor(100) as pool:
        answers = list(pool.map(lambda _: get(forward.spec.local_port), range(100)))
    assert answers == [(200, b"hello\n")] * 100
    status = forward.status()
    assert status.bytes_in > 50 * 1024 * 1024 and status.errors == 0, status


def test_a_replaced_pod_of_the_experiment_is_followed_on_the_same_local_port(
    stack: StackEnv, namespace: str, real_node_image: str, manager: ForwardManager
) -> None:
    start_httpd(stack, namespace, "train-1", real_node_image, experiment="walk")
    forward = manager.start(ForwardSpec(namespace, "train-1", HTTP_PORT, local_port(), experiment="walk"))
    wait_for(lambda: active(manager), timeout=30, what="the forward active")
    assert get(forward.spec.local_port) == (200, b"hello\n")
    kubectl(stack, "delete", "pod", "train-1", "-n", namespace, "--wait=true")
    wait_for(lambda: forward.status().state == State.WAITING, timeout=30, what="the forward waiting for its pod")
    start_httpd(stack, namespace, "train-2", real_node_image, experiment="walk")
    wait_pod_phase(stack, namespace, "train-2")
    assert get(forward.spec.local_port, timeout=60) == (200, b"hello\n")  # waits for the re-attach, then goes
    assert forward.status().pod == "train-2" and forward.status().state == State.ACTIVE


def test_a_taken_local_port_is_refused_in_words_with_the_next_free_one(
    stack: StackEnv, namespace: str, manager: ForwardManager
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with pytest.raises(PortInUse) as refused:
            manager.start(ForwardSpec(namespace, "web", HTTP_PORT, port))
        assert refused.value.free is not None and refused.value.free > port
        assert str(refused.value) == f"127.0.0.1:{port} is in use by another program; {refused.value.free} is free"
        moved = manager.start(ForwardSpec(namespace, "web", HTTP_PORT, port), exact_port=False)
        assert moved.spec.local_port == refused.value.free
    finally:
        taken.close()


def test_a_port_nothing_listens_on_fails_each_connection_in_words_and_the_forward_stays(
    stack: StackEnv, namespace: str, real_node_image: str, manager: ForwardManager
) -> None:
    start_httpd(stack, namespace, "quiet", real_node_image, listen=False)
    forward = manager.start(ForwardSpec(namespace, "quiet", HTTP_PORT, local_port()))
    wait_for(lambda: active(manager), timeout=30, what="the forward active")
    for attempt in range(2):
        with pytest.raises((ConnectionError, OSError)):
            get(forward.spec.local_port)
        wait_for(lambda n=attempt: forward.status().errors == n + 1, timeout=10, what="the failure counted")
    status = forward.status()
    assert status.last_error == "port 8080 in the pod: connection refused (nothing listens there)"
    assert status.state == State.ACTIVE


def test_a_projects_presets_start_once_each(
    stack: StackEnv, namespace: str, real_node_image: str, manager: ForwardManager
) -> None:
    start_httpd(stack, namespace, "train-1", real_node_image, experiment="walk")
    presets = [Preset("web", HTTP_PORT, local_port()), Preset("nothing", 9, local_port() + 1)]
    assert manager.start_presets(presets, namespace, "train-1", "walk") == []
    assert manager.start_presets(presets, namespace, "train-1", "walk") == []  # running already: not again
    statuses = manager.statuses()
    assert [(status.spec.target, status.spec.remote_port) for status in statuses] == [
        (f"{namespace}/walk", HTTP_PORT),
        (f"{namespace}/walk", 9),
    ]
    wait_for(lambda: active(manager), timeout=30, what="the forwards active")
    assert get(statuses[0].spec.local_port) == (200, b"hello\n")
