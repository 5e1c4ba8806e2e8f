"""The Deploy template knows the cluster's GPUs (#20, item 6): its GPU type list shows the types of the real stack's
nodes (kwok-gpu-t4-0: 4 T4s; kwok-gpu-a100-0: 8 A100s, spot, tainted as GKE taints them); a type, a count and
the spot tick make a pod that the scheduler places on that node, and kwok runs it."""

from __future__ import annotations

from pathlib import Path

import yaml
from textual.widgets import Checkbox, Input, Label, Select, Static
from textual.widgets._select import SelectCurrent, SelectOverlay

from tests.e2e.test_deploy import follow_text, open_deploy, pod
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.screens.deploy.template_form import TemplateForm

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder

A100 = "nvidia-a100-80gb · 8 GPUs per node · 1 node, spot"
T4 = "nvidia-tesla-t4 · 4 GPUs per node · 1 node"


def form(app: K8sxApp) -> TemplateForm:
    assert isinstance(app.screen, TemplateForm), app.screen
    return app.screen


def field(app: K8sxApp, name: str) -> Input:
    return form(app).query_one(f"#field-{name}", Input)


def gpu_note(app: K8sxApp) -> str:
    return str(form(app).query_one("#gpu-types-note", Label).content)


async def open_template(pilot: object, app: K8sxApp) -> TemplateForm:
    await open_deploy(pilot, app)
    await pilot.press("t")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, TemplateForm), what="the template form")  # type: ignore[arg-type]
    return form(app)


async def test_the_gpu_list_shows_the_stacks_types_and_a100_spot_lands_on_the_a100_node(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_template(pilot, app)
        select = screen.query_one("#gpu-types", Select)
        await settle(pilot, lambda: not select.disabled, what="the cluster's GPU types read")
        assert gpu_note(app) == "2 GPU types in this cluster; 2 nodes with GPUs and no type label"
        shown_prompt = select.query_one(SelectCurrent).query_one("#label", Static).content
        assert str(shown_prompt) == "GPU types of the cluster's nodes: pick one"

        select.focus()
        await pilot.press("enter")  # the list, as the user sees it
        overlay = select.query_one(SelectOverlay)
        await settle(pilot, lambda: select.expanded, what="the list open")
        shown = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        assert shown[1:] == [A100, T4]  # after the prompt line
        await pilot.press("down", "enter")
        await settle(pilot, lambda: field(app, "gpu_type").value == "nvidia-a100-80gb", what="the type picked")
        assert field(app, "gpu").value == "1"  # one GPU when none was asked for
        await settle(pilot, lambda: "tick spot" in gpu_note(app), what="the hint")
        assert gpu_note(app) == f"{A100}; its nodes are all spot: tick spot nodes only"

        field(app, "gpu").value = "2"
        screen.query_one("#field-spot", Checkbox).value = True
        await settle(pilot, lambda: gpu_note(app) == A100, what="the hint without a problem")
        field(app, "name").value = "a100-spot"
        field(app, "image").value = "127.0.0.1:5000/team/train:0.1"  # kwok runs any image
        field(app, "claim").value = ""
        await pilot.press("ctrl+s")

        deploy = app.screen
        await settle(pilot, lambda: "kind: Pod" in deploy.editor.text, what="the YAML")  # type: ignore[attr-defined]
        spec = yaml.safe_load(deploy.editor.text)["spec"]  # type: ignore[attr-defined]
        assert spec["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": 2}}
        assert spec["nodeSelector"] == {
            "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
            "cloud.google.com/gke-spot": "true",
        }
        assert spec["tolerations"] == [
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "cloud.google.com/gke-spot", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
        ]

        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "pod a100-spot: Running" in follow_text(app), timeout=60, what="Running")
        assert "on kwok-gpu-a100-0" in follow_text(app)
    applied = pod(stack, namespace, "a100-spot")
    assert applied["spec"]["nodeName"] == "kwok-gpu-a100-0"  # type: ignore[index]


async def test_a_typed_type_the_cluster_lacks_is_said_and_still_makes_the_pod(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_template(pilot, app)
        await settle(pilot, lambda: not screen.query_one("#gpu-types", Select).disabled, what="the types read")
        field(app, "image").value = "busybox"
        field(app, "gpu_type").value = "nvidia-l4"  # a node pool the autoscaler would create
        await settle(pilot, lambda: "no node of this type" in gpu_note(app), what="the hint")
        assert (
            gpu_note(app)
            == "nvidia-l4: no node of this type now (the pod waits for a node pool the autoscaler creates)"
        )
        await pilot.press("ctrl+s")  # no count: named, and the form comes back with what was typed
        await settle(pilot, lambda: isinstance(app.screen, TemplateForm) and app.screen is not screen, what="again")
        assert field(app, "gpu_type").value == "nvidia-l4"
        field(app, "gpu").value = "1"
        field(app, "claim").value = ""
        await pilot.press("ctrl+s")
        deploy = app.screen
        await settle(pilot, lambda: "kind: Pod" in deploy.editor.text, what="the YAML")  # type: ignore[attr-defined]
        spec = yaml.safe_load(deploy.editor.text)["spec"]  # type: ignore[attr-defined]
        assert spec["nodeSelector"] == {"cloud.google.com/gke-accelerator": "nvidia-l4"}
        assert spec["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": 1}}


async def test_a_user_who_may_not_list_nodes_is_told_and_types_the_type(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    kubectl(stack, "create", "serviceaccount", "scientist", "-n", namespace)
    token = kubectl(stack, "create", "token", "scientist", "-n", namespace).strip()
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["users"] = [{"name": "scientist", "user": {"token": token}}]
    config["contexts"][0]["context"]["user"] = "scientist"
    kubeconfig = own_state / "scientist.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))

    app = make_app(str(kubeconfig), stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_template(pilot, app)
        await settle(pilot, lambda: "cannot list" in gpu_note(app), what="the forbidden node list said")
        assert gpu_note(app).startswith("cannot list the cluster's nodes (forbidden: nodes is forbidden: User ")
        assert gpu_note(app).endswith("): type a GPU type below")
        select = screen.query_one("#gpu-types", Select)
        assert select.disabled and select.prompt == "GPU types: cannot list the nodes"
        field(app, "image").value = "busybox"
        field(app, "claim").value = ""
        field(app, "gpu_type").value = "nvidia-tesla-t4"
        field(app, "gpu").value = "1"
        assert "cannot list" in gpu_note(app)  # typing keeps the reason, not a hint made of no nodes
        await pilot.press("ctrl+s")
        deploy = app.screen
        await settle(pilot, lambda: "kind: Pod" in deploy.editor.text, what="the YAML")  # type: ignore[attr-defined]
        spec = yaml.safe_load(deploy.editor.text)["spec"]  # type: ignore[attr-defined]
        assert spec["nodeSelector"] == {"cloud.google.com/gke-accelerator": "nvidia-tesla-t4"}
