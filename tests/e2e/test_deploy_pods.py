"""No forgotten pods: the app's own pods (labelled) listed on the Deploy screen, finished ones deleted after a
confirm, a dead one restarted from the manifest it was applied with, and leaving the app asks about running ones."""

from __future__ import annotations

import json

from tests.e2e.test_deploy import deploy_screen, follow_text, listed, open_deploy, pod, tiny_pod
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv, kubectl, wait_for
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.screens.common.cleanup import CleanupQuestion
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.leave import LeaveScreen

__all__ = ["own_state"]  # the fixture, used here too (autouse)


def set_phase(stack: StackEnv, namespace: str, name: str, phase: str) -> None:
    patch = json.dumps({"status": {"phase": phase}})
    kubectl(stack, "patch", "pod", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", patch)


def server_pods(stack: StackEnv, namespace: str) -> list[str]:
    return sorted(kubectl(stack, "get", "pods", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split())


async def apply_yaml(pilot: object, app: K8sxApp, text: str, name: str) -> None:
    deploy_screen(app).editor.load_text(text)
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot, lambda: f"pod {name}: Running" in follow_text(app), timeout=60, what=f"{name} Running")  # type: ignore[arg-type]


async def test_only_the_apps_pods_are_listed_and_finished_ones_go_after_a_confirm(
    stack: StackEnv, namespace: str
) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=tiny_pod("not-ours"))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await apply_yaml(pilot, app, tiny_pod("done"), "done")
        await apply_yaml(pilot, app, tiny_pod("busy"), "busy")
        await settle(pilot, lambda: listed(app) == {"done": "Running", "busy": "Running"}, what="both listed")

        set_phase(stack, namespace, "done", "Succeeded")
        await settle(pilot, lambda: listed(app).get("done") == "Succeeded", what="done finished")
        await pilot.press("X")
        # "done" is a run whose results were never pulled: the safe clean-up's question (tests/e2e/test_safe_cleanup.py)
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the confirm dialog")
        question = str(app.screen.query_one("#cleanup-question").content)  # type: ignore[attr-defined]
        assert question.startswith(f"Delete 1 finished pod in {namespace}?\n  done (Succeeded)\n")
        await pilot.press("enter")  # the focus starts on Cancel
        await pilot.pause(1.0)
        assert server_pods(stack, namespace) == ["busy", "done", "not-ours"]

        await pilot.press("X")
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the confirm dialog again")
        await pilot.press("tab", "tab", "enter")  # Delete anyway
        await settle(pilot, lambda: server_pods(stack, namespace) == ["busy", "not-ours"], what="done deleted")
        await settle(pilot, lambda: listed(app) == {"busy": "Running"}, what="the list follows")


async def test_a_dead_pod_restarts_from_the_manifest_it_was_applied_with_on_the_same_claim(
    stack: StackEnv, namespace: str
) -> None:
    manifest = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: results}
spec: {storageClassName: standard, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: exp}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: "127.0.0.1:5000/team/train:0.2", args: [--epochs, "3"],
     volumeMounts: [{name: persistent, mountPath: /persistent}]}
  volumes: [{name: persistent, persistentVolumeClaim: {claimName: results}}]
"""
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await apply_yaml(pilot, app, manifest, "exp")
        first = pod(stack, namespace, "exp")
        set_phase(stack, namespace, "exp", "Failed")
        await settle(pilot, lambda: listed(app).get("exp") == "Failed", what="exp dead")

        screen.editor.load_text("# something else entirely\n")  # the restart does not depend on the editor
        await pilot.press("R")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the restart question")
        assert "The dead pod (and its log) is deleted first" in str(app.screen.query_one("#question").content)  # type: ignore[attr-defined]
        await pilot.press("tab", "enter")
        await settle(
            pilot,
            lambda: "restarted: pod/exp created" in follow_text(app) and "pod exp: Running" in follow_text(app),
            timeout=90,
            what="exp running again",
        )
    again = pod(stack, namespace, "exp")
    assert again["metadata"]["uid"] != first["metadata"]["uid"]  # type: ignore[index]
    assert again["spec"]["volumes"][0] == first["spec"]["volumes"][0]  # type: ignore[index]  # the same claim
    assert again["spec"]["containers"][0]["args"] == ["--epochs", "3"]  # type: ignore[index]
    assert again["metadata"]["labels"] == first["metadata"]["labels"]  # type: ignore[index]


async def test_leaving_with_the_apps_pods_running_asks_keep_or_delete(stack: StackEnv, namespace: str) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await apply_yaml(pilot, app, tiny_pod("train"), "train")
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        question = str(app.screen.query_one("#leave-question").content)  # type: ignore[attr-defined]
        assert question == f"1 pod started from k8sx-tui still running:\n  {namespace}/train"
        await pilot.press("enter")  # Cancel has the focus: stay
        await settle(pilot, lambda: not isinstance(app.screen, LeaveScreen), what="the question gone")
        assert app.is_running

        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question again")
        await pilot.press("tab", "enter")  # Keep them running, quit
        await settle(pilot, lambda: not app.is_running, what="the app gone")
    assert server_pods(stack, namespace) == ["train"]

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")  # pods of an earlier session count too
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        await pilot.press("tab", "tab", "enter")  # Delete them, quit
        # train is a run whose log is not archived to its end: the safe clean-up asks first
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question")
        await pilot.press("tab", "tab", "enter")  # Delete anyway
        await settle(pilot, lambda: not app.is_running, what="the app gone")
    wait_for(lambda: server_pods(stack, namespace) == [], what="train deleted")


async def test_leaving_without_running_pods_of_the_app_just_quits(stack: StackEnv, namespace: str) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=tiny_pod("not-ours"))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: not app.is_running, what="the app gone")
