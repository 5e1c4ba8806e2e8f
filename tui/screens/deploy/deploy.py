"""Deploy: a pod YAML (opened from a file, or made from the template form) shown and editable before it is applied
with server-side apply; the pod followed until it runs, or told why not; a fan-out of it (N pods, or one Indexed
Job) followed as one; the app's own pods listed live, the finished ones deleted with one key, a dead one started
again from the very manifest it was applied with."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.markup import escape
from textual.message import Message
from textual.widgets import Static, TextArea

from tui.messages import PodsDeployed
from tui.models.deploy.fanout import FanOutProgress
from tui.models.deploy.image_text import replace_image_in_text
from tui.models.deploy.pod_progress import PodProgress
from tui.models.deploy.pod_template import (
    EXPERIMENT_LABEL,
    Manifest,
    ManifestError,
    TemplateError,
    images_of,
    name_of,
    parse_manifests,
    pods_of,
    replace_image,
    template_from_form,
    to_yaml,
    with_labels,
)
from tui.models.pods.table import PodTable
from tui.models.project.project_file import PROJECT_FILE, Project, ProjectError, StageUpdate
from tui.screens.common.base import AppScreen
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.screens.deploy.experiment_pods import ExperimentPodActions
from tui.screens.deploy.fanout import FanOutFlow, FanOutProgressed
from tui.screens.deploy.forms import (
    TEMPLATE_DEFAULTS,
    default_yaml_path,
    open_fields,
    template_values,
)
from tui.screens.deploy.loop import LoopFlow, LoopProgress
from tui.screens.deploy.outcome import DeployOutcome
from tui.screens.deploy.pods import ExperimentPodsPanel
from tui.screens.deploy.project_forwards import forward_project
from tui.screens.deploy.save import SaveFlow
from tui.screens.deploy.starter import StarterFlow
from tui.screens.deploy.template_form import TemplateForm
from tui.screens.deploy.text import HELP, fanout_lines, progress_lines, stage_lines
from tui.screens.deploy.waits import Waits
from tui.services.deploy.apply import AppliedManifests, ApplyFailed, PodApplier
from tui.services.deploy.fanout_follow import FanOutFollower
from tui.services.deploy.pod_deletion import PodDeletion
from tui.services.deploy.pod_follow import PodFollower
from tui.services.deploy.yaml_file import EditedFile
from tui.services.docker.engine import DockerService
from tui.services.images.last_pushed import LastPushed
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.pods.experiment_pods import ExperimentPods
from tui.services.project.project_file import find_project, load_project
from tui.widgets.pod_table import PodTableView


@dataclass
class DeployProgress(Message):
    """Where the followed pod stands now; `token` tells a stale follow from the current one."""

    progress: PodProgress
    token: threading.Event

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DeployProgress) and message.token is self.token  # the same follow's older state


class DeployScreen(AppScreen):
    BINDINGS = [
        Binding("o", "open_yaml", "Open", id="deploy.open"),
        Binding("t", "template", "Template", id="deploy.template"),
        Binding("i", "use_last_pushed", "Pushed image", id="deploy.image"),
        Binding("e", "edit", "Edit", id="deploy.edit"),
        # Esc stops a wait when there is one (and the editor is not focused), else it leaves the editor.
        Binding("escape", "stop_waiting", "Stop waiting", id="deploy.stop-waiting"),
        Binding("escape", "leave_editor", "Leave editor", show=False, id="deploy.leave-editor"),
        Binding("K", "force_delete", "Force delete", id="deploy.force-delete"),
        Binding("ctrl+s", "apply", "Apply", id="deploy.apply"),
        # priority: the editor's own ctrl+w (delete a word) would take it first; ctrl+backspace still does that.
        Binding("ctrl+w", "save", "Save", id="deploy.save", priority=True),
        Binding("F", "fan_out", "Fan-out", id="deploy.fan-out"),
        Binding("enter", "follow_selected", "Follow", id="deploy.follow"),
        Binding("R", "restart", "Restart", id="deploy.restart"),
        Binding("X", "delete_finished", "Clean up", id="deploy.delete-finished"),
        Binding("P", "project", "Project", id="deploy.project"),
        Binding("g", "loop", "Loop", id="deploy.loop"),
        Binding("W", "write_image", "Write tag", id="deploy.write-image"),  # into the pod file, while offered
    ]
    DEFAULT_CSS = """
    DeployScreen #deploy-info { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    DeployScreen #deploy-main { height: 1fr; }
    DeployScreen #deploy-yaml { width: 1fr; border: round $primary; }
    DeployScreen #deploy-yaml:focus { border: round $accent; }
    DeployScreen #deploy-follow { width: 1fr; max-width: 70; height: 100%; padding: 0 1; border: round $panel; }
    DeployScreen #deploy-pods-panel { height: 11; }
    """

    def __init__(
        self,
        kube: KubeService,
        last_pushed: LastPushed | None = None,
        applied: AppliedManifests | None = None,
        cwd: Path | None = None,
        docker: DockerService | None = None,
    ) -> None:
        super().__init__("deploy")
        self.kube = kube
        self.title = "Deploy"
        self.last_pushed = last_pushed or LastPushed()
        self.applier = PodApplier(kube, applied)
        self.experiment_pods = ExperimentPods(kube)
        self.cwd = cwd or Path.cwd()
        self.docker = docker
        self.project: Project | None = None
        self.file: EditedFile | None = None  # the file the editor's text came from (ctrl+w writes it back)
        self.editor_holds_project = False  # the editor shows k8sx.yaml itself (a starter just written)
        self.saved_text = ""  # the editor's text as last opened, made or saved: what differs is unsaved
        # A wait in a worker (R's deletion, an earlier fan-out's): Esc sets `stop_wait`, K forces `deletion`. Set
        # and cleared by the worker itself; the messages it posts meanwhile redraw the hint and the footer.
        self.stop_wait: threading.Event | None = None
        self.deletion: PodDeletion | None = None
        self.waits = Waits(self)
        self.follow_started = 0.0  # when the pod followed now was first looked at
        self._last: str | None = None  # the last pushed reference, as last read
        self.template_values = dict(TEMPLATE_DEFAULTS)
        self.yaml_path = default_yaml_path(self.cwd)
        self.fan_outs = FanOutFlow(self)
        self.loops = LoopFlow(self)
        self.experiment_actions = ExperimentPodActions(self)
        self.saves = SaveFlow(self)
        self.starters = StarterFlow(self)
        self.source = "nothing yet: o opens a pod YAML, t makes one from the template"
        self.outcome = ""
        self.progress: PodProgress | None = None
        self.fanout: FanOutProgress | None = None
        self.last_fan_out: FanOutFollower | None = None  # the fan-out applied last (followed again after a clean-up)
        self.stages: dict[str, StageUpdate] = {}  # the loop's, by stage
        self._follow_token = threading.Event()

    def compose_body(self) -> ComposeResult:
        yield Static("", id="deploy-info")
        with Horizontal(id="deploy-main"):
            yield TextArea("", id="deploy-yaml", show_line_numbers=True, tab_behavior="indent")
            yield Static("", id="deploy-follow")
        yield ExperimentPodsPanel(self.kube, id="deploy-pods-panel")

    @property
    def editor(self) -> TextArea:
        return self.query_one("#deploy-yaml", TextArea)

    @property
    def pods_panel(self) -> ExperimentPodsPanel:
        return self.query_one(ExperimentPodsPanel)

    @property
    def pod_view(self) -> PodTableView:
        return self.pods_panel.view

    @property
    def table(self) -> PodTable:
        return self.pods_panel.table

    def on_mount(self) -> None:
        self.pod_view.focus()
        found = find_project(self.cwd)
        if found is not None:
            self.use_project(found)
        self.pods_panel.watch_namespace(self.target_namespace)
        self.update_info()
        self.render_follow()

    def on_screen_resume(self) -> None:
        self.pods_panel.watch_namespace(self.target_namespace)  # switched on the Pods screen meanwhile?
        self.update_info()

    def on_unmount(self) -> None:
        self._follow_token.set()
        if self.stop_wait is not None:
            self.stop_wait.set()
        self.loops.cancel()

    @property
    def target_namespace(self) -> str:
        """Where pods go: the project file's namespace, else the app's."""
        return self.project.namespace if self.project and self.project.namespace else self.kube.namespace

    # ---------------------------------------------------------------- what is shown

    def update_info(self, reread: bool = True) -> None:
        """The info line; `reread=False` (each keystroke in the editor) keeps the last pushed reference read last."""
        if reread or self._last is None:
            self._last = self.last_pushed.get() or ""
        last = self._last
        parts = [f"namespace {escape(self.target_namespace)}", f"YAML: {escape(self.source)}"]
        if self.project is not None:
            parts.insert(0, f"project {escape(self.project.path.name)}: {escape(self.project.repository)}")
        if last:
            parts.append(f"last pushed {escape(last.split('@', 1)[0])}")  # the digest is in the YAML i writes
            try:
                shown = [image for pod in pods_of(parse_manifests(self.editor.text)) for image in images_of(pod)]
            except ManifestError:
                shown = []
            if shown and last not in shown:  # first: in a narrow terminal the end of the line is cut
                parts.insert(0, "[$text-warning]i puts the last pushed image into the YAML[/]")
        self.query_one("#deploy-info", Static).update(" · ".join(parts))

    def render_follow(self) -> None:
        lines: list[str] = []
        if self.outcome:
            lines.append(self.outcome)
        if self.progress is not None:
            lines.extend(progress_lines(self.progress))
        if self.fanout is not None:
            lines.extend(fanout_lines(self.fanout))
        if self.stages:
            lines.extend(stage_lines(self.stages))
        if self.loops.offer is not None:
            lines.append(self.loops.offer.line())
        hint = self.waits.hint()
        if hint:
            lines.append(f"[$text-muted]{hint}[/]")
        self.query_one("#deploy-follow", Static).update("\n".join(lines or [HELP]))

    def say(self, text: str, ok: bool) -> None:
        colour = "$text-success" if ok else "$text-error"
        self.outcome = f"[{colour}]{escape(text)}[/]"
        self.render_follow()

    def set_yaml(self, text: str, source: str, file: EditedFile | None = None, holds_project: bool = False) -> None:
        """Replace the editor's text as one edit, so ctrl+z brings the previous text back; `file`: where it came
        from (ctrl+w writes it there), `holds_project`: it is the project file itself."""
        self.file, self.editor_holds_project = file, holds_project
        self.change_yaml(text)
        self.mark_saved()
        self.source = source
        self.update_info()

    def mark_saved(self) -> None:
        """The editor's text is in its file now (or was just made by the app): nothing in it is unsaved."""
        self.saved_text = self.editor.text

    def unsaved_changes(self) -> str | None:
        """Where the editor's unsaved edits belong (its file, or "the new manifest"), asked on leaving the app;
        None when there are none."""
        try:
            text = self.editor.text
        except NoMatches:  # not composed yet: nothing typed
            return None
        if text == self.saved_text:
            return None
        return str(self.file.path) if self.file is not None else "the new manifest"

    def change_yaml(self, text: str) -> None:
        """The same YAML changed (an image put in): it still belongs to its file."""
        editor = self.editor
        editor.replace(text, editor.document.start, editor.document.end)
        editor.move_cursor((0, 0))

    # ---------------------------------------------------------------- choosing the YAML

    def action_edit(self) -> None:
        self.editor.focus()

    def action_leave_editor(self) -> None:
        self.pod_view.focus()

    def action_save(self) -> None:
        self.saves.save()

    # ---------------------------------------------------------------- waits: stopped with Esc, a deletion forced

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_waiting":  # else Esc leaves the editor (the binding after it)
            return self.waits.any() and getattr(self.focused, "id", None) != "deploy-yaml"
        if action == "force_delete":
            return self.waits.deletion() is not None
        if action == "write_image":
            return self.loops.offer is not None
        return super().check_action(action, parameters)

    def action_stop_waiting(self) -> None:
        self.waits.stop()

    def action_force_delete(self) -> None:
        self.waits.force()

    def action_open_yaml(self) -> None:
        def chosen(values: FormValues | None) -> None:
            if values:
                self.yaml_path = str(values["path"])
                self.load_yaml(Path(self.yaml_path).expanduser())

        self.app.push_screen(FormScreen("Open a pod YAML", open_fields(self.yaml_path), "Open"), chosen)

    def load_yaml(self, path: Path) -> None:
        try:
            file, text = EditedFile.read(path)
        except (OSError, UnicodeDecodeError) as exc:
            self.say(f"cannot open {path}: {exc.strerror if isinstance(exc, OSError) else exc}", ok=False)
            return
        self.set_yaml(text, str(path), file)
        try:
            manifests = parse_manifests(text)
        except ManifestError as exc:
            self.show_manifest_error(exc)
            return
        pods = ", ".join(name_of(p) for p in pods_of(manifests)) or "no pod"
        self.say(f"opened {path}: {pods}; check it, then ctrl+s applies it", ok=True)

    def show_manifest_error(self, exc: ManifestError) -> None:
        self.say(str(exc), ok=False)
        if exc.line is not None:
            self.editor.move_cursor((exc.line - 1, max(0, (exc.column or 1) - 1)))
            self.editor.focus()

    def action_template(self) -> None:
        values = dict(self.template_values)
        if not values.get("image"):
            values["image"] = self.last_pushed.get() or ""

        def chosen(result: FormValues | None) -> None:
            if result is None:
                return
            self.template_values = template_values(result)
            try:
                template = template_from_form(self.template_values)
            except TemplateError as exc:
                self.notify(str(exc), title="Template", severity="error", timeout=10)
                self.action_template()  # the form again, with everything typed in it
                return
            self.set_yaml(to_yaml(template.manifests()), "the template")
            self.say("made from the template: check the YAML, then ctrl+s applies it", ok=True)

        self.app.push_screen(TemplateForm(self.kube, values), chosen)  # the cluster's GPU types to pick from

    def action_use_last_pushed(self) -> None:
        last = self.last_pushed.get()
        if not last:
            self.notify("nothing pushed yet (push an image on the Push screen)", title="Image", severity="warning")
            return
        if self.editor_holds_project:
            self.say(f"the editor holds {PROJECT_FILE}: g puts the pushed image into its pod itself", ok=False)
            return
        try:
            manifests = parse_manifests(self.editor.text)
        except ManifestError as exc:
            self.show_manifest_error(exc)
            return
        changed_manifests, replaced = replace_image(manifests, last)
        if not replaced:
            self.notify(f"the YAML already uses {last}", title="Image")
            return
        self.change_yaml(replace_image_in_text(self.editor.text, last) or to_yaml(changed_manifests))
        self.update_info()
        self.say(f"image {last} put in place of " + "; ".join(replaced), ok=True)

    # ---------------------------------------------------------------- apply and follow

    def manifests_to_apply(self) -> list[Manifest] | None:
        """The editor's manifests, labelled; None when they cannot be applied (said why)."""
        if self.editor_holds_project:
            self.say(f"the editor holds {PROJECT_FILE}: ctrl+w saves it, g runs the loop with its pod", ok=False)
            return None
        try:
            manifests = parse_manifests(self.editor.text)
        except ManifestError as exc:
            self.show_manifest_error(exc)
            return None
        return self.labelled(manifests)

    def labelled(self, manifests: list[Manifest]) -> list[Manifest] | None:
        if self.target_namespace == ALL_NAMESPACES:
            self.say("choose the namespace to deploy into (n on the Pods screen): not all namespaces", ok=False)
            return None
        if not pods_of(manifests):
            self.say("the YAML has no Pod to deploy", ok=False)
            return None
        return [
            with_labels(m, ((m.get("metadata") or {}).get("labels") or {}).get(EXPERIMENT_LABEL) or name_of(m))
            if m.get("kind") == "Pod"
            else m
            for m in manifests
        ]

    def action_apply(self) -> None:
        manifests = self.manifests_to_apply()
        if manifests is not None:
            self.say(f"applying into {self.target_namespace}…", ok=True)
            self.apply(self.target_namespace, manifests, text=self.editor.text)

    @work(thread=True, group="deploy-apply", exit_on_error=False)
    def apply(
        self,
        namespace: str,
        manifests: list[Manifest],
        fan_out: FanOutFollower | None = None,
        first: Callable[[], object] | None = None,
        text: str | None = None,
    ) -> None:
        """Then follow the first pod, or the fan-out (its N pods or its Job) when it is one; `first` runs before (an
        earlier fan-out deleted), and an ApplyFailed from it stops the apply; `text`: the editor's, applied."""
        try:
            if first is not None:
                first()
            applied = self.applier.apply(namespace, manifests)
        except ApplyFailed as exc:
            self.post_message(DeployOutcome(str(exc), ok=False))
            return
        self.post_message(PodsDeployed(namespace))
        if fan_out is not None:
            shown = applied if len(applied) <= 4 else [*applied[:3], f"… {len(applied) - 3} more"]
            self.post_message(DeployOutcome(", ".join(map(str, shown)), ok=True, fan_out=fan_out))
            return
        first_pod = next(a.name for a in applied if a.kind == "Pod")
        outcome = DeployOutcome(", ".join(map(str, applied)), ok=True, follow=(namespace, first_pod), applied_text=text)
        self.post_message(outcome)

    def on_deploy_outcome(self, message: DeployOutcome) -> None:
        self.refresh_bindings()  # a wait began or ended: Esc and K come and go
        self.say(message.text, message.ok)
        if self.file is None and message.applied_text == self.editor.text:
            self.mark_saved()  # a new manifest applied is kept: the app remembers it (R starts it again)
        if not message.ok:
            self.notify(message.text, title="Deploy", severity="error", timeout=10, markup=False)
        if message.follow is not None:
            self.follow(*message.follow)
        if message.fan_out is not None:
            self.last_fan_out = message.fan_out
            self.follow_fan_out(message.fan_out, self.new_follow())

    def new_follow(self) -> threading.Event:
        """Stop following what was followed (a pod or a fan-out); the token for the next."""
        self._follow_token.set()
        self._follow_token = threading.Event()
        self.progress = None
        self.fanout = None
        return self._follow_token

    def follow(self, namespace: str, name: str) -> None:
        self.follow_started = time.monotonic()
        self.follow_pod(namespace, name, self.new_follow())

    @work(thread=True, group="deploy-follow", exit_on_error=False)
    def follow_pod(self, namespace: str, name: str, token: threading.Event) -> None:
        """Each look while it is on its way (the panel counts the seconds), then each change until it has finished:
        a pod that ran is followed on to Completed or Failed, so the panel never shows a Running long gone."""
        for progress in PodFollower(self.kube, namespace, name).follow(token, every_look=True, until_finished=True):
            self.post_message(DeployProgress(progress, token))

    def on_deploy_progress(self, message: DeployProgress) -> None:
        if message.token is self._follow_token:
            was_waiting = self.waits.for_pod()
            self.progress = message.progress
            if self.waits.for_pod() != was_waiting:
                self.refresh_bindings()  # Esc comes and goes
            self.render_follow()

    def action_follow_selected(self) -> None:
        row = self.pod_view.cursor_row
        if row is None:
            self.notify("no pod selected", severity="warning")
            return
        self.outcome = ""
        self.follow(row.namespace, row.name)

    # ---------------------------------------------------------------- fan-out

    def action_fan_out(self) -> None:
        manifests = self.manifests_to_apply()
        if manifests is not None:
            self.fan_outs.start(manifests)

    @work(thread=True, group="deploy-follow", exit_on_error=False)
    def follow_fan_out(self, follower: FanOutFollower, token: threading.Event) -> None:
        for progress in follower.follow(token):
            self.post_message(FanOutProgressed(progress, token))

    def on_fan_out_progressed(self, message: FanOutProgressed) -> None:
        if message.token is self._follow_token:
            self.fanout = message.progress
            self.render_follow()

    # ---------------------------------------------------------------- restart and clean-up

    def action_restart(self) -> None:
        self.experiment_actions.restart_selected()

    def action_delete_finished(self) -> None:
        self.experiment_actions.delete_finished()

    @on(TextArea.Changed, "#deploy-yaml")
    def yaml_changed(self) -> None:
        self.update_info(reread=False)

    # ---------------------------------------------------------------- the project file and the one-key loop

    def action_project(self) -> None:
        default = str(self.project.path if self.project else self.cwd / PROJECT_FILE)
        fields = [Field("path", "Project file (image, registry, build, pod, namespace, paths)", default, required=True)]

        def chosen(values: FormValues | None) -> None:
            if not values:
                return
            path = Path(str(values["path"])).expanduser()
            if path.exists() or path.is_symlink():
                self.use_project(path)
            else:
                self.starters.offer(path, f"There is no {path}.")

        self.app.push_screen(FormScreen("Open a project file", fields, "Open"), chosen)

    def open_project_file(self, path: Path) -> None:
        """The project file itself in the editor (ctrl+w saves it and reads it again), read as the project."""
        try:
            file, text = EditedFile.read(path)
        except (OSError, UnicodeDecodeError) as exc:
            self.say(f"cannot open {path}: {exc.strerror if isinstance(exc, OSError) else exc}", ok=False)
            return
        self.set_yaml(text, str(path), file, holds_project=True)
        self.editor.focus()
        if self.reload_project(path):
            self.say(f"opened {path}: ctrl+w saves an edit, g runs the loop with it", ok=True)

    def reload_project(self, path: Path) -> bool:
        """Read the project file again, leaving the editor as it is; False: its problems said with their lines."""
        try:
            self.project = load_project(path)
        except ProjectError as exc:
            self.project = None
            self.say("\n".join(exc.problems), ok=False)
            return False
        self.applier.project_root = self.project.path.parent  # the code a run records
        self.pods_panel.watch_namespace(self.target_namespace)
        self.update_info()
        forward_project(self.app, self.kube, self.project)  # its `forwards:` added, and its pod there already?
        return True

    def use_project(self, path: Path) -> None:
        try:
            project = load_project(path)
        except ProjectError as exc:
            self.say("\n".join(exc.problems), ok=False)
            return
        self.project = project
        self.applier.project_root = project.path.parent  # the code a run records
        forward_project(self.app, self.kube, project)  # its pod there already: its `forwards:` need no new loop
        if project.pod_file:
            self.load_yaml(project.resolve(project.pod_file))
        elif project.template:
            self.template_values = {**TEMPLATE_DEFAULTS, **project.template}
            self.set_yaml(to_yaml(template_from_form(project.template).manifests()), f"the template of {path.name}")
        self.pods_panel.watch_namespace(self.target_namespace)
        self.update_info()
        where = f"namespace {self.target_namespace}"
        self.say(f"project {path}: image {project.repository}, {where}; g: build → push → deploy → shell", ok=True)

    def action_loop(self) -> None:
        path = self.cwd / PROJECT_FILE
        if self.project is None and not (path.exists() or path.is_symlink()):
            self.starters.offer(path, f"g needs a project file, and {self.cwd} has no {PROJECT_FILE}.")
            return
        self.loops.start()

    def on_loop_progress(self, message: LoopProgress) -> None:
        self.loops.progressed(message.event)

    def action_write_image(self) -> None:
        self.loops.take_offer()
