"""A pod on the real node serving HTTP with busybox httpd (the port-forward tests' target): /small, /big (random
bytes of a given size), its sha256 from inside the pod; and plain HTTP GETs against a local port."""

from __future__ import annotations

import hashlib
import http.client
from typing import Any

from tests.support.pods import manifest, real_node_pod, wait_pod_phase
from tests.support.stack import StackEnv, apply, kubectl

HTTP_PORT = 8080
EXPERIMENT_LABEL = "k8sx.dev/experiment"


def httpd_command(big_mb: int = 0, port: int = HTTP_PORT) -> list[str]:
    make_big = f"dd if=/dev/urandom of=/www/big bs=1M count={big_mb} 2>/dev/null && " if big_mb else ""
    script = (
        f"mkdir -p /www && echo hello > /www/small && {make_big}touch /www/.ready && exec httpd -f -p {port} -h /www"
    )
    return ["sh", "-c", script]


def httpd_pod(
    name: str, image: str, big_mb: int = 0, experiment: str | None = None, port: int = HTTP_PORT, listen: bool = True
) -> dict[str, Any]:
    """`listen=False`: the port is declared but nothing listens on it (sleep instead of httpd)."""
    command = httpd_command(big_mb, port) if listen else ["sleep", "3600"]
    pod = real_node_pod(
        name, image, command, restart="Never", labels={EXPERIMENT_LABEL: experiment} if experiment else None
    )
    container = pod["spec"]["containers"][0]
    container["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    if listen:  # Ready once every file is whole: a big one takes a while to write
        container["readinessProbe"] = {"exec": {"command": ["test", "-f", "/www/.ready"]}, "periodSeconds": 1}
    return pod


def start_httpd(stack: StackEnv, namespace: str, name: str, image: str, **options: Any) -> None:
    apply(stack, namespace, manifest(httpd_pod(name, image, **options)))
    wait_pod_phase(stack, namespace, name, "Running", timeout=120)
    kubectl(stack, "wait", "-n", namespace, "--for=condition=Ready", f"pod/{name}", "--timeout=120s")


def sha256_in_pod(stack: StackEnv, namespace: str, name: str, path: str = "/www/big") -> str:
    return kubectl(stack, "exec", "-n", namespace, name, "--", "sha256sum", path).split()[0]


def get(port: int, path: str = "/small", timeout: float = 30.0) -> tuple[int, bytes]:
    """An HTTP GET to 127.0.0.1:port: status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def sha256_of_get(port: int, path: str = "/big", timeout: float = 120.0) -> tuple[str, int]:
    """The sha256 and size of a (large) body, read in pieces."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    digest, size = hashlib.sha256(), 0
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        while piece := response.read(1 << 20):
            digest.update(piece)
            size += len(piece)
        return digest.hexdigest(), size
    finally:
        connection.close()
