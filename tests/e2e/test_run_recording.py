"""Runs recorded by the app itself: a pod applied from the Deploy screen is a run in the state folder with the
manifest as applied and the code of the project it was started from (a git checkout with an uncommitted change);
restarting it from its manifest is a new run of the same manifest."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.e2e.test_deploy import follow_text, listed, open_deploy, tiny_pod
from tests.e2e.test_deploy_pods import apply_yaml, set_phase
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv
from tests.support.state import own_state
from tui.screens.common.dialogs import ConfirmScreen
from tui.services.runs.store import RunStore

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder


def git(folder: Path, *args: str) -> str:
    author = ("-c", "user.email=t@example.com", "-c", "user.name=t")
    return subprocess.run(["git", "-C", str(folder), *author, *args], check=True, capture_output=True, text=True).stdout


async def test_a_pod_applied_and_restarted_from_the_deploy_screen_is_recorded_twice_with_its_code(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    (own_state / "k8sx.yaml").write_text("image: train\nregistry: 127.0.0.1:5000/team\n")
    (own_state / "train.py").write_text("lr = 0.1\n")
    git(own_state, "init", "-q", "-b", "main")
    git(own_state, "add", ".")
    git(own_state, "commit", "-q", "-m", "first")
    (own_state / "train.py").write_text("lr = 0.2\n")  # not committed: the run keeps the diff
    runs = RunStore()  # where the app keeps them: $XDG_STATE_HOME/k8sx-tui/runs (the test's own)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await apply_yaml(pilot, app, tiny_pod("exp", "127.0.0.1:5000/team/train:0.4"), "exp")
        (first,) = runs.summaries()
        run = runs.get(first.id)
        assert (run.name, run.namespace, run.images, first.image_tag) == (
            "exp", namespace, ("127.0.0.1:5000/team/train:0.4",), "0.4",
        )  # fmt: skip
        assert yaml.safe_load(run.manifest)["spec"] == {"containers": [{"name": "m", "image": run.images[0]}]}
        assert run.code is not None and run.code.commit == git(own_state, "rev-parse", "HEAD").strip()
        assert "+lr = 0.2" in run.code.diff and first.code_label == run.code.commit[:7] + "+dirty"
        assert run.project == (own_state / "k8sx.yaml").read_text()

        set_phase(stack, namespace, "exp", "Failed")
        await settle(pilot, lambda: listed(app).get("exp") == "Failed", what="exp dead")
        screen.editor.load_text("# something else entirely\n")
        await pilot.press("R")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the restart question")
        await pilot.press("tab", "enter")
        await settle(pilot, lambda: "restarted: pod/exp created" in follow_text(app), timeout=90, what="restarted")
        again, before = runs.summaries()
        assert before.id == first.id and again.id != first.id and again.created >= first.created
        assert runs.get(again.id).manifest == run.manifest  # the very manifest, applied again
