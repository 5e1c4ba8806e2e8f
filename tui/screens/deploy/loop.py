"""g on the Deploy screen as a flow: the one-key loop of the project file, build → push → deploy → Running → shell.
A pod of the same name already there is replaced only after a confirm; each stage shows on the screen as it goes,
the pushed image goes into the YAML shown (W writes its tag into the pod file), and the running pod is handed to
the Terminal screen for a shell."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.markup import escape
from textual.message import Message

from tui.messages import OpenShell, PodsDeployed
from tui.models.deploy.image_text import replace_image_in_text
from tui.models.deploy.pod_template import (
    EXPERIMENT_LABEL,
    Manifest,
    ManifestError,
    name_of,
    parse_manifests,
    pods_of,
    replace_image,
    to_yaml,
)
from tui.models.forward.presets import forwarding_text
from tui.models.project.project_file import PROJECT_FILE, LoopReady, Project, StageState, StageUpdate
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.deploy.outcome import DeployOutcome
from tui.screens.deploy.save import ImageOffer
from tui.services.deploy.apply import ApplyFailed
from tui.services.deploy.loop import ExperimentLoop, ImageChosen, LoopEvent
from tui.services.forward.manager import ForwardManager
from tui.services.images.images import ImageService
from tui.services.pods.rows import pod_row
from tui.services.project.project_pod import project_manifests

if TYPE_CHECKING:
    from tui.screens.deploy.deploy import DeployScreen


@dataclass
class LoopProgress(Message):
    """A stage of the build → push → deploy → Running → shell loop moved on (or the pod is ready for the shell)."""

    event: LoopEvent | None  # None: the loop has ended


class LoopFlow:
    """Owned by the Deploy screen; holds the loop while it runs (cancelled when the screen goes)."""

    def __init__(self, screen: DeployScreen) -> None:
        self.screen = screen
        self.running: ExperimentLoop | None = None
        self.pod_file: Path | None = None  # the pod YAML the running loop applies, to write the pushed image into
        self.project: Project | None = None  # the running loop's (its `forwards:` start once the pod runs)
        self.offer: ImageOffer | None = None  # the deployed tag for the pod file, until W takes it or a loop starts

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
        manifests = self._manifests(screen.project)
        if manifests is not None:
            screen.run_worker(
                partial(self._check_then_loop, screen.project, screen.target_namespace, manifests),
                name="check_then_loop",
                thread=True,
                exclusive=True,
                group="deploy-loop",
                exit_on_error=False,
            )

    def _manifests(self, project: Project) -> list[Manifest] | None:
        """The editor's pod, or the project's when the editor holds the project file itself."""
        screen = self.screen
        if not screen.editor_holds_project:
            self.pod_file = screen.file.path if screen.file is not None else None
            return screen.manifests_to_apply()
        try:
            manifests = project_manifests(project)
        except ManifestError as exc:
            screen.say(str(exc), ok=False)
            return None
        self.pod_file = project.resolve(project.pod_file) if project.pod_file else None
        return screen.labelled(manifests)

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
            "The loop builds the image, then deletes the pod and starts it again with the image pushed\n"
            "(the last push when the build is unchanged). Go on?"
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
        loop = ExperimentLoop(ImageService(screen.docker.client()), screen.applier, screen.last_pushed)
        self.running = loop
        screen.app.call_from_thread(self._started, project)
        try:
            for event in loop.run(project, namespace, manifests, replace):
                if isinstance(event, StageUpdate) and event.stage == "deploy" and event.state is StageState.DONE:
                    screen.post_message(PodsDeployed(namespace))
                screen.post_message(LoopProgress(event))
        finally:
            self.running = None
            screen.post_message(LoopProgress(None))  # the loop ended: Esc and K are no longer for it

    def _started(self, project: Project) -> None:
        screen = self.screen
        self.project = project
        self.offer = None
        screen.stages = {}
        screen.new_follow()  # the loop follows the pod itself
        screen.outcome = f"loop of {escape(str(project.path))}"
        screen.refresh_bindings()
        screen.render_follow()

    def progressed(self, event: LoopEvent | None) -> None:
        """`None`: the loop has ended."""
        screen = self.screen
        if event is None:
            screen.refresh_bindings()
        elif isinstance(event, LoopReady):
            forwarding = self._start_forwards(event)
            shell = "opened in the Terminal screen (3)" + (f" · forwarding {forwarding}" if forwarding else "")
            screen.stages["shell"] = StageUpdate("shell", StageState.DONE, shell)
            screen.post_message(OpenShell(pod_row(event.pod)))
            screen.follow(event.namespace, pod_row(event.pod).name)  # on to its end: the panel never goes stale
        elif isinstance(event, ImageChosen):
            self._show_image(str(event.ref))  # what is applied next: the pushed reference, with its digest
            if self.pod_file is not None:
                self.offer = ImageOffer.after_push(screen, self.pod_file, event.ref)
        else:
            screen.stages[event.stage] = event
            screen.update_info()
        screen.refresh_bindings()  # K comes and goes with the deletion of an earlier pod
        screen.render_follow()

    def take_offer(self) -> None:
        """W: the deployed tag written into the pod file (the offer stays when it could not be)."""
        offer, self.offer = self.offer, None
        if offer is not None and not offer.write(self.screen):
            self.offer = offer
        self.screen.refresh_bindings()
        self.screen.render_follow()

    def _start_forwards(self, ready: LoopReady) -> str:
        """The project's `forwards:` to the pod now Running, tied to its experiment label: a re-run finds them
        running (they follow the new pod by the label) and starts none twice. Where they listen, in words."""
        project, manager = self.project, getattr(self.screen.app, "forwards", None)
        if project is None or not project.forwards or not isinstance(manager, ForwardManager):
            return ""
        metadata = ready.pod.get("metadata")
        labels = metadata.get("labels") if isinstance(metadata, dict) else None
        experiment = str(labels.get(EXPERIMENT_LABEL) or "") if isinstance(labels, dict) else ""
        name = pod_row(ready.pod).name
        for problem in manager.start_presets(list(project.forwards), ready.namespace, name, experiment):
            self.screen.notify(problem, title="Forwards", severity="warning", markup=False, timeout=15)
        return forwarding_text(project.forwards, manager.statuses(), f"{ready.namespace}/{experiment or name}")

    def _show_image(self, image: str) -> None:
        screen = self.screen
        if screen.editor_holds_project:
            return  # the project file itself is shown: the image goes into the pod, not into it
        try:
            manifests, replaced = replace_image(parse_manifests(screen.editor.text), image)
        except ManifestError:
            return
        if replaced:
            unedited = screen.unsaved_changes() is None
            screen.change_yaml(replace_image_in_text(screen.editor.text, image) or to_yaml(manifests))
            if unedited:  # the app's change (the file is offered the new tag apart), not an edit to save on leaving
                screen.mark_saved()
