"""Push: name the destination (any registry, or Artifact Registry from its parts), get the next version suggested,
be warned before a tag in the registry is overwritten, push with per-layer progress, remember what was pushed.
Fields are checked before anything happens; a registry that wants a login gets one here, then the push goes on."""

from __future__ import annotations

import contextlib

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from tui.models.images.image import ImageRef, LayeredProgress, artifact_registry_ref, next_version
from tui.models.images.push_target import FieldProblem, push_target
from tui.screens.common.base import AppScreen
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.failures import Notice
from tui.screens.images.layer_progress import LayerProgressScreen
from tui.screens.images.registry_login import RegistryLoginScreen
from tui.services.docker.engine import DockerService
from tui.services.images.images import ImageService
from tui.services.images.last_pushed import LastPushed
from tui.services.images.progress import RegistryUnauthorized
from tui.services.images.registry_auth import registry_has_tag

LAST_PUSHED_CHECK_S = 1.0  # how soon a push made elsewhere shows while the screen is shown


def suggested_tag(source: str, destination: str, last_pushed: str | None) -> tuple[str, str]:
    """The version to push next and why: one up from the last push to the same repository (the tutorial's
    "forgot to bump the version" pitfall), else the source's own tag."""
    try:
        if last_pushed and destination:
            last = ImageRef.parse(last_pushed)
            bumped = next_version(last.tag) if last.tag else None
            if ImageRef.parse(destination).name == last.name and bumped:
                return bumped, f"one up from the last push, {last_pushed}"
        if source and not source.startswith("sha256:"):
            tag = ImageRef.parse(source).tag
            return (tag, "the local image's tag") if tag else ("", "")
    except ValueError:
        pass
    return "", ""


class PushScreen(AppScreen):
    BINDINGS = [
        Binding("ctrl+s", "push", "Push", id="push.push"),
        Binding("ctrl+g", "use_artifact_registry", "Use AR parts", id="push.artifact-registry"),
        Binding("enter", "fill_in", "Fill in", id="push.fill-in"),
    ]
    DEFAULT_CSS = """
    PushScreen VerticalScroll { padding: 1 2; }
    PushScreen .label { margin-top: 1; color: $text-muted; }
    PushScreen Horizontal { height: auto; }
    PushScreen Horizontal Input { width: 1fr; }
    PushScreen #push-hint { color: $text-muted; }
    PushScreen #push-note { margin-top: 1; }
    PushScreen #push-problem { margin-top: 1; color: $text-error; text-style: bold; display: none; }
    PushScreen #push-last { margin-top: 1; color: $text-success; }
    PushScreen Button { margin-top: 1; }
    """
    FIELD_INPUTS = {"source": "#push-source", "repository": "#push-destination", "tag": "#push-tag"}

    def __init__(self, docker: DockerService, last_pushed: LastPushed | None = None) -> None:
        super().__init__("push")
        self.docker = docker
        self.title = "Push"
        self.last_pushed = last_pushed or LastPushed()
        self.suggested = ""  # the tag the screen put in the field: a different value there is the user's own
        self.refused: Input | None = None  # the field the last problem is about
        self.shown_last: str | None = None  # the last push as the screen shows it

    def compose_body(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(
                "Enter (or Tab) goes into the fields, Esc leaves them: then the screen keys work again (? lists them).",
                id="push-hint",
                markup=False,
            )
            yield Label("Local image (tag or id; P on the Images screen fills it in)", classes="label")
            yield Input(id="push-source", placeholder="127.0.0.1:5000/team/train:0.1")
            yield Label("Push to repository (without the tag)", classes="label")
            yield Input(id="push-destination", placeholder="europe-west2-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE")
            yield Label("… or from Artifact Registry parts (ctrl+g fills the repository above)", classes="label")
            with Horizontal():
                yield Input(id="ar-region", placeholder="region: europe-west2")
                yield Input(id="ar-project", placeholder="project")
                yield Input(id="ar-repository", placeholder="repository")
                yield Input(id="ar-image", placeholder="image")
            yield Label("Tag", classes="label")
            yield Input(id="push-tag", placeholder="0.1")
            yield Static("", id="push-note", markup=False)
            yield Static("", id="push-problem", markup=False)
            yield Static("", id="push-last", markup=False)
            yield Button("Push (ctrl+s)", id="push-button", variant="primary")

    # Nothing focused at first, so the number keys still switch screens; Tab (or a click) enters the form.
    AUTO_FOCUS = None

    def on_mount(self) -> None:
        self.show_last_pushed()
        self.set_interval(LAST_PUSHED_CHECK_S, self.follow_last_pushed)

    def action_fill_in(self) -> None:
        """Into the first field still empty (the source first), so typing goes where the user means it to."""
        fields = [self.query_one(f"#{name}", Input) for name in ("push-source", "push-destination", "push-tag")]
        next((field for field in fields if not field.value.strip()), fields[0]).focus()

    def on_screen_resume(self) -> None:
        """Back on the screen: a push made meanwhile elsewhere (the Deploy loop, another k8sx-tui) is shown, and
        the suggested tag follows it (and while it is shown: follow_last_pushed)."""
        self.show_last_pushed()
        self.suggest_tag()

    def follow_last_pushed(self) -> None:
        """While shown: a push landing meanwhile (the Deploy loop goes on while you are here) shows at once."""
        if self.is_active and self.last_pushed.get() != self.shown_last:
            self.show_last_pushed()
            self.suggest_tag()

    def show_last_pushed(self) -> None:
        last = self.shown_last = self.last_pushed.get()
        self.query_one("#push-last", Static).update(f"last pushed: {last}" if last else "")

    def prepare(self, source: str) -> None:
        """Called for P on the Images screen: the source filled in, the destination and tag suggested."""
        self.query_one("#push-source", Input).value = source
        destination = self.query_one("#push-destination", Input)
        if not destination.value and not source.startswith("sha256:"):
            with contextlib.suppress(ValueError):
                destination.value = ImageRef.parse(source).name
        self.suggest_tag(replace=True)
        destination.focus()

    @on(Input.Changed, "#push-source")
    @on(Input.Changed, "#push-destination")
    def names_changed(self) -> None:
        """The suggestion follows the local image and the repository as they are typed."""
        self.suggest_tag()

    def suggest_tag(self, replace: bool = False) -> None:
        """Suggest the next tag; it goes into the Tag field unless the user typed a tag of their own there."""
        source = self.query_one("#push-source", Input).value.strip()
        destination = self.query_one("#push-destination", Input).value.strip()
        tag, why = suggested_tag(source, destination, self.last_pushed.get())
        field = self.query_one("#push-tag", Input)
        kept = bool(tag) and not replace and field.value.strip() not in ("", self.suggested, tag)
        if tag and not kept:
            self.suggested = tag
            field.value = tag
        elif not tag and self.suggested and field.value.strip() == self.suggested:  # nothing to suggest any more
            self.suggested = field.value = ""
        note = f"suggested tag {tag}: {why}" if tag else ""
        self.query_one("#push-note", Static).update(note + (" (the Tag field keeps the one you typed)" if kept else ""))

    @on(Input.Changed)
    def forget_problem(self, event: Input.Changed) -> None:
        """The refused field changed: its problem is gone (Input drops its own -invalid mark then)."""
        if event.input is self.refused:
            self.refused = None
            self.say_problem("")

    def say_problem(self, text: str, field: str | None = None) -> None:
        """What stops the push, on the screen (not only in a notification that fades); the field it is about
        marked in red (Input's own -invalid style) and focused."""
        problem = self.query_one("#push-problem", Static)
        problem.update(text)
        problem.display = bool(text)  # no blank lines while there is nothing to say
        if field is not None:
            self.refused = self.query_one(self.FIELD_INPUTS[field], Input)
            self.refused.add_class("-invalid")
            self.refused.focus()

    def action_use_artifact_registry(self) -> None:
        region, project, repository, image = (
            self.query_one(f"#ar-{name}", Input).value.strip() for name in ("region", "project", "repository", "image")
        )
        if not (region and project and repository and image):
            self.notify("fill region, project, repository and image", title="Artifact Registry", severity="warning")
            return
        try:
            ref = artifact_registry_ref(region, project, repository, image, "latest")
        except ValueError as exc:
            self.notify(str(exc), title="Artifact Registry", severity="error")
            return
        self.query_one("#push-destination", Input).value = ref.name

    @on(Button.Pressed, "#push-button")
    def action_push(self) -> None:
        source = self.query_one("#push-source", Input).value.strip()
        if not source:
            self.say_problem("name the local image to push (P on the Images screen fills it in)", "source")
            return
        destination = self.query_one("#push-destination", Input).value.strip()
        target = push_target(destination, self.query_one("#push-tag", Input).value.strip())
        if isinstance(target, FieldProblem):
            self.say_problem(target.text, target.field)
            return
        self.say_problem("")
        self.check_then_push(source, target)

    @work(thread=True, exclusive=True, group="push-check", exit_on_error=False)
    def check_then_push(self, source: str, ref: ImageRef) -> None:
        service = ImageService(self.docker.client())
        try:
            if not service.exists(source):
                self.app.call_from_thread(self.say_problem, f"there is no local image {source}", "source")
                return
            auth = service.registry_auth(ref.registry)
            exists = registry_has_tag(ref, auth)
        except Exception as exc:
            self.app.call_from_thread(self.say_problem, str(exc))
            self.post_message(Notice(str(exc), title="Push", severity="error", timeout=10, error=exc))
            return
        if exists:
            question = f"{ref} already exists in the registry.\nOverwrite it? (the tutorial's advice: bump the version)"
            self.app.call_from_thread(
                self.app.push_screen,
                ConfirmScreen(question, "Overwrite"),
                lambda yes: self.tag_and_push(service, source, ref) if yes else None,
            )
            return
        self.app.call_from_thread(self.tag_and_push, service, source, ref)

    def tag_and_push(self, service: ImageService, source: str, ref: ImageRef) -> None:
        """Push in a progress screen; the tag is made there too, and taken away again if the push fails."""
        progress = LayerProgressScreen(
            f"Push {source} → {ref}",
            lambda: service.push(ref, source=source),
            handled=lambda failure: isinstance(failure, RegistryUnauthorized),
        )

        def pushed(last: LayeredProgress | None) -> None:
            # On the screen, not back in the field the push started from: the digits switch screens again.
            self.set_focus(None)
            if isinstance(progress.failure, RegistryUnauthorized):
                self.log_in_then_push(source, ref, str(progress.failure))
                return
            if last is None:
                return
            final = last.finished_ref or ref
            self.last_pushed.set(str(final))
            self.show_last_pushed()
            self.notify(f"pushed {final}", title="Push")

        self.app.push_screen(progress, pushed)

    def log_in_then_push(self, source: str, ref: ImageRef, why: str) -> None:
        def answered(logged_in: bool | None) -> None:
            if logged_in:
                self.check_then_push(source, ref)
            else:
                self.say_problem(f"not pushed: {why}")

        self.app.push_screen(RegistryLoginScreen(self.docker, ref.registry, why), answered)
