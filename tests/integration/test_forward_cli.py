"""`k8sx-tui forward` (tui/forward_cli.py, run as a process) against a busybox httpd pod on the real node: it
forwards, says so on one line, follows the experiment; bad ports and a taken port end it in words.
Run under flock /tmp/real-node.lock."""

from __future__ import annotations

import functools
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.forward import HTTP_PORT, get, start_httpd
from tests.support.images import real_node_image
from tests.support.stack import StackEnv
from tui.services.forward.local_port import next_free

__all__ = ["real_node_image"]

ROOT = Path(__file__).resolve().parent.parent.parent


def forward_process(stack: StackEnv, namespace: str, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tui", "forward", "--kubeconfig", stack.kubeconfig, "-n", namespace, *args]
    # Started as a shell without job control starts a background job: SIGINT ignored (it must stop it all the same).
    ignore_interrupts = functools.partial(signal.signal, signal.SIGINT, signal.SIG_IGN)
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ignore_interrupts
    )


def test_forward_runs_in_the_foreground_with_a_status_line_until_interrupted(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    start_httpd(stack, namespace, "web", real_node_image, experiment="walk")
    port = next_free("127.0.0.1", 30500)
    process = forward_process(stack, namespace, "experiment/walk", f"{port}:{HTTP_PORT}")
    try:
        assert process.stdout is not None
        lines = []
        while not lines or " · active" not in lines[-1]:
            line = process.stdout.readline()
            assert line, f"ended early: {process.stderr.read() if process.stderr else ''}"
            lines.append(line)
        assert lines[-1].startswith(f"http://127.0.0.1:{port} → {namespace}/walk:{HTTP_PORT} · active (web) · ")
        assert get(port) == (200, b"hello\n")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0


def test_bad_ports_and_a_taken_port_are_said_in_words(stack: StackEnv, namespace: str) -> None:
    bad = forward_process(stack, namespace, "web", "tensorboard")
    assert bad.wait(30) == 2
    assert bad.stderr is not None and bad.stderr.read().strip() == (
        "k8sx-tui forward: port 'tensorboard' is not a port number"
    )
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        refused = forward_process(stack, namespace, "experiment/walk", f"{port}:{HTTP_PORT}")
        assert refused.wait(30) == 1
        assert refused.stderr is not None
        said = refused.stderr.read().strip()
        assert said.startswith(f"k8sx-tui forward: 127.0.0.1:{port} is in use by another program; "), said
    finally:
        taken.close()
