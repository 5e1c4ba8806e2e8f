"""The interactive build fits a project with a Dockerfile: the base image defaults to the Dockerfile's FROM (its final
stage, ARGs substituted) and says so, unless the user moved to an image on the list; the code folder is copied in as
`docker build` would send it, its .dockerignore honoured. The real app against the stack's dockerd."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import docker
import pytest
from textual.widgets import DataTable, Input, Label

from tests.support.app import SIZE, make_app, settle
from tests.support.images import busybox_context
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.images.images import ImagesScreen


@pytest.fixture
def base(stack: StackEnv, engine: docker.DockerClient) -> Iterator[str]:
    """A base image of its own (its label makes its id unique), its build containers removed afterwards."""
    name = f"{stack.registry}/k8sx-ui/ibuild-{uuid.uuid4().hex[:6]}-base:1"
    image, _ = engine.images.build(
        fileobj=busybox_context(f'CMD ["sh"]\nLABEL k8sx-test="{name}"\n'), custom_context=True, rm=True
    )
    image.tag(name)
    yield name
    for container in engine.containers.list(all=True, filters={"ancestor": image.id}):
        container.remove(force=True)
    for tag in (name, name.replace("-base:1", "-base-newer-1:1"), name.replace("-base:1", "-base-newer-2:1")):
        with suppress(docker.errors.ImageNotFound):
            engine.images.remove(tag, force=True)


async def open_form(pilot: object, app: K8sxApp) -> FormScreen:
    await pilot.press("I")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the interactive build form")  # type: ignore[arg-type]
    assert isinstance(app.screen, FormScreen)
    return app.screen


def base_label(form: FormScreen) -> str:
    return next(str(label.content) for label in form.query(Label) if str(label.content).startswith("Base image"))


async def images_listed(pilot: object, app: K8sxApp) -> ImagesScreen:
    await pilot.press("4")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="Images")  # type: ignore[arg-type]
    images = app.screen
    assert isinstance(images, ImagesScreen)
    await settle(pilot, lambda: images.query_one(DataTable).row_count >= 2, what="the images listed")  # type: ignore[arg-type]
    await pilot.pause(0.3)
    return images


async def test_the_base_defaults_to_the_dockerfiles_from_unless_an_image_was_chosen_on_the_list(
    stack: StackEnv,
    engine: docker.DockerClient,
    base: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    isolated_docker_config: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    name, _, tag = base.rpartition(":")
    # Two stages, the final one built on the first; the tag comes from a global ARG.
    (project / "Dockerfile").write_text(f"ARG TAG={tag}\nFROM {name}:${{TAG}} AS deps\nRUN true\nFROM deps\n")
    monkeypatch.chdir(project)  # where the app starts: the code folder's default
    # Two newer images of the same name, listed before the base (newest first; image times are in seconds).
    for other in ("newer-1", "newer-2"):
        time.sleep(1.1)
        built, _ = engine.images.build(
            fileobj=busybox_context(f'LABEL k8sx-test="{base}-{other}"\n'), custom_context=True
        )
        built.tag(f"{name}-{other}", "1")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        images = await images_listed(pilot, app)
        await pilot.press("slash", *name.rpartition("/")[2], "enter")  # only this test's images (others build too)
        await settle(pilot, lambda: images.query_one(DataTable).row_count == 3, what="the filtered list")
        await pilot.pause(0.3)
        assert images.selected_name() == f"{name}-newer-2:1"  # highlighted, but not chosen
        form = await open_form(pilot, app)
        assert form.query_one("#field-base", Input).value == base
        assert base_label(form) == f"Base image (FROM of {project / 'Dockerfile'}, its final stage) *"
        assert form.query_one("#field-code", Input).value == str(project)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is images, what="back on the list")

        await pilot.press("down")  # an image pointed at on the list is the one meant
        assert images.selected_name() == f"{name}-newer-1:1"
        form = await open_form(pilot, app)
        assert form.query_one("#field-base", Input).value == f"{name}-newer-1:1"
        assert base_label(form) == "Base image (the image chosen on the list) *"


async def test_the_code_folder_is_copied_in_without_what_its_dockerignore_leaves_out(
    stack: StackEnv, engine: docker.DockerClient, base: str, tmp_path: Path, isolated_docker_config: Path
) -> None:
    code = tmp_path / "code"
    (code / "data").mkdir(parents=True)
    (code / "sub").mkdir()
    (code / ".dockerignore").write_text("# as docker build reads it\ndata/\n*.ckpt\n")
    (code / "train.py").write_text("print('training')\n")
    (code / "data" / "shard-0.bin").write_bytes(b"\0" * 1024)
    (code / "model.ckpt").write_bytes(b"weights")
    (code / "sub" / "old.ckpt").write_bytes(b"kept: *.ckpt matches at the top only, as in docker build")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        images = await images_listed(pilot, app)
        form = await open_form(pilot, app)
        for field, value in {"base": base, "code": str(code), "dest": "/app"}.items():
            form.query_one(f"#field-{field}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.current_mode == "terminal", timeout=30, what="the shell tab")
        container = engine.containers.get(images.build_containers[0].container_id)
        listing = container.exec_run(["find", "/app"]).output.decode().split()
        assert sorted(listing) == ["/app", "/app/.dockerignore", "/app/sub", "/app/sub/old.ckpt", "/app/train.py"]
