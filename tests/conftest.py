"""Shared fixtures. End-to-end tests run against the real local stack and fail loudly when it is down."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.support import STACK, StackEnv, kubectl, read_stack_env, wait_for


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
