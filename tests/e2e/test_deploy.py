"""The Deploy screen against the real API server: a pod YAML or the template, server-side apply, the pod followed
until it runs or told why not, claims bound, refusals in the API's own words."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import yaml
from textual.content import Content
from textual.widgets import Input, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv, kubectl, read_stack_env, wait_for
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.models.deploy.pod_template import EXPERIMENT_LABEL, MANAGED_BY_LABEL
from tui.screens.common.forms import FormScreen
from tui.screens.deploy.deploy import DeployScreen
from tui.services.images.last_pushed import LastPushed

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder

POD_WITH_CLAIM = """\
# the tutorial's pod.yml: a claim and a pod that mounts it at /persistent
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: results
spec:
  storageClassName: standard
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: exp
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: 127.0.0.1:5000/team/train:0.1
    command: [sh, -c, "python train.py"]
    volumeMounts: [{name: persistent, mountPath: /persistent}]
  volumes:
  - name: persistent
    persistentVolumeClaim: {claimName: results}
"""


def tiny_pod(name: str, image: str = "x") -> str:
    spec = f"spec: {{containers: [{{name: m, image: {image}}}]}}"
    return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\n{spec}\n"


def deploy_screen(app: K8sxApp) -> DeployScreen:
    """The Deploy screen, also while another mode is shown (it lives in its mode's stack)."""
    return next(s for stack in app._screen_stacks.values() for s in stack if isinstance(s, DeployScreen))


def follow_text(app: K8sxApp) -> str:
    """The right-hand panel as the user reads it (markup rendered)."""
    return Content.from_markup(str(deploy_screen(app).query_one("#deploy-follow", Static).content)).plain


def pods_info(app: K8sxApp) -> str:
    return str(deploy_screen(app).query_one("#deploy-pods-info", Static).content)


def listed(app: K8sxApp) -> dict[str, str]:
    """The app's own pods in the list at the bottom: name -> STATUS."""
    table = deploy_screen(app).table
    return {row.name: row.status for row in table.rows.values()}


def pod(stack: StackEnv, namespace: str, name: str) -> dict[str, object]:
    out = kubectl(stack, "get", "pod", name, "-n", namespace, "-o", "json", "--show-managed-fields")
    loaded: dict[str, object] = json.loads(out)
    return loaded


async def open_deploy(pilot: object, app: K8sxApp) -> DeployScreen:
    await pilot.press("6")  # type: ignore[attr-defined]
    await settle(pilot, lambda: app.current_mode == "deploy", what="the deploy screen")  # type: ignore[arg-type]
    return deploy_screen(app)


async def fill_form(pilot: object, app: K8sxApp, values: dict[str, str]) -> None:
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="a form")  # type: ignore[arg-type]
    for name, value in values.items():
        app.screen.query_one(f"#field-{name}", Input).value = value
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]


async def test_a_pod_yaml_is_opened_applied_server_side_and_followed_until_running_with_its_claim_bound(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    (own_state / "pod.yml").write_text(POD_WITH_CLAIM)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the open form")
        assert app.screen.query_one("#field-path", Input).value == str(own_state / "pod.yml")  # found in the cwd
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.editor.text == POD_WITH_CLAIM, what="the YAML shown")
        assert "opened" in follow_text(app) and "exp" in follow_text(app)

        await pilot.press("ctrl+s")
        await settle(
            pilot,
            lambda: "pod exp: Running" in follow_text(app) and "claim results: Bound" in follow_text(app),
            timeout=60,
            what="pod Running, claim Bound",
        )
        text = follow_text(app)
        assert "persistentvolumeclaim/results created, pod/exp created" in text
        assert "on kwok-node-" in text and ", 50Gi, standard" in text  # the volume it bound to
        await settle(pilot, lambda: listed(app) == {"exp": "Running"}, what="the pod in the app's list")
        assert f"pods started from k8sx-tui in {namespace}: 1 (1 Running)" in pods_info(app)

    applied = pod(stack, namespace, "exp")
    metadata = applied["metadata"]
    assert isinstance(metadata, dict)
    assert metadata["labels"] == {MANAGED_BY_LABEL: "k8sx-tui", EXPERIMENT_LABEL: "exp"}
    managers = [(m["manager"], m["operation"]) for m in metadata["managedFields"]]
    assert ("k8sx-tui", "Apply") in managers  # server-side apply, with the app as field manager
    claim = json.loads(kubectl(stack, "get", "pvc", "results", "-n", namespace, "-o", "json"))
    assert claim["status"]["phase"] == "Bound"


async def test_the_template_prefills_the_last_pushed_image_and_a_gpu_pod_waits_with_the_schedulers_reason(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    LastPushed().set("127.0.0.1:5000/team/train:0.7")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the template form")
        assert app.screen.query_one("#field-image", Input).value == "127.0.0.1:5000/team/train:0.7"
        await fill_form(pilot, app, {"name": "gpu-train", "gpu": "two"})
        # A bad field: said, and the form comes back with everything typed in it.
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the form again")
        assert app.screen.query_one("#field-name", Input).value == "gpu-train"
        await fill_form(
            pilot,
            app,
            {"gpu": "16", "args": "--epochs 3", "env": "SEED=1", "claim": "ckpt", "claim_size": "1Gi",
             "storage_class": "standard", "memory": "1Gi"},
        )  # fmt: skip
        await settle(pilot, lambda: "kind: Pod" in screen.editor.text, what="the YAML from the template")
        shown = list(yaml.safe_load_all(screen.editor.text))
        assert [m["kind"] for m in shown] == ["PersistentVolumeClaim", "Pod"]
        container = shown[1]["spec"]["containers"][0]
        assert container["image"] == "127.0.0.1:5000/team/train:0.7"
        assert container["resources"]["limits"]["nvidia.com/gpu"] == 16  # kwok nodes have 8 each

        await pilot.press("ctrl+s")
        # First, for a moment, the claim is not bound yet; then the real reason.
        await settle(pilot, lambda: "Insufficient nvidia.com/gpu" in follow_text(app), timeout=90, what="the reason")
        text = follow_text(app)
        assert re.search(r"not scheduled: 0/\d+ nodes are available: ", text), text  # however many nodes the stack has
        assert "pod gpu-train: Pending" in text
        pending = re.compile(r"Pending: Insufficient nvidia\.com/gpu \(0/\d+ nodes\)")  # STATUS says why
        await settle(pilot, lambda: pending.fullmatch(listed(app).get("gpu-train", "")) is not None, what="Pending")
    spec = pod(stack, namespace, "gpu-train")["spec"]
    assert isinstance(spec, dict) and spec["containers"][0]["args"] == ["--epochs", "3"]


async def test_broken_yaml_says_line_and_column_and_keeps_the_text(stack: StackEnv, namespace: str) -> None:
    broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: exp\n  labels: {a: b\nspec: {}\n"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(broken)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "invalid YAML at line" in follow_text(app), what="the YAML error")
        assert "invalid YAML at line 6, column 5: while parsing a flow mapping" in follow_text(app)
        assert screen.editor.text == broken  # nothing lost
        assert screen.editor.cursor_location == (5, 4) and screen.editor.has_focus  # at the problem
        assert kubectl(stack, "get", "pods", "-n", namespace, "-o", "name") == ""


async def test_refusals_come_in_the_apis_own_words_quota_and_missing_namespace_too(
    stack: StackEnv, namespace: str
) -> None:
    kubectl(stack, "create", "quota", "one-pod", "--hard=pods=1", "-n", namespace)
    wait_for(
        lambda: "pods" in kubectl(stack, "get", "quota", "one-pod", "-n", namespace, "-o", "jsonpath={.status.used}"),
        what="the quota counted",
    )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        no_image = "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers: [{name: main}]\n"
        screen.editor.load_text(no_image)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "refused" in follow_text(app), what="the rejection")
        assert (
            'pod/bad refused: spec.containers[0].image is required\n(the API server said: Pod "bad" is invalid: '
            "spec.containers[0].image: Required value)"
        ) in follow_text(app)
        assert screen.editor.text == no_image

        for name in ("first", "second"):
            screen.editor.load_text(tiny_pod(name))
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: "applying" not in follow_text(app), what=f"{name} applied or refused")
        assert 'pod/second refused: pods "second" is forbidden: exceeded quota: one-pod' in follow_text(app)
        assert "limited: pods=1" in follow_text(app)

    missing = f"missing-{uuid.uuid4().hex[:6]}"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=missing)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(tiny_pod("a"))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "does not exist" in follow_text(app), what="the missing namespace")
        assert f'namespace {missing} does not exist (namespaces "{missing}" not found)' in follow_text(app)


async def test_no_cluster_is_said_in_words(stack: StackEnv, tmp_path: Path) -> None:
    app = make_app(str(tmp_path / "no-kubeconfig"), stack.docker_host, namespace="x")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(tiny_pod("a"))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "cannot apply" in follow_text(app), what="no cluster")
        assert "cannot apply pod/a: no kubeconfig found" in follow_text(app)
        assert app.is_running


async def test_a_missing_image_on_the_real_node_says_image_pull_back_off_with_the_registrys_answer(
    stack: StackEnv, namespace: str
) -> None:
    image = f"{stack.registry}/k8sx-e2e/never-pushed:{uuid.uuid4().hex[:8]}"
    manifest = f"""
apiVersion: v1
kind: Pod
metadata: {{name: pull-fails}}
spec:
  nodeSelector: {{type: real}}
  tolerations: [{{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}}]
  containers: [{{name: main, image: "{image}"}}]
"""
    real_node = read_stack_env()["K8SX_REAL_NODE"]
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(manifest)
        await pilot.press("ctrl+s")
        await settle(
            pilot,
            lambda: "ErrImagePull" in follow_text(app) or "ImagePullBackOff" in follow_text(app),
            timeout=90,
            what="the pull failure",
        )
        text = follow_text(app)
        assert f"on {real_node}" in text and "not found" in text, text
