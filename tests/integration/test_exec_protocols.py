"""Execs for copies over both protocols, through the real API server to a kwok pod: SPDY (passed through by the
API server) by default, a websocket when the setting says so; the same bytes, endings and refusals either way."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.support.files import digests
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.services.exec.spdy import SpdyExec
from tui.services.exec.stream import ExecFailed, WebsocketExec, open_exec
from tui.services.kube.kube import KubeService
from tui.services.transfer.copy_in import FOLLOW_FROM, PodCopyIn
from tui.services.transfer.pull import PodFileTransfer

PROTOCOLS = {"auto": SpdyExec, "websocket": WebsocketExec}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_stdin_goes_in_whole_and_its_end_ends_the_command(
    stack: StackEnv, namespace: str, tmp_path: Path, protocol: str
) -> None:
    pod_with_root(stack, namespace, tmp_path)
    kube = KubeService(stack.kubeconfig, exec_protocol=protocol)
    data = os.urandom(5 * 1024 * 1024 + 17)  # more than one frame, not a multiple of one
    stream = open_exec(kube, namespace, "exp", ["sh", "-c", "cat; echo said >&2"], stdin=True)
    try:
        assert type(stream) is PROTOCOLS[protocol]
        stream.write(data)
        stream.close_stdin()  # cat ends only when its stdin does
        echoed = b"".join(bytes(chunk) for chunk in stream.stdout())
        outcome = stream.outcome()
    finally:
        stream.close()
    assert hashlib.sha256(echoed).digest() == hashlib.sha256(data).digest()
    assert (outcome.succeeded, outcome.stderr) == (True, b"said\n")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_failing_command_and_a_missing_pod_are_said_the_same_way(
    stack: StackEnv, namespace: str, tmp_path: Path, protocol: str
) -> None:
    pod_with_root(stack, namespace, tmp_path)
    kube = KubeService(stack.kubeconfig, exec_protocol=protocol)
    stream = open_exec(kube, namespace, "exp", ["sh", "-c", "echo broken >&2; exit 3"])
    try:
        assert b"".join(stream.stdout()) == b""
        outcome = stream.outcome()
    finally:
        stream.close()
    assert not outcome.succeeded
    assert "exit status 3" in outcome.message and outcome.stderr == b"broken\n"
    with pytest.raises(ExecFailed, match=f"^pod {namespace}/nowhere not found$"):
        open_exec(kube, namespace, "nowhere", ["true"])


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_dataset_goes_in_and_comes_back_byte_identical(
    stack: StackEnv, namespace: str, tmp_path: Path, protocol: str
) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    dataset = tmp_path / "dataset"
    (dataset / "shards").mkdir(parents=True)
    for index in range(50):
        (dataset / "shards" / f"{index:03d}.bin").write_bytes(os.urandom(1000 + index))
    # over FOLLOW_FROM: the pod hashes it while it arrives (tests/unit/test_copy_in_script.py shows that happening)
    (dataset / "weights.bin").write_bytes(os.urandom(FOLLOW_FROM + 12345))
    kube = KubeService(stack.kubeconfig, exec_protocol=protocol)
    sent = PodCopyIn(kube).copy_in(dataset, namespace, "exp", str(root / "in"), resume=True)
    assert (sent.files, sent.verified) == (51, "sha256")
    assert digests(root / "in" / "dataset") == digests(dataset)
    pulled = PodFileTransfer(kube).pull(namespace, "exp", str(root / "in" / "dataset"), tmp_path / "back")
    assert (pulled.files, pulled.verified) == (51, "sha256")
    assert digests(tmp_path / "back") == digests(dataset)
