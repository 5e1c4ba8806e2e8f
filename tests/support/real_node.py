"""Fixtures and look-ups of the tests on the real node (a kubelet with containerd; run them under
/tmp/real-node.lock): the node's name and storage class, an image built and pushed by the app's ImageService, the
pods and helper pods the tests start there."""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import docker
import pytest
from docker.errors import NotFound
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tests.support.images import BUSYBOX_DOCKERFILE
from tests.support.stack import StackEnv, read_stack_env
from tui.models.images.image import BuildFinished, ImageRef
from tui.services.images.images import ImageService
from tui.services.kube.kube import KubeService
from tui.services.transfer.claim_pull import ROLE, ROLE_LABEL


def pod_json(kube: KubeService, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        response: Any = k8s.CoreV1Api(kube.api_client()).read_namespaced_pod(name, namespace, _preload_content=False)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise
    pod: dict[str, Any] = json.loads(response.data)
    return pod


def phase(kube: KubeService, namespace: str, name: str) -> str:
    pod = pod_json(kube, namespace, name)
    return "Gone" if pod is None else str(pod.get("status", {}).get("phase"))


def helpers_left(kube: KubeService, namespace: str) -> list[str]:
    pods = k8s.CoreV1Api(kube.api_client()).list_namespaced_pod(namespace, label_selector=f"{ROLE_LABEL}={ROLE}")
    return [pod.metadata.name for pod in pods.items]


@pytest.fixture(scope="module")
def real_node() -> str:
    return read_stack_env()["K8SX_REAL_NODE"]


@pytest.fixture(scope="module")
def storage_class() -> str:
    return read_stack_env()["K8SX_REAL_STORAGE_CLASS"]


@pytest.fixture
def kube(stack: StackEnv, namespace: str) -> KubeService:
    return KubeService(stack.kubeconfig, namespace=namespace)


@pytest.fixture(scope="module")
def engine(stack: StackEnv) -> Iterator[docker.DockerClient]:
    """A client of the stack's dockerd for a whole module (pushed_image is built once a module); it stands in for
    the function-scoped `engine` of tests/conftest.py wherever it is imported."""
    client = docker.DockerClient(base_url=stack.docker_host, timeout=60)
    yield client
    client.close()


@pytest.fixture(scope="module")
def pushed_image(
    stack: StackEnv, engine: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A FROM-scratch busybox image built and pushed by the app's ImageService; its reference in 127.0.0.1:5000."""
    context = tmp_path_factory.mktemp("image")
    shutil.copy("/bin/busybox", context / "busybox")
    (context / "Dockerfile").write_text(BUSYBOX_DOCKERFILE)
    service = ImageService(engine, str(tmp_path_factory.mktemp("docker-config")))
    ref = ImageRef.parse(f"{stack.registry}/k8sx-e2e/real-node:{uuid.uuid4().hex[:10]}")
    events = list(service.build(context, tag=ref))
    assert isinstance(events[-1], BuildFinished), events[-3:]
    pushed = list(service.push(ref))
    assert pushed[-1].digest, pushed[-1]
    yield str(ref)
    with contextlib.suppress(NotFound):
        engine.api.remove_image(str(ref), force=True)
