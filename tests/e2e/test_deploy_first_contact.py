"""First contact on the Deploy screen: g without a k8sx.yaml writes a starter from what the app knows (opened in the
editor, used by the next g), the editor saves back to its file (ctrl+w), the loop offers to write the pushed tag into
pod.yml, and a wait for a pod says how long and what for, and stops with Esc."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.e2e.test_deploy import follow_text, open_deploy, tiny_pod
from tests.e2e.test_deploy_project import busybox_project
from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.stack import StackEnv
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.services.images.last_pushed import LastPushed
from tui.services.project.project_file import load_project

__all__ = ["own_state"]

POD_YML = """\
# the tutorial's pod.yml: NB bump the version here too
apiVersion: v1
kind: Pod
metadata:
  name: walk            # the experiment
spec:
  restartPolicy: Never
  nodeSelector: {type: no-such-node}   # never scheduled: the loop waits at Running
  containers:
  - name: main
    image: "{image}:0.1"   # bumped by the loop
    command: [sh, -c, "sleep 60"]
"""


@pytest.fixture(autouse=True)
def own_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))


def question(app: K8sxApp) -> str:
    return str(app.screen.query_one("#question").content)  # type: ignore[attr-defined]


async def open_file(pilot: object, app: K8sxApp, path: Path) -> None:
    await pilot.press("o")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the open form")  # type: ignore[arg-type]
    app.screen.query_one("#field-path", Input).value = str(path)
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot, lambda: f"opened {path}" in follow_text(app), what="the file opened")  # type: ignore[arg-type]


async def test_g_without_a_project_file_writes_a_starter_the_next_g_uses_and_offers_the_pushed_tag_to_pod_yml(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    image = f"k8sx-e2e/starter-{uuid.uuid4().hex[:8]}"
    busybox_project(own_state, stack.registry, image)
    (own_state / "k8sx.yaml").unlink()  # the folder has the Dockerfile (image/) and pod.yml, no project file
    pod_yml = POD_YML.replace("{image}", f"{stack.registry}/{image}")
    (own_state / "pod.yml").write_text(pod_yml)
    LastPushed().set(f"{stack.registry}/{image}:0.1")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await open_file(pilot, app, own_state / "pod.yml")
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer of a starter")
        asked = question(app)
        assert "has no k8sx.yaml" in asked and f"image: {stack.registry}/{image}:0.1" in asked, asked
        assert "build: image, image/Dockerfile" in asked and "pod: file pod.yml" in asked, asked
        await answer_dialog(pilot, app, "tab", "enter")  # Write

        written = own_state / "k8sx.yaml"
        project = load_project(written)  # what the project file's own reader makes of it
        assert (project.registry, project.image) == (stack.registry, image)
        assert (project.context, project.dockerfile, project.pod_file) == ("image", "image/Dockerfile", "pod.yml")
        assert project.namespace == namespace
        assert (
            screen.editor.text == written.read_text()
            and "# the repository path under the registry" in screen.editor.text
        )
        assert f"wrote {written}" in follow_text(app)

        await pilot.press("escape", "g")  # out of the editor; the loop now runs from the starter
        offered = f"W writes {stack.registry}/{image}:0.2 into {own_state / 'pod.yml'} (only its image line changes)"
        await settle(pilot, lambda: offered in follow_text(app), timeout=120, what="the offer of the new tag")
        assert f"loop of {written}" in follow_text(app)
        await pilot.press("W")  # a line with a key, not a dialog: the loop goes on meanwhile
        await settle(pilot, lambda: "now says" in follow_text(app), what="the new tag written")
        assert (own_state / "pod.yml").read_text() == pod_yml.replace(":0.1", ":0.2")  # comments and layout kept

        await settle(pilot, lambda: "not scheduled" in follow_text(app), timeout=60, what="the loop waiting")
        assert "Esc stops the loop" in follow_text(app)
        await pilot.press("escape")
        await settle(pilot, lambda: "✗ running" in follow_text(app), what="the loop stopped")
        assert "stopped waiting: pod walk stays as it is" in follow_text(app)


async def test_g_and_p_offer_nothing_over_an_existing_file_and_p_on_a_missing_one_offers_a_starter(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer of a starter")
        assert "none pushed yet" in question(app) and "pod: the template (exp)" in question(app)
        await answer_dialog(pilot, app, "enter")  # Cancel has the focus
        assert not (own_state / "k8sx.yaml").exists()

        elsewhere = own_state / "sub" / "k8sx.yaml"
        await pilot.press("P")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the project form")
        app.screen.query_one("#field-path", Input).value = str(elsewhere)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer for the missing path")
        assert f"There is no {elsewhere}." in question(app)
        await answer_dialog(pilot, app, "tab", "enter")
        assert load_project(elsewhere).template["name"] == "exp"  # the template's pod, read back
        assert screen.editor_holds_project and screen.project is not None and screen.project.path == elsewhere

        # The project file in the editor: ctrl+s does not apply it; an edit saved with ctrl+w is read again.
        await pilot.press("ctrl+s")
        assert "the editor holds k8sx.yaml: ctrl+w saves it" in follow_text(app)
        screen.editor.load_text(screen.editor.text.replace("\nimage: ", "\nimage: team/"))
        await pilot.press("ctrl+w")
        await settle(pilot, lambda: "saved and read" in follow_text(app), what="the project read again")
        assert screen.project.repository == "127.0.0.1:5000/team/sub"
        screen.editor.load_text(screen.editor.text + "pods: {}\n")
        await pilot.press("ctrl+w")
        await settle(pilot, lambda: "unknown key 'pods'" in follow_text(app), what="the problem said")
        assert screen.project is None


async def test_ctrl_w_writes_the_editor_back_to_its_file_and_asks_before_overwriting(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    path = own_state / "pod.yml"
    path.write_text("# mine\n" + tiny_pod("first"))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        assert any(b.binding.id == "deploy.save" for b in screen.active_bindings.values())  # in the footer
        await open_file(pilot, app, path)
        await pilot.press("e", "end", "x", "ctrl+w")  # ctrl+w in the editor saves (it does not delete a word)
        await settle(pilot, lambda: f"saved {path}" in follow_text(app), what="saved")
        assert path.read_text() == "# minex\n" + tiny_pod("first") == screen.editor.text

        path.write_text("# changed elsewhere\n")
        await pilot.press("y", "ctrl+w")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the overwrite question")
        assert question(app) == f"{path} changed on disk since it was opened.\nWrite the editor's text to it anyway?"
        await answer_dialog(pilot, app, "enter")  # Cancel
        assert path.read_text() == "# changed elsewhere\n"
        await pilot.press("ctrl+w")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the overwrite question again")
        await answer_dialog(pilot, app, "tab", "enter")  # Overwrite
        assert path.read_text() == "# minexy\n" + tiny_pod("first")

        # Text from the template has no file yet: ctrl+w asks where, and asks before replacing a file there.
        await pilot.press("escape", "t")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the template form")
        app.screen.query_one("#field-image", Input).value = "127.0.0.1:5000/team/train:0.1"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "made from the template" in follow_text(app), what="the template's YAML")
        await pilot.press("ctrl+w")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the save-as form")
        assert app.screen.query_one("#field-path", Input).value == str(path)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the replace question")
        assert question(app) == f"{path} exists.\nReplace it with the editor's text?"
        await answer_dialog(pilot, app, "tab", "enter")
        assert path.read_text() == screen.editor.text and "image: 127.0.0.1:5000/team/train:0.1" in path.read_text()
        assert screen.source == str(path)
        assert not list(own_state.glob(".pod.yml.*"))  # no temporary file left behind


async def test_waiting_for_a_pod_counts_the_seconds_and_esc_stops_waiting(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    unschedulable = tiny_pod("nowhere").replace("spec: {", "spec: {nodeSelector: {type: no-such-node}, ")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(unschedulable)
        await pilot.press("ctrl+s")
        counted = re.compile(r"waiting ([3-9]|\d\d+) s · Esc stops waiting \(the pod stays\)")
        await settle(pilot, lambda: bool(counted.search(follow_text(app))), what="the wait counted")
        assert re.search(r"pod nowhere: Pending — not scheduled: 0/\d+ nodes are available", follow_text(app))
        assert any(b.binding.id == "deploy.stop-waiting" for b in screen.active_bindings.values())
        await pilot.press("escape")
        await settle(pilot, lambda: "stopped waiting (the pod stays" in follow_text(app), what="the wait stopped")
        assert "waiting" not in follow_text(app).replace("stopped waiting", "")
        assert not any(b.binding.id == "deploy.stop-waiting" for b in screen.active_bindings.values())
