"""The interactive-build containers still running, as the leave question lists them, against the real engine: only
the app's (named k8sx-build-…, running), and removing them stops and deletes them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import suppress

import docker
import pytest

from tests.support.images import busybox_context
from tui.services.docker.build_containers import remove_builds, running_builds
from tui.services.images.images import KEEP_ALIVE, ImageService

BASE = "k8sx-test/busybox:leave-service"


@pytest.fixture
def base(engine: docker.DockerClient) -> Iterator[str]:
    """A base image of this module's own (its own id too: `ancestor` filters by id, and busybox images of other
    tests share one), its containers removed afterwards whatever happens."""
    context = busybox_context('LABEL k8sx.test="leave-service"\n')
    engine.images.build(fileobj=context, custom_context=True, tag=BASE, rm=True)
    yield BASE
    for container in engine.containers.list(all=True, filters={"ancestor": BASE}):
        with suppress(docker.errors.APIError):  # one being removed already
            container.remove(force=True)


def test_only_running_containers_named_as_the_apps_builds_are_listed_and_removed(
    engine: docker.DockerClient, base: str
) -> None:
    images = ImageService(engine)
    mine = images.start_build_container(base)
    stopped = images.start_build_container(base)
    engine.api.stop(stopped.container_id, timeout=1)
    # The engine's name filter matches anywhere in a name: a container merely holding the prefix is not one.
    lookalike = f"other-k8sx-build-{uuid.uuid4().hex[:6]}"
    engine.containers.run(base, ["sh", "-c", KEEP_ALIVE], name=lookalike, detach=True)

    listed = [b for b in running_builds(engine) if b.container_id in (mine.container_id, stopped.container_id)]
    assert [(b.name, b.image, str(b)) for b in listed] == [(mine.name, base, f"{mine.name} (from {base})")]
    assert lookalike not in {b.name for b in running_builds(engine)}

    assert remove_builds(engine, listed) == []
    assert engine.containers.list(all=True, filters={"id": mine.container_id}) == []
    assert remove_builds(engine, listed) == []  # gone already: no failure
