"""Local images: list, filter, inspect, delete (confirmed), pull and build with progress; P sends one to Push."""

from __future__ import annotations

import logging
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from tui.messages import OpenContainerShell, OpenPush
from tui.models.images.image import (
    BuildContainer,
    BuildEvent,
    BuildFinished,
    CopyProgress,
    ImageRef,
    LayeredProgress,
    LocalImage,
)
from tui.models.pods.row import short_age
from tui.models.units import human_bytes
from tui.screens.common.base import AppScreen
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.failures import Notice
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.screens.common.keyed_rows import cursor_key, refill
from tui.screens.common.text_view import TextViewScreen
from tui.screens.images.build import BuildScreen
from tui.screens.images.code_copy import CodeCopyScreen
from tui.screens.images.layer_progress import LayerProgressScreen
from tui.services.docker.engine import DockerService
from tui.services.docker.engine_stream import EventStream
from tui.services.heavy_imports import heavy_imports
from tui.services.images.build_context import dockerfile_base
from tui.services.images.images import ImageService
from tui.services.project.last_build import LastBuild
from tui.services.terminal.shell_choices import ShellChoices

log = logging.getLogger(__name__)

COLUMNS = ("REPOSITORY:TAG", "IMAGE ID", "SIZE", "CREATED")


@dataclass
class ImagesListed(Message):
    images: list[LocalImage] | None
    problem: str = ""
    running_builds: set[str] | None = None  # ids of the running interactive-build containers, when known


def image_rows(images: list[LocalImage]) -> list[tuple[str, LocalImage]]:
    """One row per tag, like `docker images`; an untagged image is one `<none>` row."""
    rows: list[tuple[str, LocalImage]] = []
    for image in images:
        for name in image.tags or ("<none>",):
            rows.append((name, image))
    return rows


def image_cells(name: str, image: LocalImage, now: datetime) -> tuple[str, ...]:
    return (name, image.short_id, human_bytes(image.size_bytes), short_age(image.created, now) + " ago")


class ImagesScreen(AppScreen):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="images.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="images.clear-filter"),
        Binding("b", "build", "Build…", id="images.build"),
        Binding("I", "interactive_build", "Interactive…", id="images.interactive"),
        Binding("C", "commit", "Commit…", id="images.commit"),
        Binding("ctrl+l", "pull", "Pull…", id="images.pull"),
        Binding("P", "push", "Push…", id="images.push"),
        Binding("i,enter", "inspect", "Inspect", id="images.inspect"),
        Binding("ctrl+r", "refresh", "Refresh", id="images.refresh"),
        Binding("ctrl+d", "delete", "Delete…", id="images.delete"),
    ]
    DEFAULT_CSS = """
    ImagesScreen #images-info { height: 1; padding: 0 1; color: $text-muted; }
    ImagesScreen DataTable { height: 1fr; }
    ImagesScreen #images-filter { dock: bottom; display: none; }
    ImagesScreen #images-filter.-active { display: block; }
    """

    def __init__(self, docker: DockerService) -> None:
        super().__init__("images")
        self.docker = docker
        self.title = "Images"
        self.images: list[LocalImage] = []
        self.filter_text = ""
        self.problem = ""
        self.last_build_dir = str(Path.cwd())
        self.build_containers: list[BuildContainer] = []  # started here for an interactive build, not committed yet
        self.placed_row: str | None = None  # the row redraw put the cursor on
        self.chosen_row: str | None = None  # the row the user moved the cursor to (then it is the image they mean)
        self.made: tuple[str, str] | None = None  # (tag, id) just built or committed: the cursor goes there

    def service(self) -> ImageService:
        return ImageService(self.docker.client())

    def compose_body(self) -> ComposeResult:
        yield Static("listing images…", id="images-info")
        table: DataTable[str] = DataTable(id="images", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Input(placeholder="filter by name or id · Esc clears", id="images-filter")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:  # images built, committed or pushed meanwhile, and ages that moved on
        if self.is_mounted:
            self.action_refresh()

    # ---------------------------------------------------------------- the list

    @work(thread=True, exclusive=True, group="images-list", exit_on_error=False)
    def action_refresh(self) -> None:
        with heavy_imports():
            from tui.services.docker.build_containers import running_builds  # the docker SDK: not on the start path

        try:
            client = self.docker.client()
            images = ImageService(client).list_images()
        except Exception as exc:
            self.post_message(ImagesListed(None, self.docker.explain(exc) if not str(exc) else str(exc)))
            return
        try:
            running: set[str] | None = {build.container_id for build in running_builds(client)}
        except Exception:  # the list stands without it: build containers are kept as they were
            log.warning("could not list the running build containers", exc_info=True)
            running = None
        self.post_message(ImagesListed(images, running_builds=running))

    def on_images_listed(self, message: ImagesListed) -> None:
        self.problem = message.problem
        if message.images is not None:
            self.images = message.images
        if message.running_builds is not None:  # committed or removed elsewhere (its Terminal tab, the CLI)
            self.build_containers = [c for c in self.build_containers if c.container_id in message.running_builds]
        self.redraw()
        if self.made and any(image.image_id == self.made[1] for image in self.images):
            self.made = None  # listed (shown, or filtered out): the cursor is not moved to it again later

    def redraw(self) -> None:
        now = datetime.now(UTC)
        needle = self.filter_text.lower()
        rows = [
            (f"{name}@{image.image_id}", image_cells(name, image, now))  # by id too: <none> rows share a name
            for name, image in image_rows(self.images)
            if not needle or needle in name.lower() or needle in image.short_id
        ]
        table = self.query_one(DataTable)
        refill(table, rows)
        if self.made is not None:
            self.put_cursor_on(table, *self.made)
        shown = len(rows)
        self.placed_row = self.selected_name()
        info = f"{shown} image{'s' if shown != 1 else ''}"
        if self.filter_text:
            info += f" · filter {escape(self.filter_text)}"
        info += f" · engine {escape(self.docker.host)}"
        if self.build_containers:
            names = ", ".join(container.name for container in self.build_containers)
            info += f" · [$text-warning]building in {escape(names)} (C commits)[/]"
        if self.problem:
            info += f" · [$text-error]{escape(self.problem)}[/]"
        self.query_one("#images-info", Static).update(info)

    def put_cursor_on(self, table: DataTable[str], tag: str, image_id: str) -> None:
        """On the image just made, so P pushes it: its row for that tag, else any of its rows."""
        keys = [str(row.key.value) for row in table.ordered_rows]
        ours = [key for key in keys if key.endswith(f"@{image_id}")]
        key = f"{tag}@{image_id}" if f"{tag}@{image_id}" in ours else next(iter(ours), None)
        if key is not None:
            table.move_cursor(row=table.get_row_index(key), animate=False)

    @on(DataTable.RowHighlighted, "#images")
    def row_highlighted(self) -> None:
        """A row the cursor lands on other than where redraw put it was chosen by the user; once chosen, the row
        under the cursor stays chosen (a redraw keeps it there)."""
        name = self.selected_name()
        if self.chosen_row is not None or name != self.placed_row:
            self.chosen_row = name

    def selected(self) -> tuple[str, LocalImage] | None:
        name, _, image_id = (cursor_key(self.query_one(DataTable)) or "").partition("@")
        image = next((i for i in self.images if i.image_id == image_id), None)
        return (name, image) if image else None

    def selected_name(self) -> str | None:
        chosen = self.selected()
        return chosen[0] if chosen else None

    def _reference(self) -> str | None:
        """How to name the selected image to the engine: its tag, or its id when untagged."""
        chosen = self.selected()
        if chosen is None:
            self.notify("no image selected", severity="warning")
            return None
        name, image = chosen
        return image.image_id if name == "<none>" else name

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        box = self.query_one("#images-filter", Input)
        box.add_class("-active")
        box.value = self.filter_text
        self.set_focus(box)  # at once: focus() would wait behind the keys typed after `/`

    @on(Input.Changed, "#images-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.redraw()

    @on(Input.Submitted, "#images-filter")
    def filter_done(self) -> None:
        self.query_one("#images-filter", Input).remove_class("-active")
        self.query_one(DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#images-filter", Input)
        box.value = ""
        box.remove_class("-active")
        self.filter_text = ""
        self.redraw()
        self.query_one(DataTable).focus()

    # ---------------------------------------------------------------- inspect and delete

    def action_inspect(self) -> None:
        if (reference := self._reference()) is not None:
            self.inspect(reference)

    @work(thread=True, group="images-inspect", exit_on_error=False)
    def inspect(self, reference: str) -> None:
        try:
            details = self.service().inspect(reference)
        except Exception as exc:
            self.post_message(Notice(str(exc), title="Inspect", severity="error", error=exc))
            return
        image = details.image
        lines = [
            f"Id:          {image.image_id}",
            f"Tags:        {', '.join(image.tags) or '<none>'}",
            f"Digests:     {', '.join(image.digests) or '<none>'}",
            f"Size:        {human_bytes(image.size_bytes)}",
            f"Created:     {image.created.isoformat()}",
            f"Platform:    {details.platform}",
            f"Layers:      {details.layer_count}",
            f"Entrypoint:  {' '.join(details.entrypoint) or '<none>'}",
            f"Cmd:         {' '.join(details.cmd) or '<none>'}",
            f"WorkingDir:  {details.workdir or '/'}",
            "Env:",
            *(f"  {variable}" for variable in details.env),
            "Labels:",
            *(f"  {key}={value}" for key, value in sorted(details.labels.items())),
        ]
        screen = TextViewScreen(f"Image {reference}   (Esc/q: back)", "\n".join(lines) + "\n")
        self.app.call_from_thread(self.app.push_screen, screen)

    def action_delete(self) -> None:
        if (reference := self._reference()) is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(reference)

        self.app.push_screen(ConfirmScreen(f"Delete image {reference}?"), confirmed)

    @work(thread=True, group="images-delete", exit_on_error=False)
    def delete(self, reference: str) -> None:
        try:
            self.service().remove(reference)
        except Exception as exc:
            self.post_message(Notice(str(exc), title="Delete", severity="error", timeout=10, error=exc))
            return
        self.post_message(Notice(f"deleted {reference}", title="Delete"))
        self.action_refresh()

    # ---------------------------------------------------------------- pull, build, push

    def action_pull(self) -> None:
        fields = [Field("reference", "Image to pull", placeholder="127.0.0.1:5000/team/train:0.3", required=True)]

        def chosen(values: FormValues | None) -> None:
            if values:
                self.start_pull(str(values["reference"]))

        self.app.push_screen(FormScreen("Pull an image", fields, "Pull"), chosen)

    def start_pull(self, text: str) -> None:
        try:
            ref = ImageRef.parse(text)
        except ValueError as exc:
            self.notify(str(exc), title="Pull", severity="error")
            return
        service = self.service()
        self.app.push_screen(LayerProgressScreen(f"Pull {ref}", lambda: service.pull(ref)), self._after_pull)

    def _after_pull(self, _: LayeredProgress | None) -> None:
        self.action_refresh()

    def action_build(self) -> None:
        fields = [
            Field("context", "Context directory", self.last_build_dir, required=True),
            Field("dockerfile", "Dockerfile (relative to the context)", "Dockerfile"),
            Field("tag", "Tag", placeholder="127.0.0.1:5000/team/train:0.1"),
            Field("buildargs", "Build args", placeholder="KEY=value KEY2=value"),
            Field("target", "Target stage"),
            Field("platform", "Platform", placeholder="linux/amd64"),
            Field("nocache", "No cache", switch=True),
        ]
        note = "Enter goes to the next field, ctrl+s builds."
        form = FormScreen("Build from a Dockerfile", fields, "Build", note, enter_moves_on=True)
        self.app.push_screen(form, self.start_build)

    def start_build(self, values: FormValues | None) -> None:
        if not values:
            return
        context = str(values["context"])
        self.last_build_dir = context
        tag_text = str(values["tag"])
        try:
            tag = ImageRef.parse(tag_text) if tag_text else None
            buildargs = dict(arg.split("=", 1) for arg in str(values["buildargs"]).split() if arg)
        except ValueError as exc:
            self.notify(f"{exc} (build args are KEY=value separated by spaces)", title="Build", severity="error")
            return
        try:  # for a starter k8sx.yaml; the build goes on without it
            LastBuild().set(Path(context).resolve(), str(values["dockerfile"]) or "Dockerfile")
        except OSError:
            log.warning("could not record the last build's place", exc_info=True)
        service = self.service()

        def start() -> EventStream[BuildEvent]:
            return service.build(
                context,
                str(values["dockerfile"]) or "Dockerfile",
                tag,
                buildargs,
                str(values["target"]) or None,
                bool(values["nocache"]),
                str(values["platform"]) or None,
            )

        title = f"Build {tag or '(untagged)'} from {context}"
        self.app.push_screen(BuildScreen(title, start), self._after_build)

    def _after_build(self, result: BuildFinished | None) -> None:
        if result is not None:
            self.made = (str(result.ref) if result.ref else "<none>", result.image_id)
        self.action_refresh()

    def action_push(self) -> None:
        if (reference := self._reference()) is not None:
            self.post_message(OpenPush(reference))

    # ---------------------------------------------------------------- interactive build (the tutorial's second way)

    def action_interactive_build(self) -> None:
        base, origin = self.default_base()
        fields = [
            Field(
                "base",
                f"Base image ({origin})" if origin else "Base image",
                base,
                placeholder="python:3.11 (a local image: ctrl+l on this screen pulls one)",
                required=True,
            ),
            Field("code", "Local code folder to copy in (optional; its .dockerignore applies)", self.last_build_dir),
            Field("dest", "… copied to", "/app"),
            Field("shell", "Shell", "/bin/sh"),
        ]
        note = (
            "A container starts from the base image and a shell opens in the Terminal; "
            "install what you need, then C here commits it."
        )
        self.app.push_screen(FormScreen("Interactive build", fields, "Start", note), self.start_interactive)

    def default_base(self) -> tuple[str, str]:
        """The base image to offer and where it came from: a row the user moved to on the list, else the FROM of
        the code folder's Dockerfile (the image the project builds on), else the highlighted row."""
        chosen = self.selected()
        row = chosen[0] if chosen and chosen[0] != "<none>" else ""
        if row and row == self.chosen_row:
            return row, "the image chosen on the list"
        found = dockerfile_base(self.last_build_dir)
        if found is not None:
            base, dockerfile = found
            return base, f"FROM of {dockerfile}, its final stage"
        return row, "the image highlighted on the list" if row else ""

    def start_interactive(self, values: FormValues | None) -> None:
        if values:
            self.prepare_container(
                str(values["base"]), str(values["code"]) or None, str(values["dest"]) or "/app", str(values["shell"])
            )

    @work(thread=True, group="images-interactive", exit_on_error=False)
    def prepare_container(self, base: str, code: str | None, dest: str, shell: str) -> None:
        """Start the container, then copy the code in (with its own progress screen), then open the shell."""
        service = self.service()
        try:
            container = service.start_build_container(base, shell or "/bin/sh")
        except Exception as exc:
            self.post_message(Notice(str(exc), title="Interactive build", severity="error", timeout=10, error=exc))
            return
        self.app.call_from_thread(self._container_started, container)
        chosen = ShellChoices().load().command_for(None, base)  # S on a shell tab of this image chose it
        terminal_shell = shlex.join(chosen) if chosen else container.shell
        open_shell = OpenContainerShell(container.container_id, terminal_shell)
        if not code:
            self.post_message(open_shell)
            return

        def copy(report: Callable[[CopyProgress], None], cancel: threading.Event) -> int:
            return service.copy_into(container.container_id, code, dest, on_progress=report, cancel=cancel)

        screen = CodeCopyScreen(f"Copy {code} → {container.name}:{dest}", copy)
        self.app.call_from_thread(self.app.push_screen, screen, lambda _: self.post_message(open_shell))

    def _container_started(self, container: BuildContainer) -> None:
        self.build_containers.append(container)
        self.redraw()

    def action_commit(self) -> None:
        if not self.build_containers:
            self.notify("no interactive build running: I starts one", title="Commit", severity="warning")
            return
        container = self.build_containers[-1]
        fields = [
            Field("tag", "Commit as", placeholder="127.0.0.1:5000/team/train:0.1", required=True),
            Field("cmd", "CMD (optional)", placeholder="python /app/train.py"),
            Field("entrypoint", "ENTRYPOINT (optional)"),
            Field("workdir", "WORKDIR (optional)", placeholder="/app"),
            Field("env", "ENV (optional)", placeholder="KEY=value KEY2=value"),
            Field("remove", "Remove the build container afterwards", "yes", switch=True),
        ]

        def chosen(values: FormValues | None) -> None:
            if values:
                self.commit_container(container, values)

        title = f"Commit {container.name} (from {container.base_image})"
        self.app.push_screen(FormScreen(title, fields, "Commit"), chosen)

    @work(thread=True, group="images-commit", exit_on_error=False)
    def commit_container(self, container: BuildContainer, values: FormValues) -> None:
        try:
            ref = ImageRef.parse(str(values["tag"]))
            env = dict(item.split("=", 1) for item in str(values["env"]).split() if item)
            image_id = self.service().commit(
                container.container_id,
                ref,
                cmd=shlex.split(str(values["cmd"])) or None,
                entrypoint=shlex.split(str(values["entrypoint"])) or None,
                workdir=str(values["workdir"]) or None,
                env=env or None,
            )
        except Exception as exc:
            self.post_message(Notice(str(exc), title="Commit", severity="error", timeout=10, error=exc))
            return
        self.post_message(Notice(f"committed {ref} ({image_id[:19]})", title="Commit"))
        self.made = (str(ref), image_id)  # read by the list below, started after this
        if values["remove"]:
            try:
                self.service().remove_container(container.container_id)
            except Exception as exc:
                self.post_message(Notice(str(exc), title="Remove container", severity="error", error=exc))
            else:
                self.app.call_from_thread(self._container_gone, container)
        self.action_refresh()

    def _container_gone(self, container: BuildContainer) -> None:
        self.build_containers = [c for c in self.build_containers if c.container_id != container.container_id]
        self.redraw()
