"""A shell into a pod that is deleted, or replaced by a new pod of the same name (the loop's `g`, a Deploy restart),
while its tab is open: the tab says what became of the pod, not "killed by signal 9". On the real node (a kubelet
kills the shell with the pod); run under flock /tmp/real-node.lock."""

from __future__ import annotations

from tests.e2e.test_terminal import info, open_from_pod_list, shown, terminal, type_line, until_line, until_prompt
from tests.support.app import SIZE, make_app, settle
from tests.support.images import real_node_image
from tests.support.pods import manifest, real_node_pod, start_real_node_pod
from tests.support.stack import StackEnv, apply, kubectl

__all__ = ["real_node_image"]  # a fixture

SLEEPER = ["sleep", "3600"]


async def test_a_pod_replaced_under_its_shell_is_said_as_replaced(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    start_real_node_pod(stack, namespace, real_node_image, "train", SLEEPER, "Running")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab, "/ #")
        await type_line(pilot, "echo first-run")
        await until_line(pilot, tab, "first-run")
        # As the loop does: delete, wait until it is gone, create it again under the same name.
        kubectl(stack, "delete", "pod", "train", "-n", namespace, "--wait=true")
        apply(stack, namespace, manifest(real_node_pod("train", real_node_image, SLEEPER)))
        await settle(pilot, lambda: tab.end is not None, timeout=60, what="the session's end")
        assert info(app).startswith("session ended: the pod was deleted (replaced by a new run)"), info(app)
        assert "signal" not in info(app)
        assert terminal(app).tabs == {tab.pane_id: tab} and "\nfirst-run\n" in shown(tab)


async def test_a_pod_deleted_under_its_shell_is_said_as_deleted(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    start_real_node_pod(stack, namespace, real_node_image, "train", SLEEPER, "Running")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab, "/ #")
        kubectl(stack, "delete", "pod", "train", "-n", namespace, "--wait=false")
        await settle(pilot, lambda: tab.end is not None, timeout=60, what="the session's end")
        assert info(app).startswith("session ended: the pod was deleted"), info(app)
        assert "replaced" not in info(app) and "signal" not in info(app)


async def test_a_shell_killed_in_a_pod_that_stays_says_it_was_killed(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    start_real_node_pod(stack, namespace, real_node_image, "train", SLEEPER, "Running")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab, "/ #")
        await type_line(pilot, "kill -9 $$")
        await settle(pilot, lambda: tab.end is not None, timeout=60, what="the session's end")
        assert info(app).startswith("session ended: killed by signal 9"), info(app)
