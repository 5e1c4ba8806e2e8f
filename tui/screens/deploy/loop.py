"""g on the Deploy screen as a flow: the one-key loop of the project file, build → push → deploy → Running → shell.
A pod of the same name already there is replaced only after a confirm; each stage shows on the screen as it goes,
the pushed image goes into the YAML shown, and the running pod is handed to the Terminal screen for a shell."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.markup import escape
from textual.message import Message

from tui.messages import OpenShell, PodsDeployed
from tui.models.deploy.pod_template import (
    Manifest,
    ManifestError,
    name_of,
    parse_manifests,
    pods_of,
    replace_image,
    to_yaml,
)
from tui.models.project.project_file import PROJECT_FILE, LoopReady, Project, StageState, StageUpdate
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.deploy.outcome import DeployOutcome
from tui.services.deploy.apply import ApplyFailed
from tui.services.deploy.loop import ExperimentLoop, LoopEvent
from tui.services.images.images import ImageService
from tui.services.pods.rows import pod_row

if TYPE_CHECKING:
    from tui.screens.deploy.deploy import DeployScreen


@dataclass
class LoopProgress(Message):
    """A stage of the build → push → deploy → Running → shell loop moved on (or the pod is ready for the shell)."""

    event: LoopEvent


class LoopFlow:
    """Owned by the Deploy screen; holds the loop while it runs (cancelled when the screen goes)."""

    def __init__(self, screen: DeployScreen) -> None:
        self.screen = screen
        self.running: ExperimentLoop | None = None

    def start(self) -> None:
        screen = self.screen
        if screen.project is None:
            screen.say(f"no project file: P opens one ({PROJECT_FILE} with image, registry and the pod)", ok=False)
            return
        if screen.docker is None:
            screen.say("no Docker engine configured to build with", ok=False)
            return
        if self.running is not None:
            screen.notify("the loop is running already", title="Loop", severity="warning")
            return
        manifests = screen.manifests_to_apply()
        if manifests is not None:
            screen.run_worker(
                partial(self._check_then_loop, screen.project, screen.target_namespace, manifests),
                name="check_then_loop",
                thread=True,
                exclusive=True,
                group="deploy-loop",
                exit_on_error=False,
            )

    def cancel(self) -> None:
        if self.running is not None:
            self.running.cancel()

    def _check_then_loop(self, project: Project, namespace: str, manifests: list[Manifest]) -> None:
        """In a thread worker."""
        screen = self.screen
        names = [name_of(pod) for pod in pods_of(manifests)]
        try:
            existing = screen.applier.existing(namespace, names)
        except ApplyFailed as exc:
            screen.post_message(DeployOutcome(str(exc), ok=False))
            return
        if not existing:
            screen.app.call_from_thread(self._run, project, namespace, manifests, False)
            return
        question = (
            f"Pod {', '.join(existing)} already exists in {namespace}.\n"
            "The loop deletes it and starts it again with the new image. Go on?"
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(project, namespace, manifests, True)

        screen.app.call_from_thread(screen.app.push_screen, ConfirmScreen(question, "Replace"), confirmed)

    def _run(self, project: Project, namespace: str, manifests: list[Manifest], replace: bool) -> None:
        self.screen.run_worker(
            partial(self._loop, project, namespace, manifests, replace),
            name="run_loop",
            thread=True,
            exclusive=True,
            group="deploy-loop",
            exit_on_error=False,
        )

    def _loop(self, project: Project, namespace: str, manifests: list[Manifest], replace: bool) -> None:
        """In a thread worker of its own: the stages as they go."""
        screen = self.screen
        assert screen.docker is not None
        screen.app.call_from_thread(self._started, project)
        loop = ExperimentLoop(ImageService(screen.docker.client()), screen.applier, screen.last_pushed)
        self.running = loop
        try:
            for event in loop.run(project, namespace, manifests, replace):
                if isinstance(event, StageUpdate) and event.stage == "deploy" and event.state is StageState.DONE:
                    screen.post_message(PodsDeployed(namespace))
                screen.post_message(LoopProgress(event))
        finally:
            self.running = None

    def _started(self, project: Project) -> None:
        screen = self.screen
        screen.stages = {}
        screen.new_follow()  # the loop follows the pod itself
        screen.outcome = f"loop of {escape(str(project.path))}"
        screen.render_follow()

    def progressed(self, event: LoopEvent) -> None:
        screen = self.screen
        if isinstance(event, LoopReady):
            screen.stages["shell"] = StageUpdate("shell", StageState.DONE, "opened in the Terminal screen (3)")
            screen.post_message(OpenShell(pod_row(event.pod)))
        else:
            screen.stages[event.stage] = event
            if event.stage == "push" and event.state is StageState.DONE:
                self._show_image(event.detail)  # what is applied next: the pushed reference, with its digest
            screen.update_info()
        screen.render_follow()

    def _show_image(self, image: str) -> None:
        screen = self.screen
        try:
            manifests, replaced = replace_image(parse_manifests(screen.editor.text), image)
        except ManifestError:
            return
        if replaced:
            screen.set_yaml(to_yaml(manifests), screen.source)
