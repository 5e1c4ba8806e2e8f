"""On the real node (run under flock /tmp/real-node.lock): deleting a pod before its restart says what it waits for
(its container stopping, within its grace period), Esc stops waiting, K force-deletes after a confirm; and a pod
that ends is followed to its end, in the panel and in the list, without a key pressed."""

from __future__ import annotations

import json

from tests.e2e.test_deploy import deploy_screen, follow_text, listed, open_deploy
from tests.support.app import SIZE, make_app, settle
from tests.support.images import real_node_image
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.screens.common.dialogs import ConfirmScreen

__all__ = ["own_state", "real_node_image"]  # fixtures (own_state: autouse)


def real_node_yaml(name: str, image: str, script: str, grace: int = 1) -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: {grace}
  nodeSelector: {{type: real}}
  tolerations: [{{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}}]
  containers:
  - name: main
    image: {image}
    command: [sh, -c, {json.dumps(script)}]
"""


def uid(stack: StackEnv, namespace: str, name: str) -> str:
    return kubectl(stack, "get", "pod", name, "-n", namespace, "-o", "jsonpath={.metadata.uid}")


async def test_a_restart_says_what_the_deletion_waits_for_esc_stops_it_and_k_forces_it(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    # sh ignores SIGTERM: the kubelet waits the whole grace period before it kills it.
    stubborn = real_node_yaml("stubborn", real_node_image, "trap '' TERM; while true; do sleep 1; done", grace=120)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_deploy(pilot, app)
            screen.editor.load_text(stubborn)
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: "pod stubborn: Running" in follow_text(app), timeout=120, what="Running")
            first = uid(stack, namespace, "stubborn")
            screen.pod_view.focus()
            await pilot.press("R")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the restart question")
            await pilot.press("tab", "enter")
            waiting = "deleting pod stubborn: Terminating, 3 s — its container main is stopping (grace period 120 s)"
            await settle(pilot, lambda: waiting in follow_text(app), timeout=30, what="the wait said")
            assert "Esc stops waiting · K force-deletes it" in follow_text(app)
            await pilot.press("escape")
            await settle(
                pilot,
                lambda: "stopped waiting: pod stubborn is still being deleted" in follow_text(app),
                what="stopped",
            )
            assert uid(stack, namespace, "stubborn") == first  # still there, Terminating
            assert "Esc stops waiting" not in follow_text(app)  # no wait left to stop

            await pilot.press("R")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the restart question again")
            await pilot.press("tab", "enter")
            await settle(pilot, lambda: "deleting pod stubborn: Terminating" in follow_text(app), what="waiting again")
            await pilot.press("K")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the force question")
            assert "Force-delete pod stubborn?" in str(app.screen.query_one("#question").content)  # type: ignore[attr-defined]
            await pilot.press("tab", "enter")  # Force delete
            await settle(
                pilot,
                lambda: "restarted: pod/stubborn created" in follow_text(app),
                timeout=30,
                what="restarted after the force delete",
            )
            assert uid(stack, namespace, "stubborn") != first
    finally:
        kubectl(
            stack, "delete", "pod", "stubborn", "-n", namespace, "--force", "--grace-period=0", "--ignore-not-found"
        )


async def test_pods_that_end_are_followed_to_completed_and_error_without_a_key_pressed(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        for name, code in (("fine", 0), ("broken", 1)):
            screen.editor.load_text(real_node_yaml(name, real_node_image, f"sleep 4; exit {code}"))
            await pilot.press("ctrl+s")
            await settle(
                pilot, lambda n=name: f"pod {n}: Running" in follow_text(app), timeout=120, what=f"{name} Running"
            )  # type: ignore[misc]
        # The panel follows the last one applied on to its end; the list at the bottom shows both ended.
        await settle(
            pilot, lambda: "pod broken: Error" in follow_text(app), timeout=60, what="broken followed to its end"
        )
        assert "container main failed (Error, exit code 1)" in follow_text(app)
        await settle(
            pilot, lambda: listed(app) == {"fine": "Completed", "broken": "Error"}, timeout=60, what="the list updated"
        )
        screen.pod_view.focus()
        assert deploy_screen(app).progress is not None
