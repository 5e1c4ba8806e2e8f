"""Deploy: a pod YAML (opened from a file, or made from the template form) shown and editable before it is applied
with server-side apply; the pod followed until it runs, or told why not; the app's own pods listed live, the
finished ones deleted with one key, a dead one started again from the very manifest it was applied with."""

from __future__ import annotations

import threading
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.widgets import Static, TextArea

from tui.messages import PodsDeployed
from tui.models.deploy import PodProgress, Verdict
from tui.models.pod_table import PodTable
from tui.models.pod_template import (
    EXPERIMENT_LABEL,
    FANOUT_LABEL,
    MANAGED_SELECTOR,
    Manifest,
    ManifestError,
    TemplateError,
    fan_out,
    images_of,
    name_of,
    parse_manifests,
    pods_of,
    replace_image,
    template_from_form,
    to_yaml,
    with_labels,
)
from tui.screens.base import AppScreen
from tui.screens.deploy_form import (
    TEMPLATE_DEFAULTS,
    default_yaml_path,
    fan_out_fields,
    open_fields,
    template_fields,
    text_values,
)
from tui.screens.dialogs import ConfirmScreen
from tui.screens.forms import FormScreen, FormValues
from tui.services.experiment_pods import ExperimentPod, ExperimentPods
from tui.services.kube import ALL_NAMESPACES, KubeService
from tui.services.last_pushed import LastPushed
from tui.services.pod_apply import AppliedManifests, ApplyFailed, PodApplier
from tui.services.pod_follow import PodFollower
from tui.services.pod_watch import PodChangeBuffer, PodWatcher
from tui.widgets.pod_table import PodTableView

_VERDICT_COLOUR = {
    Verdict.RUNNING: "$text-success",
    Verdict.SUCCEEDED: "$text-success",
    Verdict.WAITING: "$text-warning",
    Verdict.STUCK: "$text-error",
    Verdict.FAILED: "$text-error",
    Verdict.GONE: "$text-muted",
}


class ExperimentPodsPending(Message):
    """The watch of the app's own pods left changes in `buffer` (one message per batch)."""

    def __init__(self, buffer: PodChangeBuffer) -> None:
        super().__init__()
        self.buffer = buffer


class DeployProgress(Message):
    """Where the followed pod stands now; `token` tells a stale follow from the current one."""

    def __init__(self, progress: PodProgress, token: threading.Event) -> None:
        super().__init__()
        self.progress = progress
        self.token = token


class DeployOutcome(Message):
    """An apply, restart or delete finished: what happened (or the refusal, verbatim)."""

    def __init__(self, text: str, ok: bool, follow: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.text = text
        self.ok = ok
        self.follow = follow  # (namespace, pod) to follow next


class DeployScreen(AppScreen):
    BINDINGS = [
        Binding("o", "open_yaml", "Open YAML", id="deploy.open"),
        Binding("t", "template", "Template", id="deploy.template"),
        Binding("i", "use_last_pushed", "Last pushed image", id="deploy.image"),
        Binding("e", "edit", "Edit", id="deploy.edit"),
        Binding("escape", "leave_editor", "Leave editor", show=False, id="deploy.leave-editor"),
        Binding("ctrl+s", "apply", "Apply", id="deploy.apply"),
        Binding("F", "fan_out", "Fan-out…", id="deploy.fan-out"),
        Binding("enter", "follow_selected", "Follow", id="deploy.follow"),
        Binding("R", "restart", "Restart…", id="deploy.restart"),
        Binding("X", "delete_finished", "Delete finished…", id="deploy.delete-finished"),
    ]
    DEFAULT_CSS = """
    DeployScreen #deploy-info { height: 1; padding: 0 1; color: $text-muted; }
    DeployScreen #deploy-main { height: 1fr; }
    DeployScreen #deploy-yaml { width: 1fr; border: round $primary; }
    DeployScreen #deploy-yaml:focus { border: round $accent; }
    DeployScreen #deploy-follow { width: 2fr; max-width: 80; height: 100%; padding: 0 1; border: round $panel; }
    DeployScreen #deploy-pods-info { height: 1; padding: 0 1; color: $text-muted; }
    DeployScreen #deploy-pods { height: 10; }
    """

    def __init__(
        self,
        kube: KubeService,
        last_pushed: LastPushed | None = None,
        applied: AppliedManifests | None = None,
        cwd: Path | None = None,
    ) -> None:
        super().__init__("deploy")
        self.kube = kube
        self.title = "Deploy"
        self.last_pushed = last_pushed or LastPushed()
        self.applier = PodApplier(kube, applied)
        self.experiment_pods = ExperimentPods(kube)
        self.cwd = cwd or Path.cwd()
        self.table = PodTable()
        self.table.sort_by("AGE")
        self.template_values = dict(TEMPLATE_DEFAULTS)
        self.yaml_path = default_yaml_path(self.cwd)
        self.fan_out_values = {"name": "", "count": "5"}
        self.source = "nothing yet: o opens a pod YAML, t makes one from the template"
        self.outcome = ""
        self.progress: PodProgress | None = None
        self._follow_token = threading.Event()
        self._watcher: PodWatcher | None = None
        self._buffer = PodChangeBuffer()
        self._watched_namespace = ""
        self._trouble = ""

    def compose_body(self) -> ComposeResult:
        yield Static("", id="deploy-info")
        with Horizontal(id="deploy-main"):
            yield TextArea("", id="deploy-yaml", show_line_numbers=True, tab_behavior="indent")
            yield Static("", id="deploy-follow")
        yield Static("pods started from k8sx-tui: listing…", id="deploy-pods-info")
        yield PodTableView(self.table, id="deploy-pods")

    @property
    def editor(self) -> TextArea:
        return self.query_one("#deploy-yaml", TextArea)

    @property
    def pod_view(self) -> PodTableView:
        return self.query_one("#deploy-pods", PodTableView)

    def on_mount(self) -> None:
        self.pod_view.focus()
        self.start_watch()
        self.update_info()
        self.render_follow()

    def on_screen_resume(self) -> None:
        if self.kube.namespace != self._watched_namespace:  # switched on the Pods screen meanwhile
            self.start_watch()
        self.update_info()

    def on_unmount(self) -> None:
        self._follow_token.set()
        if self._watcher is not None:
            self._watcher.stop()

    # ---------------------------------------------------------------- the app's own pods, live

    def start_watch(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        self._watched_namespace = self.kube.namespace
        self._watcher = PodWatcher(self.kube, self.kube.namespace, MANAGED_SELECTOR)
        self._buffer = PodChangeBuffer()
        self._trouble = ""
        self.table.replace_all([])
        self.pod_view.show_namespace = self.kube.namespace == ALL_NAMESPACES
        self.pod_view.rows_changed()
        self.watch_pods(self._watcher, self._buffer)

    @work(thread=True, group="deploy-watch", exit_on_error=False)
    def watch_pods(self, watcher: PodWatcher, buffer: PodChangeBuffer) -> None:
        for event in watcher.events():
            if buffer.add(event):
                self.post_message(ExperimentPodsPending(buffer))

    def on_experiment_pods_pending(self, message: ExperimentPodsPending) -> None:
        if message.buffer is not self._buffer:
            return
        listed, changes, trouble = message.buffer.take()
        if listed is not None:
            self.table.replace_all(listed)
            self._trouble = ""
        if changes:
            self.table.apply(changes)
            self._trouble = ""
        if trouble is not None:
            self._trouble = trouble.reason
        self.pod_view.rows_changed()
        self.update_pods_info()

    def update_pods_info(self) -> None:
        rows = list(self.table.rows.values())
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        where = "all namespaces" if self._watched_namespace == ALL_NAMESPACES else self._watched_namespace
        text = f"pods started from k8sx-tui in {escape(where)}: {len(rows)}"
        if counts:
            text += " (" + ", ".join(f"{n} {escape(status)}" for status, n in sorted(counts.items())) + ")"
        fanouts = sorted({row.labels[FANOUT_LABEL] for row in rows if FANOUT_LABEL in row.labels})
        if fanouts:
            text += (
                " · fan-outs: " + ", ".join(escape(f) for f in fanouts) + " (filter on Pods: -l k8sx.dev/fanout=NAME)"
            )
        if self._trouble:
            text += f" · [$text-error]{escape(self._trouble)}[/]"
        self.query_one("#deploy-pods-info", Static).update(text)

    # ---------------------------------------------------------------- what is shown

    def update_info(self) -> None:
        last = self.last_pushed.get()
        parts = [f"namespace {escape(self.kube.namespace)}", f"YAML: {escape(self.source)}"]
        if last:
            parts.append(f"last pushed {escape(last)}")
            try:
                shown = [image for pod in pods_of(parse_manifests(self.editor.text)) for image in images_of(pod)]
            except ManifestError:
                shown = []
            if shown and last not in shown:
                parts.append("[$text-warning]i puts it into the YAML[/]")
        self.query_one("#deploy-info", Static).update(" · ".join(parts))

    def render_follow(self) -> None:
        lines: list[str] = []
        if self.outcome:
            lines.append(self.outcome)
        progress = self.progress
        if progress is not None:
            colour = _VERDICT_COLOUR[progress.verdict]
            lines.append(f"[{colour}]{escape(progress.summary())}[/]")
            for claim in progress.claims:
                claim_colour = "$text-success" if claim.phase == "Bound" else "$text-warning"
                lines.append(f"[{claim_colour}]{escape(str(claim))}[/]")
            if progress.events:
                lines.append("[b]warnings[/b]")
                lines.extend(f"  {escape(event)}" for event in progress.events)
        if not lines:
            lines.append(
                "o: open a pod YAML · t: make one from the template · e: edit it here · "
                "ctrl+s: apply it (server-side) and follow the pod"
            )
        self.query_one("#deploy-follow", Static).update("\n".join(lines))

    def say(self, text: str, ok: bool) -> None:
        colour = "$text-success" if ok else "$text-error"
        self.outcome = f"[{colour}]{escape(text)}[/]"
        self.render_follow()

    def set_yaml(self, text: str, source: str) -> None:
        """Replace the editor's text as one edit, so ctrl+z brings the previous text back."""
        editor = self.editor
        editor.replace(text, editor.document.start, editor.document.end)
        editor.move_cursor((0, 0))
        self.source = source
        self.update_info()

    # ---------------------------------------------------------------- choosing the YAML

    def action_edit(self) -> None:
        self.editor.focus()

    def action_leave_editor(self) -> None:
        self.pod_view.focus()

    def action_open_yaml(self) -> None:
        def chosen(values: FormValues | None) -> None:
            if values:
                self.yaml_path = str(values["path"])
                self.load_yaml(Path(self.yaml_path).expanduser())

        self.app.push_screen(FormScreen("Open a pod YAML", open_fields(self.yaml_path), "Open"), chosen)

    def load_yaml(self, path: Path) -> None:
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            self.say(f"cannot open {path}: {exc.strerror if isinstance(exc, OSError) else exc}", ok=False)
            return
        self.set_yaml(text, str(path))
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
            self.template_values = text_values(result)
            try:
                template = template_from_form(self.template_values)
            except TemplateError as exc:
                self.notify(str(exc), title="Template", severity="error", timeout=10)
                self.action_template()  # the form again, with everything typed in it
                return
            self.set_yaml(to_yaml(template.manifests()), "the template")
            self.say("made from the template: check the YAML, then ctrl+s applies it", ok=True)

        self.app.push_screen(FormScreen("Pod from the template", template_fields(values), "Make YAML"), chosen)

    def action_use_last_pushed(self) -> None:
        last = self.last_pushed.get()
        if not last:
            self.notify("nothing pushed yet (push an image on the Push screen)", title="Image", severity="warning")
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
        self.set_yaml(to_yaml(changed_manifests), self.source)
        self.say(f"image {last} put in place of " + "; ".join(replaced), ok=True)

    # ---------------------------------------------------------------- apply and follow

    def _manifests_to_apply(self) -> list[Manifest] | None:
        if self.kube.namespace == ALL_NAMESPACES:
            self.say("choose the namespace to deploy into (n on the Pods screen): not all namespaces", ok=False)
            return None
        try:
            manifests = parse_manifests(self.editor.text)
        except ManifestError as exc:
            self.show_manifest_error(exc)
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
        manifests = self._manifests_to_apply()
        if manifests is not None:
            self.say(f"applying into {self.kube.namespace}…", ok=True)
            self.apply(self.kube.namespace, manifests)

    @work(thread=True, group="deploy-apply", exit_on_error=False)
    def apply(self, namespace: str, manifests: list[Manifest]) -> None:
        try:
            applied = self.applier.apply(namespace, manifests)
        except ApplyFailed as exc:
            self.post_message(DeployOutcome(str(exc), ok=False))
            return
        self.post_message(PodsDeployed(namespace))
        first_pod = next(a.name for a in applied if a.kind == "Pod")
        self.post_message(DeployOutcome(", ".join(map(str, applied)), ok=True, follow=(namespace, first_pod)))

    def on_deploy_outcome(self, message: DeployOutcome) -> None:
        self.say(message.text, message.ok)
        if not message.ok:
            self.notify(message.text, title="Deploy", severity="error", timeout=10)
        if message.follow is not None:
            self.follow(*message.follow)

    def follow(self, namespace: str, name: str) -> None:
        self._follow_token.set()
        self._follow_token = threading.Event()
        self.progress = None
        self.follow_pod(namespace, name, self._follow_token)

    @work(thread=True, group="deploy-follow", exit_on_error=False)
    def follow_pod(self, namespace: str, name: str, token: threading.Event) -> None:
        for progress in PodFollower(self.kube, namespace, name).follow(token):
            self.post_message(DeployProgress(progress, token))

    def on_deploy_progress(self, message: DeployProgress) -> None:
        if message.token is self._follow_token:
            self.progress = message.progress
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
        manifests = self._manifests_to_apply()
        if manifests is None:
            return
        pods = pods_of(manifests)
        if len(pods) != 1:
            self.say(f"a fan-out starts from one pod; the YAML has {len(pods)}", ok=False)
            return
        values = dict(self.fan_out_values, name=self.fan_out_values["name"] or name_of(pods[0]))

        def chosen(result: FormValues | None) -> None:
            if result is None:
                return
            self.fan_out_values = text_values(result)
            name = self.fan_out_values["name"]
            try:
                count = int(self.fan_out_values["count"])
                copies = fan_out(with_labels(pods[0], name), count, name)
            except (ValueError, TemplateError) as exc:
                self.notify(f"fan-out: {exc}", title="Fan-out", severity="error", timeout=10)
                self.action_fan_out()
                return
            claims = [m for m in manifests if m.get("kind") != "Pod"]
            self.say(f"applying {count} pods {name}-0 … {name}-{count - 1} into {self.kube.namespace}…", ok=True)
            self.apply(self.kube.namespace, [*claims, *copies])

        note = "{index} in the command, args and env values becomes 0, 1, 2 … in each pod"
        self.app.push_screen(
            FormScreen("Fan-out", fan_out_fields(values["name"], values["count"]), "Start", note), chosen
        )

    # ---------------------------------------------------------------- restart and clean-up

    def action_restart(self) -> None:
        row = self.pod_view.cursor_row
        if row is None:
            self.notify("no pod selected", severity="warning")
            return
        alive = row.status in ("Running", "Pending", "ContainerCreating")
        question = (
            f"Restart pod {row.key} from the manifest it was applied with?\n"
            + ("It is still running: it is deleted first." if alive else "The dead pod (and its log) is deleted first.")
            + "\nIts claims, and the results on them, stay."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.restart(row.namespace, row.name)

        self.app.push_screen(ConfirmScreen(question, "Restart"), confirmed)

    @work(thread=True, group="deploy-apply", exit_on_error=False)
    def restart(self, namespace: str, name: str) -> None:
        self.post_message(DeployOutcome(f"restarting {name}: deleting the old pod…", ok=True))
        try:
            applied = self.applier.restart(namespace, name)
        except ApplyFailed as exc:
            self.post_message(DeployOutcome(str(exc), ok=False))
            return
        self.post_message(PodsDeployed(namespace))
        self.post_message(DeployOutcome(f"restarted: {applied}", ok=True, follow=(namespace, name)))

    @work(thread=True, group="deploy-clean", exclusive=True, exit_on_error=False)
    def action_delete_finished(self) -> None:
        namespace = self.kube.namespace
        try:
            finished = self.experiment_pods.finished(namespace)
        except Exception as exc:
            self.post_message(DeployOutcome(f"cannot list the finished pods: {self.kube.explain(exc)}", ok=False))
            return
        if not finished:
            self.app.call_from_thread(self.notify, f"no finished pods of k8sx-tui in {namespace}", title="Clean up")
            return
        names = "\n".join(f"  {pod.name} ({pod.phase})" for pod in finished[:10])
        more = f"\n  … and {len(finished) - 10} more" if len(finished) > 10 else ""
        question = (
            f"Delete {len(finished)} finished pod{'s' if len(finished) != 1 else ''} in {namespace}?\n{names}{more}"
        )
        self.app.call_from_thread(
            self.app.push_screen,
            ConfirmScreen(question),
            lambda yes: self.delete_pods(finished) if yes else None,
        )

    @work(thread=True, group="deploy-clean", exit_on_error=False)
    def delete_pods(self, pods: list[ExperimentPod]) -> None:
        failed = self.experiment_pods.delete(pods)
        if failed:
            self.post_message(DeployOutcome("cannot delete: " + "; ".join(failed), ok=False))
        else:
            self.post_message(DeployOutcome(f"deleting {len(pods)} finished pod{'s' if len(pods) != 1 else ''}", True))

    @on(TextArea.Changed, "#deploy-yaml")
    def yaml_changed(self) -> None:
        self.update_info()
