"""Images for the tests: FROM-scratch busybox build contexts (nothing can be pulled from the internet here), images
built from them, and the same pushed to the stack's registry for pods on the real node."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable

import pytest
from docker import DockerClient

from tests.support.stack import StackEnv

BUSYBOX_DOCKERFILE = 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'


def busybox_context(extra_dockerfile: str = "", dockerfile: str = BUSYBOX_DOCKERFILE) -> io.BytesIO:
    """A build context FROM scratch with Debian's busybox-static: nothing can be pulled from the internet here."""
    text = (dockerfile + extra_dockerfile).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add("/bin/busybox", arcname="busybox")
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    buffer.seek(0)
    return buffer


def busybox_image(client: DockerClient, tag: str = "k8sx-test/busybox:terminal") -> str:
    """A FROM-scratch busybox image (every applet installed: sh, vi, top ...); returns its id."""
    image, _ = client.images.build(fileobj=busybox_context(), custom_context=True, tag=tag, rm=True)
    return str(image.id)


def shell_less_image(client: DockerClient, tag: str = "k8sx-test/no-shell:terminal") -> str:
    """An image with /bin/busybox only: no bash, no sh (the applets are not installed)."""
    context = busybox_context(dockerfile="FROM scratch\nCOPY busybox /bin/busybox\n")
    image, _ = client.images.build(fileobj=context, custom_context=True, tag=tag, rm=True)
    return str(image.id)


def push_image(stack: StackEnv, build: Callable[[DockerClient, str], str], ref: str) -> str:
    """An image built by `build` (e.g. busybox_image) and pushed to the stack's registry, for pods that really run
    on the real node; returns `ref`."""
    client = DockerClient(base_url=stack.docker_host, timeout=120)
    try:
        build(client, ref)
        for message in client.api.push(ref, stream=True, decode=True):
            assert "error" not in message, message
    finally:
        client.close()
    return ref


@pytest.fixture(scope="module")
def real_node_image(stack: StackEnv) -> str:
    return push_image(stack, busybox_image, f"{stack.registry}/k8sx-test/terminal-busybox:1")


@pytest.fixture(scope="module")
def real_node_shell_less_image(stack: StackEnv) -> str:
    """/bin/busybox alone (no sh, no bash)."""
    return push_image(stack, shell_less_image, f"{stack.registry}/k8sx-test/terminal-no-shell:1")
