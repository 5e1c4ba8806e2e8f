"""A quiet pod's log on the real node: the lines it has are shown at once, and a line that comes later shows when it
comes — not when the next one pushes it out (a reader that waits for more before handing over what it has would
show nothing for a pod that printed one line and went quiet). Run under flock /tmp/real-node.lock."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import docker
import pytest
from docker.errors import NotFound

from tests.support.app import SIZE, make_app, settle
from tests.support.images import busybox_image, push_image
from tests.support.logs import open_from_pod_list, shown
from tests.support.pods import start_real_node_pod
from tests.support.stack import StackEnv, kubectl


@pytest.fixture(scope="module")
def quiet_image(stack: StackEnv) -> Iterator[str]:
    ref = push_image(stack, busybox_image, f"{stack.registry}/k8sx-e2e/quiet:{uuid.uuid4().hex[:10]}")
    yield ref
    client = docker.DockerClient(base_url=stack.docker_host, timeout=120)
    with contextlib.suppress(NotFound):
        client.api.remove_image(ref, force=True)
    client.close()


async def test_a_pod_that_printed_one_line_and_went_quiet_shows_it_and_each_later_line_as_it_comes(
    stack: StackEnv, namespace: str, quiet_image: str
) -> None:
    # The second line waits for a file the test writes, so nothing else is printed meanwhile.
    script = (
        'mkdir -p /tmp; echo "ready, waiting"; while [ ! -e /tmp/go ]; do sleep 0.2; done; echo "second line"; '
        "sleep 3600"
    )
    start_real_node_pod(stack, namespace, quiet_image, "quiet", ["sh", "-c", script], "Running", "Never")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "quiet")
        await settle(pilot, lambda: shown(app) == ["ready, waiting"], timeout=20, what="the one line the log has")
        kubectl(stack, "exec", "-n", namespace, "quiet", "--", "touch", "/tmp/go")
        await settle(pilot, lambda: shown(app) == ["ready, waiting", "second line"], timeout=20, what="the next")
