"""A namespace that does not exist, against the real stack: the pod list says so instead of showing an empty list,
and picks the namespace up once someone creates it."""

from __future__ import annotations

import uuid

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.stack import StackEnv, kubectl


async def test_a_namespace_that_does_not_exist_is_named_on_the_pod_list_until_it_is_created(stack: StackEnv) -> None:
    name = f"t-missing-{uuid.uuid4().hex[:8]}"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=name)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: f"namespace '{name}' does not exist" in pods_info(app), what="the words")
            assert "live" not in pods_info(app)
            kubectl(stack, "create", "namespace", name)
            await settle(pilot, lambda: "live" in pods_info(app), timeout=40, what="the list once it exists")
            assert f"0 pods in namespace {name}" in pods_info(app)
            assert "does not exist" not in pods_info(app)
    finally:
        kubectl(stack, "delete", "namespace", name, "--wait=false", check=False)
