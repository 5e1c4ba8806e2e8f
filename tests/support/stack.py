"""The local stack as the tests reach it: its addresses, kubectl, applying manifests, waiting for a condition."""

from __future__ import annotations

import shlex
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
STACK = ROOT / "tools" / "stack"


@dataclass(frozen=True)
class StackEnv:
    """Where the local stack's parts answer, as `tools/stack env` prints it."""

    kubeconfig: str
    docker_host: str
    registry: str
    auth_registry: str
    auth_registry_user: str
    auth_registry_password: str
    stack_dir: str
    python_image: str  # library/python:3.11-slim in the open registry, built by tools/stack from Debian's packages


def read_stack_env() -> dict[str, str]:
    out = subprocess.run([str(STACK), "env"], check=True, capture_output=True, text=True).stdout
    env: dict[str, str] = {}
    for word in shlex.split(out):
        if "=" in word:
            key, value = word.split("=", 1)
            env[key] = value
    return env


def kubectl(stack: StackEnv, *args: str, input: str | None = None, check: bool = True) -> str:
    done = subprocess.run(
        ["kubectl", "--kubeconfig", stack.kubeconfig, *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def apply(stack: StackEnv, namespace: str, manifest: str) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=manifest)


def kubeconfig_with_server(stack: StackEnv, tmp_path: Path, server: str) -> str:
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["clusters"][0]["cluster"]["server"] = server
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)
