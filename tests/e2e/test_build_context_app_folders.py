"""A Docker build from the Images screen (b) leaves the app's own folders out of the build context: ./results of the
working directory (where r puts pulled results) and the hidden folders a cut pull leaves; `!results` in the
project's .dockerignore brings the results back. Against the real dockerd: the image lists what it was sent."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.widgets import Input, Log, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.images import BUSYBOX_DOCKERFILE
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.images.build import BuildScreen
from tui.screens.images.images import ImagesScreen


@pytest.fixture
def repository(stack: StackEnv, engine: docker.DockerClient) -> Iterator[str]:
    name = f"{stack.registry}/k8sx-ui/context-{uuid.uuid4().hex[:6]}"
    yield name
    for image in engine.images.list(name=name):
        for tag in image.tags:
            engine.images.remove(tag, force=True)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory: code, results pulled earlier, a cut pull's hidden folder; the image lists /ctx."""
    folder = tmp_path / "project"
    for name, text in {
        "train.py": "print('train')\n",
        "results/exp/metrics.json": '{"loss": 0.2}\n',
        ".exp-2.k8sx-partial-0123456789/metrics.json": "{}\n",
        "src/results/keep.py": "# a package's own results/ folder is code\n",
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    shutil.copy("/bin/busybox", folder / "busybox")
    (folder / "Dockerfile").write_text(BUSYBOX_DOCKERFILE + "COPY . /ctx\nRUN find /ctx -type f | sort\n")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return folder


async def built_files(app: K8sxApp, pilot: object, context: Path, tag: str) -> list[str]:
    """b on the Images screen, the build followed to its end: the files its RUN found under /ctx."""
    await pilot.press("4")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="the Images screen")  # type: ignore[arg-type]
    await pilot.press("b")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the build form")  # type: ignore[arg-type]
    app.screen.query_one("#field-context", Input).value = str(context)
    app.screen.query_one("#field-tag", Input).value = tag
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, BuildScreen), what="the build screen")  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, BuildScreen)
    await settle(pilot, lambda: screen.finished, timeout=60, what="the build to end")  # type: ignore[arg-type]
    status = str(screen.query_one("#build-status", Static).content)
    assert status.startswith(f"built {tag}"), status
    files = [line.strip() for line in screen.query_one("#build-log", Log).lines if line.strip().startswith("/ctx/")]
    await pilot.press("escape")  # type: ignore[attr-defined]
    return files


async def test_results_and_partial_folders_are_not_sent_unless_dockerignore_brings_them_back(
    stack: StackEnv, project: Path, repository: str, isolated_docker_config: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        files = await built_files(app, pilot, project, f"{repository}:0.1")
        assert files == ["/ctx/Dockerfile", "/ctx/busybox", "/ctx/src/results/keep.py", "/ctx/train.py"], files

        (project / ".dockerignore").write_text("# the results belong in this image\n!results\n")
        files = await built_files(app, pilot, project, f"{repository}:0.2")
        assert "/ctx/results/exp/metrics.json" in files and not any("k8sx-partial" in f for f in files), files
