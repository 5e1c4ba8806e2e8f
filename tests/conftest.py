"""Shared fixtures, and markers by folder. End-to-end (tests/e2e: the app) and integration (tests/integration: the
services, never the app) tests run against the real local stack and fail loudly when it is down."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.support.docker_config import write_config
from tests.support.stack import STACK, StackEnv, kubectl, read_stack_env, wait_for

TESTS = Path(__file__).resolve().parent
MARKERS_BY_FOLDER = {TESTS / "e2e": pytest.mark.e2e, TESTS / "integration": pytest.mark.integration}


@pytest.hookimpl(tryfirst=True)  # before -m selects by them
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is marked e2e, every test under tests/integration integration."""
    for item in items:
        for folder, marker in MARKERS_BY_FOLDER.items():
            if item.path.is_relative_to(folder):
                item.add_marker(marker)


@pytest.fixture(autouse=True)
def _tests_own_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into this machine's ~/.local/state (run records, remembered manifests, forward logs), nor
    sees another test's: an app started by a test follows the runs recorded in its state folder."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))


@pytest.fixture(scope="session")
def stack() -> StackEnv:
    status = subprocess.run([str(STACK), "status"], capture_output=True, text=True)
    if status.returncode != 0:
        pytest.fail(
            "the local stack is not up; start it with `tools/stack up` (tools/dev test does):\n" + status.stdout,
            pytrace=False,
        )
    env = read_stack_env()
    return StackEnv(
        kubeconfig=env["KUBECONFIG"],
        docker_host=env["DOCKER_HOST"],
        registry=env["K8SX_REGISTRY"],
        auth_registry=env["K8SX_AUTH_REGISTRY"],
        auth_registry_user=env["K8SX_AUTH_REGISTRY_USER"],
        auth_registry_password=env["K8SX_AUTH_REGISTRY_PASSWORD"],
        stack_dir=env["K8SX_STACK_DIR"],
        python_image=env["K8SX_PYTHON_IMAGE"],
    )


@pytest.fixture
def namespace(stack: StackEnv) -> Iterator[str]:
    """A fresh namespace with its default ServiceAccount, deleted afterwards."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    kubectl(stack, "create", "namespace", name)
    wait_for(
        lambda: kubectl(stack, "get", "serviceaccount", "default", "-n", name, check=False) != "",
        what=f"the default ServiceAccount in {name}",
    )
    yield name
    kubectl(stack, "delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture
def engine(stack: StackEnv) -> Iterator[docker.DockerClient]:
    """A client of the stack's dockerd, for what a test sets up and checks beside the app."""
    client = docker.DockerClient(base_url=stack.docker_host, timeout=60)
    yield client
    client.close()


@pytest.fixture
def isolated_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads credentials from $DOCKER_CONFIG like the docker CLI (never this machine's ~/.docker), and
    keeps its state (last pushed, shell choices) in $XDG_STATE_HOME: both are the test's own."""
    config = tmp_path / "docker-config"
    write_config(config, {"auths": {}})
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return config


@pytest.fixture
def every_progress_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pull, copy in or code sync reports every chunk instead of every PROGRESS_EVERY_S, so a cut made from its
    progress lands where the test says: a fast machine moves a whole large file between two timed reports."""
    monkeypatch.setattr("tui.services.transfer.pull.PROGRESS_EVERY_S", 0.0)
    monkeypatch.setattr("tui.services.transfer.copy_in.PROGRESS_EVERY_S", 0.0)
