"""Interactive-build containers carry the label k8sx-tui.build=1 and are recognised by it as well as by their name:
one renamed (by the docker CLI, say) is still listed when leaving the app. Against the real engine."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import suppress

import docker
import pytest

from tests.support.images import busybox_context
from tui.services.docker.build_containers import running_builds
from tui.services.images.images import BUILD_LABEL, ImageService

BASE = "k8sx-test/busybox:build-label"


@pytest.fixture
def base(engine: docker.DockerClient) -> Iterator[str]:
    """A base image of this module's own (its own id: `ancestor` filters by id), its containers removed afterwards."""
    engine.images.build(
        fileobj=busybox_context('LABEL k8sx.test="build-label"\n'), custom_context=True, tag=BASE, rm=True
    )
    yield BASE
    for container in engine.containers.list(all=True, filters={"ancestor": BASE}):
        with suppress(docker.errors.APIError):
            container.remove(force=True)


def test_a_build_container_is_labelled_and_still_listed_once_renamed(engine: docker.DockerClient, base: str) -> None:
    build = ImageService(engine).start_build_container(base)
    assert engine.api.inspect_container(build.container_id)["Config"]["Labels"].get(BUILD_LABEL) == "1"
    renamed = f"my-experiment-{uuid.uuid4().hex[:6]}"
    engine.api.rename(build.container_id, renamed)

    listed = {b.container_id: b.name for b in running_builds(engine)}
    assert listed.get(build.container_id) == renamed
    assert list(listed).count(build.container_id) == 1


def test_a_build_container_of_another_running_instance_is_not_offered_one_of_a_gone_one_is(
    engine: docker.DockerClient, base: str
) -> None:
    """Quitting one k8sx-tui never offers to delete the work of another still running on this machine; a container
    whose k8sx-tui is gone (crashed, or quit keeping it) is offered, as one started here is."""
    import os
    import socket
    import subprocess
    import sys

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # another live process
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    try:
        made = {}
        for owner in (f"{host}:{other.pid}", f"{host}:{gone.stdout.strip()}", f"{host}:{os.getpid()}"):
            name = f"k8sx-build-{uuid.uuid4().hex[:8]}"
            container = engine.api.create_container(
                base, entrypoint=["/bin/sh", "-c", "sleep 300"], name=name,
                labels={BUILD_LABEL: "1", "k8sx-tui.owner": owner},
            )  # fmt: skip
            engine.api.start(container["Id"])
            made[owner] = container["Id"]
        listed = {b.container_id for b in running_builds(engine)}
        assert made[f"{host}:{other.pid}"] not in listed
        assert made[f"{host}:{gone.stdout.strip()}"] in listed and made[f"{host}:{os.getpid()}"] in listed
    finally:
        other.kill()
        other.wait()
