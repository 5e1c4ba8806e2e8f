"""The loop's offer to write the new tag into pod.yml never traps the user: it is a line on the Deploy screen with a
key (W), not a dialog left open there while the loop goes on to the shell, so coming back to Deploy the number keys
and the screen's keys work and W writes the tag. And the Push screen, when it is the one shown while the loop's push
lands, shows that push and suggests the next tag at once (not only when shown again)."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.e2e.test_deploy_project import busybox_project, own_docker_config
from tests.e2e.test_loop_unchanged_image import repository
from tests.e2e.test_push_last_pushed import last_line, open_push, tag_field
from tests.e2e.test_terminal import terminal
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv
from tests.support.state import own_state
from tui.screens.deploy.deploy import DeployScreen
from tui.services.images.last_pushed import LastPushed

__all__ = ["own_docker_config", "own_state", "repository"]

POD_YML = """\
# the tutorial's pod.yml: NB bump the version here too
apiVersion: v1
kind: Pod
metadata:
  name: offer           # runs on a kwok node: Running at once, no container
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: "{image}:0.1"   # the loop's tag goes here
    command: [sh, -c, "sleep 600"]
"""


async def test_the_offer_to_write_the_tag_waits_on_deploy_without_holding_the_keys_and_w_writes_it(
    stack: StackEnv, namespace: str, own_state: Path, repository: str
) -> None:
    busybox_project(own_state, stack.registry, repository.split("/", 1)[1], pod="pod: {file: pod.yml}\n")
    pod_yml = POD_YML.replace("{image}", repository)
    (own_state / "pod.yml").write_text(pod_yml)
    LastPushed().set(f"{repository}:0.1")  # the loop pushes 0.2
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await pilot.press("g")  # build, push 0.2, deploy, Running (kwok), then the shell on the Terminal screen
        try:
            await settle(
                pilot, lambda: app.current_mode == "terminal" or "✗" in follow_text(app), timeout=180, what="the shell"
            )
            assert app.current_mode == "terminal"
        except AssertionError:
            raise AssertionError(follow_text(app)) from None
        for tab in list(terminal(app).tabs):
            terminal(app).close_tab(tab)  # the shell would take the keys (a kwok pod has no container to exec in)

        await pilot.press("6")  # back to Deploy: the screen itself, no question over it
        await settle(pilot, lambda: app.current_mode == "deploy", what="the Deploy screen")
        deploy = app.screen
        assert isinstance(deploy, DeployScreen), f"{type(deploy).__name__} is over the Deploy screen"
        offered = f"W writes {repository}:0.2 into {own_state / 'pod.yml'} (only its image line changes)"
        assert offered in follow_text(app), follow_text(app)
        assert any(b.binding.id == "deploy.write-image" for b in deploy.active_bindings.values())  # in the footer
        assert (own_state / "pod.yml").read_text() == pod_yml  # nothing written unasked

        await pilot.press("1")  # the number keys work while the offer waits
        await settle(pilot, lambda: app.current_mode == "pods", what="the Pods screen")
        edited = pod_yml.replace("# the tutorial's", "# edited meanwhile:")
        (own_state / "pod.yml").write_text(edited)  # by hand, while the offer waits: the edit stays
        await pilot.press("6", "W")
        await settle(pilot, lambda: "now says" in follow_text(app), what="the tag written")
        assert (own_state / "pod.yml").read_text() == edited.replace(":0.1", ":0.2")  # comments and layout kept
        assert f"{own_state / 'pod.yml'} now says {repository}:0.2" in follow_text(app)
        assert "W writes" not in follow_text(app)
        assert not any(b.binding.id == "deploy.write-image" for b in deploy.active_bindings.values())


async def test_the_push_screen_shown_while_the_loops_push_lands_shows_it_and_the_next_tag(
    stack: StackEnv, namespace: str, own_state: Path, repository: str
) -> None:
    slow = f'RUN ["/bin/sh", "-c", "echo {uuid.uuid4().hex}; sleep 3"]\n'  # a new image, built for 3 s at least
    pod = "pod:\n  template: {name: nowhere, command: 'sleep 60', nodeSelector: {type: no-such-node}}\n"
    busybox_project(own_state, stack.registry, repository.split("/", 1)[1], slow, pod)
    LastPushed().set(f"{repository}:0.4")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        push = await open_push(pilot, app, repository)
        await settle(pilot, lambda: tag_field(push) == "0.5", what="0.4 -> 0.5 suggested")
        await open_deploy(pilot, app)
        await pilot.press("g")
        await settle(pilot, lambda: "step 4/4" in follow_text(app), timeout=60, what="the build's slow step")
        await pilot.press("5")  # on the Push screen while the loop builds and pushes
        await settle(pilot, lambda: app.screen is push, what="the Push screen")
        assert last_line(push) == f"last pushed: {repository}:0.4"  # shown before the loop's push
        await settle(
            pilot,
            lambda: last_line(push).startswith(f"last pushed: {repository}:0.5@sha256:"),
            timeout=120,
            what="the loop's push shown where the user is",
        )
        await settle(pilot, lambda: tag_field(push) == "0.6", what="0.5 -> 0.6 suggested")
        assert app.screen is push
