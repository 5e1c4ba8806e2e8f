"""The Python base image of the local stack: `127.0.0.1:5000/library/python:3.11-slim`, built by `tools/stack` with
mmdebstrap from the running Debian release's own packages and pushed to the open registry (K8SX_PYTHON_IMAGE).
It is in the registry with the config of the upstream python image, runs on the real node (a kubelet with
containerd pulling it; run under `flock /tmp/real-node.lock` like every real-node test) and through the stack's
dockerd."""

from __future__ import annotations

import json
import subprocess

import docker
import requests

from tests.support.pods import start_real_node_pod
from tests.support.real_node import real_node
from tests.support.stack import STACK, StackEnv, kubectl

__all__ = ["real_node"]  # fixtures

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"

# What a user's first lines would check: the standard library a preprocessing script imports, `python` too.
CHECK = "python3 -c 'import sys, json, csv, venv; print(sys.version)' && python -V"


def test_the_image_is_in_the_local_registry_with_a_python_config(stack: StackEnv) -> None:
    assert stack.python_image == f"{stack.registry}/library/python:3.11-slim"
    repository, tag = stack.python_image.removeprefix(f"{stack.registry}/").rsplit(":", 1)
    base = f"http://{stack.registry}/v2/{repository}"
    manifest = requests.get(f"{base}/manifests/{tag}", headers={"Accept": MANIFEST_V2}, timeout=10)
    assert manifest.status_code == 200, f"{stack.python_image} is not in the registry: tools/stack up pushes it"
    assert manifest.json()["mediaType"] == MANIFEST_V2
    config = requests.get(f"{base}/blobs/{manifest.json()['config']['digest']}", timeout=10).json()["config"]
    assert config["Cmd"] == ["python3"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert "/usr/bin" in env["PATH"].split(":") and "/usr/local/bin" in env["PATH"].split(":")
    assert env["PYTHON_VERSION"].startswith("3.11.")
    assert env["LANG"] == "C.UTF-8"

    status = subprocess.run([str(STACK), "status"], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stdout
    assert f"python-image             present ({stack.python_image})" in status.stderr


def test_a_pod_on_the_real_node_runs_python_from_the_image(stack: StackEnv, namespace: str, real_node: str) -> None:
    start_real_node_pod(stack, namespace, stack.python_image, "py", ["sh", "-c", CHECK], "Succeeded", timeout=180)
    pod = json.loads(kubectl(stack, "get", "pod", "py", "-n", namespace, "-o", "json"))
    assert pod["spec"]["nodeName"] == real_node
    (container,) = pod["status"]["containerStatuses"]
    assert container["state"]["terminated"]["exitCode"] == 0, container
    version_line, python_v = kubectl(stack, "logs", "py", "-n", namespace).splitlines()
    assert version_line.startswith("3.11."), version_line
    assert python_v.startswith("Python 3.11."), python_v


def test_the_stacks_dockerd_runs_the_image(stack: StackEnv, engine: docker.DockerClient) -> None:
    out = engine.containers.run(stack.python_image, ["python3", "-c", "print(1)"], remove=True)
    assert out == b"1\n"
    script = "python -V && for c in python3 ps tar; do command -v $c; done"
    out = engine.containers.run(stack.python_image, ["sh", "-c", script], remove=True)
    python_v, *found = out.decode().splitlines()
    assert python_v.startswith("Python 3.11."), python_v
    assert found == ["/usr/bin/python3", "/usr/bin/ps", "/usr/bin/tar"]
