"""The Images and Push screens when things go wrong, and the interactive build's copy with progress: the real app
against the real dockerd and registries. Every fault gives a clear message, leaves the app usable and the local
image as it was.

"dockerd stops mid-build" is played by a relay in front of the shared dockerd (tests/support/engine_relay.py) that the
test cuts: the shared daemon itself is never stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.message import Message
from textual.widgets import DataTable, Input, Log, ProgressBar, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.docker_config import write_config
from tests.support.engine_relay import SeverableEngine
from tests.support.images import BUSYBOX_DOCKERFILE, busybox_context
from tests.support.stack import StackEnv
from tests.support.token_registry import PullOnlyRegistry
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.images.build import BuildScreen
from tui.screens.images.code_copy import CodeCopyProgressed, CodeCopyScreen
from tui.screens.images.images import ImagesScreen
from tui.screens.images.layer_progress import LayerProgressScreen
from tui.screens.images.push import PushScreen
from tui.screens.terminal.terminal import TerminalScreen


@pytest.fixture
def repository(stack: StackEnv, engine: docker.DockerClient) -> Iterator[str]:
    """A unique repository name with an image already tagged `:0.1` (what a failed build or push must keep)."""
    name = f"{stack.registry}/k8sx-faults/train-{uuid.uuid4().hex[:6]}"
    image, _ = engine.images.build(fileobj=busybox_context('CMD ["sh"]\n'), custom_context=True, rm=True)
    image.tag(name, "0.1")
    yield name
    for found in engine.images.list(name=name):
        for tag in found.tags:
            engine.images.remove(tag, force=True)


def image_id(engine: docker.DockerClient, reference: str) -> str:
    return str(engine.images.get(reference).id)


def images_rows(app: K8sxApp) -> list[str]:
    table = app.screen.query_one("#images", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def text_of(app: K8sxApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def notifications(app: K8sxApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def open_form(pilot: object, app: K8sxApp, key: str, values: dict[str, str]) -> None:
    """On the Images screen: press `key`, fill the form that opens, submit it."""
    await pilot.press("4")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="the Images screen")  # type: ignore[arg-type]
    await pilot.press(key)  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")  # type: ignore[arg-type]
    for name, value in values.items():
        app.screen.query_one(f"#field-{name}", Input).value = value
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]


def context_dir(tmp_path: Path, dockerfile: str) -> Path:
    folder = tmp_path / "context"
    folder.mkdir()
    shutil.copy("/bin/busybox", folder / "busybox")
    (folder / "Dockerfile").write_text(dockerfile)
    return folder


# ---------------------------------------------------------------- builds that fail


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("syntax error", "build failed: Dockerfile syntax error line 4: unknown instruction: FORM"),
        ("missing context", "build failed: the build context {context} does not exist"),
        ("missing Dockerfile", "build failed: no Dockerfile at {context}/Dockerfile"),
        ("COPY of a missing file", "build failed at step 4/4 (COPY weights.bin /model/): step 4/4 (COPY weights"),
    ],
)
async def test_a_build_that_cannot_work_says_why_and_the_tag_keeps_its_image(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path, tmp_path: Path,
    case: str, status: str,
) -> None:  # fmt: skip
    dockerfile = BUSYBOX_DOCKERFILE + ("FORM typo\n" if case == "syntax error" else "COPY weights.bin /model/\n")
    context = context_dir(tmp_path, dockerfile)
    if case == "missing context":
        context = tmp_path / "nowhere"
    elif case == "missing Dockerfile":
        (context / "Dockerfile").unlink()
    before = image_id(engine, f"{repository}:0.1")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "b", {"context": str(context), "tag": f"{repository}:0.1"})
        await settle(pilot, lambda: isinstance(app.screen, BuildScreen) and app.screen.finished, timeout=60)
        assert text_of(app, "#build-status").startswith(status.format(context=context)), text_of(app, "#build-status")
        if case == "COPY of a missing file":
            assert "file not found" in text_of(app, "#build-status")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="back on Images, still usable")
        await settle(pilot, lambda: f"{repository}:0.1" in images_rows(app), what="the image listed")
    assert image_id(engine, f"{repository}:0.1") == before


async def test_the_engine_going_away_mid_build_says_so_and_the_tag_keeps_its_image(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path, tmp_path: Path
) -> None:
    context = context_dir(tmp_path, BUSYBOX_DOCKERFILE + "RUN echo started; sleep 60; echo never\n")
    before = image_id(engine, f"{repository}:0.1")
    relay = SeverableEngine(stack.docker_host.removeprefix("unix://"))
    app = make_app(stack.kubeconfig, relay.host)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "b", {"context": str(context), "tag": f"{repository}:0.1"})
        await settle(pilot, lambda: isinstance(app.screen, BuildScreen), what="the build screen")
        build = app.screen
        await settle(pilot, lambda: "started" in build.query_one("#build-log", Log).lines, timeout=60, what="RUN")
        relay.cut()  # as if dockerd died
        await settle(pilot, lambda: isinstance(build, BuildScreen) and build.finished, timeout=30, what="the end")
        words = text_of(app, "#build-status")
        assert words.startswith("build failed at step 4/4 (RUN echo started; sleep 60; echo never): "), words
        assert "lost the connection to the Docker engine midway" in words and "(is dockerd up?)" in words
        assert "\nstarted" in words  # the step's own output so far
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="back on Images")
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: "cannot reach the Docker engine" in text_of(app, "#images-info"), what="why")
        assert app.is_running
    assert image_id(engine, f"{repository}:0.1") == before


# ---------------------------------------------------------------- pushes that fail


async def push_from_screen(pilot: object, app: K8sxApp, source: str, destination: str, tag: str) -> PushScreen:
    await pilot.press("5")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")  # type: ignore[arg-type]
    push = app.screen
    assert isinstance(push, PushScreen)
    push.query_one("#push-source", Input).value = source
    push.query_one("#push-destination", Input).value = destination
    push.query_one("#push-tag", Input).value = tag
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    return push


async def test_a_push_to_a_registry_host_that_does_not_exist_says_so_and_keeps_the_image(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path
) -> None:
    before = image_id(engine, f"{repository}:0.1")
    destination = "no-such-registry.invalid:5000/k8sx-faults/lost"
    app = make_app(stack.kubeconfig, stack.docker_host)
    try:
        async with app.run_test(size=SIZE) as pilot:
            push = await push_from_screen(pilot, app, f"{repository}:0.1", destination, "0.1")
            await settle(pilot, lambda: bool(notifications(app)) or isinstance(app.screen, LayerProgressScreen))
            # The tag check cannot reach the host either and says nothing (it only warns of an existing tag): the
            # push starts, and dockerd's "no such host" is told as what it means (registry_problem).
            assert isinstance(app.screen, LayerProgressScreen), notifications(app)
            await settle(pilot, lambda: app.screen.finished, timeout=90, what="the push to fail")  # type: ignore[attr-defined]
            words = text_of(app, "#layers-status")
            expected = (
                "failed: registry host no-such-registry.invalid:5000 not found (its name does not resolve):"
                " check the image name [engine: "
            )
            assert words.startswith(expected), words
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is push, what="back on Push, still usable")
            assert "last pushed" not in text_of(app, "#push-last")
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            engine.images.remove(f"{destination}:0.1", force=True)
    assert image_id(engine, f"{repository}:0.1") == before


async def test_a_push_whose_credential_helper_is_missing_names_it_with_the_fix(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path
) -> None:
    write_config(isolated_docker_config, {"credHelpers": {stack.auth_registry: "k8sx-vault"}})
    before = image_id(engine, f"{repository}:0.1")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        push = await push_from_screen(pilot, app, f"{repository}:0.1", f"{stack.auth_registry}/k8sx-faults/x", "1")
        await settle(pilot, lambda: bool(notifications(app)), what="the message")
        words = notifications(app)[-1]
        assert words.startswith("docker-credential-k8sx-vault not found on PATH: install it, or remove"), words
        assert app.screen is push and "last pushed" not in text_of(app, "#push-last")
    assert image_id(engine, f"{repository}:0.1") == before


async def test_a_push_the_registry_denies_says_denied_and_keeps_the_image(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path
) -> None:
    """A registry with token auth (as Artifact Registry) whose token server grants pulls only."""
    registry = PullOnlyRegistry()
    destination = f"{registry.host}/k8sx-faults/denied"
    before = image_id(engine, f"{repository}:0.1")
    try:
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            push = await push_from_screen(pilot, app, f"{repository}:0.1", destination, "0.1")
            await settle(pilot, lambda: isinstance(app.screen, LayerProgressScreen) and app.screen.finished, timeout=90)
            words = text_of(app, "#layers-status")
            assert words.startswith(f"failed: denied: these credentials may not access {destination} [engine: "), words
            assert any(scope.endswith("push,pull") or ":push" in scope for scope in registry.token_requests)
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is push, what="back on Push, still usable")
            assert "last pushed" not in text_of(app, "#push-last")
    finally:
        registry.close()
        with contextlib.suppress(docker.errors.ImageNotFound):
            engine.images.remove(f"{destination}:0.1", force=True)
    assert image_id(engine, f"{repository}:0.1") == before


# ---------------------------------------------------------------- the interactive build's copy, with progress


def code_folder(tmp_path: Path, files: int, size: int) -> Path:
    code = tmp_path / "code"
    code.mkdir()
    for i in range(files):
        (code / f"shard-{i:02}.bin").write_bytes(os.urandom(size))
    return code


def terminal_started(app: K8sxApp) -> bool:
    screen = app.screen
    return isinstance(screen, TerminalScreen) and any(tab.started for tab in screen.tabs.values())


def remove_build_containers(engine: docker.DockerClient, base: str) -> None:
    base_id = image_id(engine, base)
    for container in engine.containers.list(all=True, filters={"name": "k8sx-build-"}):
        if container.image.id == base_id:
            container.remove(force=True)


async def test_copying_the_code_in_shows_bytes_files_and_a_bar_then_opens_the_shell(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path, tmp_path: Path
) -> None:
    code = code_folder(tmp_path, files=16, size=1 << 20)
    relay = SeverableEngine(stack.docker_host.removeprefix("unix://"), bytes_per_s=4 << 20)  # about 4 s
    seen: list[Message] = []
    app = make_app(stack.kubeconfig, relay.host)
    try:
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            await open_form(pilot, app, "I", {"base": f"{repository}:0.1", "code": str(code), "dest": "/app"})
            await settle(pilot, lambda: isinstance(app.screen, CodeCopyScreen), timeout=30, what="the copy screen")
            copy = app.screen
            assert isinstance(copy, CodeCopyScreen) and copy.heading.startswith(f"Copy {code} → k8sx-build-")
            statuses: set[str] = set()

            def midway() -> bool:
                statuses.add(text_of(app, "#code-copy-status") if app.screen is copy else "")
                bar = copy.query_one("#code-copy-progress", ProgressBar)
                return bar.total is not None and 0 < bar.progress < bar.total

            await settle(pilot, midway, timeout=30, what="the bar part-way")
            await settle(pilot, lambda: app.current_mode == "terminal", timeout=60, what="the shell, after the copy")
            await settle(pilot, lambda: terminal_started(app), what="the shell started")
            reports = [m.progress for m in seen if isinstance(m, CodeCopyProgressed)]
            assert any(0 < r.files_sent < r.files_total == 17 for r in reports)  # the folder and its 16 files
            assert reports[-1].sent_bytes == reports[-1].total_bytes > 16 << 20
            assert any(" of " in s and "/17 files · " in s and s.endswith("/s") for s in statuses), statuses
            assert any(n.startswith("copied 17 files, ") for n in notifications(app))
        box = engine.containers.list(filters={"name": "k8sx-build-", "ancestor": f"{repository}:0.1"})[0]
        listed = box.exec_run(["sh", "-c", "ls /app | wc -l; cat /app/shard-15.bin | wc -c"]).output.split()
        assert listed == [b"16", str(1 << 20).encode()]
    finally:
        remove_build_containers(engine, f"{repository}:0.1")


async def test_esc_cancels_the_copy_of_the_code_and_the_container_stays_for_the_shell(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path, tmp_path: Path
) -> None:
    code = code_folder(tmp_path, files=24, size=1 << 20)
    relay = SeverableEngine(stack.docker_host.removeprefix("unix://"), bytes_per_s=1 << 20)  # about 24 s
    app = make_app(stack.kubeconfig, relay.host)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_form(pilot, app, "I", {"base": f"{repository}:0.1", "code": str(code), "dest": "/app"})
            await settle(pilot, lambda: isinstance(app.screen, CodeCopyScreen), timeout=30, what="the copy screen")
            copy = app.screen
            assert isinstance(copy, CodeCopyScreen)
            await settle(pilot, lambda: copy.last is not None and copy.last.sent_bytes > 0, what="some progress")
            await pilot.press("escape")
            await settle(pilot, lambda: copy.finished, timeout=30, what="the copy to stop")
            words = text_of(app, "#code-copy-status")
            assert words == f"copy of {code} cancelled: /app may hold part of it   (Esc: on to the shell)", words
            assert copy.last is not None and copy.last.sent_bytes < copy.last.total_bytes
            await pilot.press("escape")
            await settle(pilot, lambda: app.current_mode == "terminal", what="the shell opens all the same")
            await settle(pilot, lambda: terminal_started(app), what="the shell started")
            await pilot.press("ctrl+right_square_bracket", "4")
            await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="back on Images")
            assert "(C commits)" in text_of(app, "#images-info")  # the build goes on without the rest of the code
    finally:
        remove_build_containers(engine, f"{repository}:0.1")
