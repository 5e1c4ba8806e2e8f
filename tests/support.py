"""Helpers shared by the tests: the local stack's addresses, kubectl, waiting."""

from __future__ import annotations

import asyncio
import io
import shlex
import subprocess
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from textual.pilot import Pilot
from textual.widgets import Static

from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.docker_engine import DockerService
from tui.services.kube import KubeService
from tui.widgets.status_line import StatusLine

ROOT = Path(__file__).resolve().parent.parent
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


async def settle(pilot: Pilot[object], predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Let the app run until predicate holds (workers post from threads; the UI needs turns to apply them)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
        await pilot.pause(0.1)
        await asyncio.sleep(0)


# ---------------------------------------------------------------- the real app under Pilot

SIZE = (180, 30)


def status_text(app: K8sxApp) -> str:
    return str(app.screen.query_one(StatusLine).content)


def pods_info(app: K8sxApp) -> str:
    return str(app.screen.query_one("#pods-info", Static).content)


def make_app(kubeconfig: str, docker_host: str, context: str | None = None, namespace: str | None = None) -> K8sxApp:
    return K8sxApp(Backends(KubeService(kubeconfig, context, namespace), DockerService(docker_host)))


def kubeconfig_with_server(stack: StackEnv, tmp_path: Path, server: str) -> str:
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["clusters"][0]["cluster"]["server"] = server
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)


BUSYBOX_DOCKERFILE = 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'


def busybox_context(extra_dockerfile: str = "") -> io.BytesIO:
    """A build context FROM scratch with Debian's busybox-static: nothing can be pulled from the internet here."""
    dockerfile = (BUSYBOX_DOCKERFILE + extra_dockerfile).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add("/bin/busybox", arcname="busybox")
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    buffer.seek(0)
    return buffer
