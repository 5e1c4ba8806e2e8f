"""The pod list against the real API server: live updates, filter, sort, switching, actions, faults."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from tests.support.app import SIZE, answer_dialog, make_app, pods_info, settle, status_text
from tests.support.stack import STACK, StackEnv, kubectl, wait_for
from tui.app import K8sxApp
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.text_view import TextViewScreen
from tui.screens.pods.pods import PodsScreen
from tui.widgets.pod_table import PodTableView

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {labels}
  finalizers: {finalizers}
spec:
  nodeSelector: {{type: kwok}}
  containers: [{{name: main, image: "127.0.0.1:5000/exp/train:0.3"}}]
"""


def create_pod(
    stack: StackEnv, namespace: str, name: str, labels: dict[str, str] | None = None, finalizer: bool = False
) -> None:
    manifest = POD.format(
        name=name, labels=json.dumps(labels or {}), finalizers=json.dumps(["k8sx.dev/test"] if finalizer else [])
    )
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=manifest)


def pods_screen(app: K8sxApp) -> PodsScreen:
    screen = app.get_screen("pods") if app.current_mode != "pods" else app.screen_stack[0]
    assert isinstance(screen, PodsScreen)
    return screen


def shown_names(app: K8sxApp) -> list[str]:
    """The NAME column, top to bottom, as the table orders it."""
    screen = pods_screen(app)
    return [screen.table.rows[key].name for key in screen.table.view]


def rendered_lines(app: K8sxApp) -> list[str]:
    """What the table draws on screen right now (header first)."""
    view = pods_screen(app).query_one(PodTableView)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def rendered_row(app: K8sxApp, name: str) -> str:
    return next((line for line in rendered_lines(app)[1:] if line.split() and line.split()[0] == name), "")


def server_pods(stack: StackEnv, namespace: str) -> list[str]:
    out = kubectl(stack, "get", "pods", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}")
    return sorted(out.split())


def deleting_pods(stack: StackEnv, namespace: str) -> list[str]:
    """The pods a delete was asked for (still listed while they terminate)."""
    path = "jsonpath={range .items[?(@.metadata.deletionTimestamp)]}{.metadata.name} {end}"
    return sorted(kubectl(stack, "get", "pods", "-n", namespace, "-o", path).split())


async def test_pods_appear_change_and_vanish_without_a_key_press(stack: StackEnv, namespace: str) -> None:
    create_pod(stack, namespace, "train-a")
    create_pod(stack, namespace, "train-b", finalizer=True)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(
            pilot,
            lambda: shown_names(app) == ["train-a", "train-b"] and " Running " in rendered_row(app, "train-b"),
            what="two Running pods",
        )
        row = rendered_row(app, "train-a").split()
        assert row[:4] == ["train-a", "1/1", "Running", "0"]
        assert row[-2].startswith("kwok-node-") and row[-1] == "127.0.0.1:5000/exp/train:0.3"  # the last columns
        assert "live" in pods_info(app) and "2 pods in namespace" in pods_info(app)

        create_pod(stack, namespace, "eval-c")
        await settle(pilot, lambda: shown_names(app) == ["eval-c", "train-a", "train-b"], what="a new pod")

        crash = {"name": "main", "image": "x", "imageID": "", "ready": False, "restartCount": 4}
        crash["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
        kubectl(stack, "patch", "pod", "train-a", "-n", namespace, "--subresource=status", "--type=merge",
                "-p", json.dumps({"status": {"containerStatuses": [crash]}}))  # fmt: skip
        await settle(pilot, lambda: "CrashLoopBackOff" in rendered_row(app, "train-a"), what="status change")
        assert rendered_row(app, "train-a").split()[1:4] == ["0/1", "CrashLoopBackOff", "4"]

        kubectl(stack, "delete", "pod", "train-b", "-n", namespace, "--wait=false")
        await settle(pilot, lambda: "Terminating" in rendered_row(app, "train-b"), what="Terminating")
        kubectl(
            stack, "patch", "pod", "train-b", "-n", namespace, "--type=merge", "-p", '{"metadata":{"finalizers":[]}}'
        )
        await settle(pilot, lambda: shown_names(app) == ["eval-c", "train-a"], what="the deleted pod gone")


async def test_filter_by_text_regex_and_labels_then_sort(stack: StackEnv, namespace: str) -> None:
    create_pod(stack, namespace, "prep-shard-0", {"tier": "cpu"})
    create_pod(stack, namespace, "prep-shard-1", {"tier": "cpu"})
    create_pod(stack, namespace, "train-big", {"tier": "gpu"})
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: len(shown_names(app)) == 3, what="three pods")
        await pilot.press("slash", *"shard")
        await settle(pilot, lambda: shown_names(app) == ["prep-shard-0", "prep-shard-1"], what="substring filter")
        assert "2 of 3 pods" in pods_info(app) and "filter shard" in pods_info(app)
        assert [line.split()[0] for line in rendered_lines(app)[1:3]] == ["prep-shard-0", "prep-shard-1"]
        await pilot.press("enter")

        await pilot.press("slash", *["backspace"] * 5, *"SHARD-1$")
        await settle(pilot, lambda: shown_names(app) == ["prep-shard-1"], what="regex filter")
        await pilot.press("enter", "slash", *["backspace"] * 8, *"-l tier=gpu", "enter")
        await settle(pilot, lambda: shown_names(app) == ["train-big"], what="label selector filter")
        await pilot.press("escape")
        await settle(pilot, lambda: len(shown_names(app)) == 3, what="filter cleared")

        await pilot.press("O")  # reverse the NAME sort
        assert shown_names(app) == ["train-big", "prep-shard-1", "prep-shard-0"]
        assert rendered_lines(app)[0].startswith("NAME↓")
        await pilot.press("o")  # next column: READY
        assert "sorted by READY↑" in pods_info(app)


async def test_namespace_and_context_switch(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    create_pod(stack, namespace, "only-here")
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    lab = {
        "name": "lab",
        "context": {"cluster": "k8sx-local", "user": config["users"][0]["name"], "namespace": namespace},
    }
    config["contexts"].append(lab)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))

    app = make_app(str(kubeconfig), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "live" in pods_info(app) and "namespace default" in pods_info(app))
        assert "only-here" not in shown_names(app)

        await pilot.press("c")
        await settle(pilot, lambda: app.screen.__class__.__name__ == "ChoiceScreen", what="context picker")
        await pilot.press(*"lab", "enter")
        await settle(pilot, lambda: shown_names(app) == ["only-here"], what="the lab context's namespace")
        await settle(pilot, lambda: "⎈ lab  ns " + namespace in status_text(app), what="status line follows")

        await pilot.press("n")
        await settle(pilot, lambda: app.screen.__class__.__name__ == "ChoiceScreen", what="namespace picker")
        await pilot.press(*"all", "enter")
        await settle(pilot, lambda: "in all namespaces" in pods_info(app) and "only-here" in shown_names(app))
        await pilot.press("slash", *"only-here", "enter")  # other tests' pods may fill the screen
        await settle(pilot, lambda: shown_names(app) == ["only-here"], what="filtered to the pod")
        assert rendered_lines(app)[0].startswith("NAMESPACE")
        assert rendered_row(app, namespace).split()[:2] == [namespace, "only-here"]


async def test_describe_yaml_and_delete_only_after_confirming(stack: StackEnv, namespace: str) -> None:
    for name in ("keep-me", "remove-a", "remove-b", "remove-c"):
        create_pod(stack, namespace, name)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: len(shown_names(app)) == 4, what="four pods")

        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, TextViewScreen), what="describe")
        assert isinstance(app.screen, TextViewScreen)
        assert "Name:               keep-me" in app.screen.text and "Events:" in app.screen.text
        await pilot.press("escape", "y")
        await settle(pilot, lambda: isinstance(app.screen, TextViewScreen), what="yaml")
        assert isinstance(app.screen, TextViewScreen)
        manifest = yaml.safe_load(app.screen.text)
        assert manifest["kind"] == "Pod" and manifest["metadata"]["name"] == "keep-me"
        assert "managedFields" not in manifest["metadata"]
        await pilot.press("escape")

        await pilot.press("down", "ctrl+d")  # remove-a
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm dialog")
        assert "Delete pod " + namespace + "/remove-a?" in str(app.screen.query_one("#question").content)  # type: ignore[attr-defined]
        assert await answer_dialog(pilot, app, "enter") is False  # the focus starts on Cancel
        assert server_pods(stack, namespace) == ["keep-me", "remove-a", "remove-b", "remove-c"]
        assert deleting_pods(stack, namespace) == []

        await pilot.press("space", "space", "space")  # mark remove-a, remove-b, remove-c
        assert "3 marked" in pods_info(app)
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="bulk confirm dialog")
        assert "Delete 3 pods?" in str(app.screen.query_one("#question").content)  # type: ignore[attr-defined]
        await pilot.press("tab", "enter")  # to the Delete button
        await settle(pilot, lambda: server_pods(stack, namespace) == ["keep-me"], what="server-side deletion")
        await settle(pilot, lambda: shown_names(app) == ["keep-me"], what="rows gone")


async def test_forbidden_namespace_is_named_and_the_app_stays_usable(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    rbac = f"""
apiVersion: v1
kind: ServiceAccount
metadata: {{name: viewer, namespace: {namespace}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: pod-viewer, namespace: {namespace}}}
rules: [{{apiGroups: [""], resources: [pods], verbs: [get, list, watch]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: viewer-views-pods, namespace: {namespace}}}
subjects: [{{kind: ServiceAccount, name: viewer, namespace: {namespace}}}]
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-viewer}}
"""
    kubectl(stack, "apply", "-f", "-", input=rbac)
    create_pod(stack, namespace, "visible")
    token = kubectl(stack, "create", "token", "viewer", "-n", namespace).strip()
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["users"] = [{"name": "viewer", "user": {"token": token}}]
    config["contexts"][0]["context"]["user"] = "viewer"
    kubeconfig = tmp_path / "viewer.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))

    app = make_app(str(kubeconfig), stack.docker_host, namespace="default")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "forbidden: cannot list pods in default" in pods_info(app), what="forbidden")
        assert shown_names(app) == []
        await pilot.press("n")
        await settle(pilot, lambda: app.screen.__class__.__name__ == "ChoiceScreen", what="namespace picker")
        assert "cannot list namespaces (forbidden" in str(app.screen.query_one("#problem").content)  # type: ignore[attr-defined]
        await pilot.press(*namespace, "enter")
        await settle(pilot, lambda: shown_names(app) == ["visible"], what="the permitted namespace's pods")
        assert "cannot list pods" not in pods_info(app)  # (the viewer may not read metrics: that is said too)


async def test_api_server_restart_mid_watch_recovers_by_itself(stack: StackEnv, namespace: str) -> None:
    for name in ("before-1", "before-2"):
        create_pod(stack, namespace, name)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: shown_names(app) == ["before-1", "before-2"], what="initial rows")
        pid = int((Path(stack.stack_dir) / "pids" / "kube-apiserver.pid").read_text())
        subprocess.run(["kill", "-KILL", str(pid)], check=True)  # a crash, not a polite shutdown
        await settle(pilot, lambda: not Path(f"/proc/{pid}").exists(), timeout=90, what="apiserver exited")
        await settle(pilot, lambda: "reconnecting" in pods_info(app), timeout=60, what="reconnecting shown")
        restarted = subprocess.run([str(STACK), "up"], capture_output=True, text=True, timeout=300)
        assert restarted.returncode == 0, restarted.stderr
        wait_for(lambda: kubectl(stack, "get", "--raw", "/readyz", check=False) == "ok", what="apiserver ready")
        create_pod(stack, namespace, "after-1")
        kubectl(stack, "delete", "pod", "before-1", "-n", namespace, "--wait=true")
        await settle(
            pilot,
            lambda: shown_names(app) == server_pods(stack, namespace) == ["after-1", "before-2"],
            timeout=60,
            what="rows equal to the server's",
        )
        assert "live" in pods_info(app)
