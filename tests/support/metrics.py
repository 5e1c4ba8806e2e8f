"""A second, real kube-apiserver beside the stack's (same binary, flags and etcd, its own etcd prefix and port): a
cluster without metrics-server, for the states of a missing or broken metrics API without touching the stack's."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.support.stack import StackEnv, kubeconfig_with_server, wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stack_apiserver_args(stack: StackEnv) -> list[str]:
    pid = (Path(stack.stack_dir) / "pids" / "kube-apiserver.pid").read_text().strip()
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]


def _with_flag(args: list[str], flag: str, value: str) -> list[str]:
    out = list(args)
    if flag in out:
        out[out.index(flag) + 1] = value
    else:
        out += [flag, value]
    return out


def _etcd_delete_prefix(etcd: str, prefix: str) -> None:
    """What the second API server wrote, removed through etcd's own HTTP gateway."""
    key = prefix.encode()
    end = key[:-1] + bytes([key[-1] + 1])
    body = {"key": base64.b64encode(key).decode(), "range_end": base64.b64encode(end).decode()}
    request = urllib.request.Request(f"{etcd}/v3/kv/deleterange", json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(request, timeout=10).read()


@contextlib.contextmanager
def apiserver_without_metrics(stack: StackEnv, tmp_path: Path) -> Iterator[str]:
    """Starts the second API server and yields a kubeconfig for it (the stack's admin credentials)."""
    port, prefix = free_port(), f"/k8sx-test-{uuid.uuid4().hex[:8]}"
    args = _stack_apiserver_args(stack)
    etcd = args[args.index("--etcd-servers") + 1]
    args = _with_flag(_with_flag(args, "--secure-port", str(port)), "--etcd-prefix", prefix)
    log = (tmp_path / "second-apiserver.log").open("wb")
    server = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    kubeconfig = kubeconfig_with_server(stack, tmp_path, f"https://127.0.0.1:{port}")
    try:

        def ready() -> bool:
            assert server.poll() is None, f"the second API server died: see {log.name}"
            done = subprocess.run(
                ["kubectl", "--kubeconfig", kubeconfig, "get", "--raw", "/readyz"], capture_output=True, timeout=10
            )
            return done.returncode == 0

        wait_for(ready, timeout=90, what="the second API server to be ready")
        yield kubeconfig
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        _etcd_delete_prefix(etcd, prefix)
