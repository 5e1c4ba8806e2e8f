"""The Deploy screen's info line at the issue's 120 columns: what to do next comes first, so a narrow terminal cuts
the file path rather than the hint that the YAML does not have the image just pushed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.support.app import make_app, settle
from tests.support.stack import StackEnv
from tests.support.state import own_state_dir

__all__ = ["own_state_dir"]  # a fixture
from tui.screens.deploy.deploy import DeployScreen
from tui.services.images.last_pushed import LastPushed

POD = """apiVersion: v1
kind: Pod
metadata: {name: train}
spec:
  containers:
  - {name: main, image: "127.0.0.1:5000/team/train:0.1"}
"""


async def test_the_hint_to_put_the_last_pushed_image_in_comes_first_and_the_digest_is_left_out(
    stack: StackEnv, own_state_dir: Path
) -> None:
    LastPushed().set("127.0.0.1:5000/team/train:0.2@sha256:" + "ab" * 32)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("6")
        await settle(pilot, lambda: isinstance(app.screen, DeployScreen), what="the Deploy screen")
        screen = app.screen
        assert isinstance(screen, DeployScreen)
        screen.editor.load_text(POD)
        screen.update_info()
        info = str(screen.query_one("#deploy-info", Static).render())
        assert info.startswith("i puts the last pushed image into the YAML · "), info
        assert "last pushed 127.0.0.1:5000/team/train:0.2" in info and "sha256" not in info, info
