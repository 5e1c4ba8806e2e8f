"""The Push screen's layers say where a layer the registry already had came from: pushing an image to a second
repository of the same registry mounts its layers from the first, and each row names it (the engine's "Mounted
from REPO"), readable in full beside its bar. The real app against the stack's dockerd and registry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import docker
import pytest
from textual.widgets import Input, Label

from tests.support.app import make_app, settle
from tests.support.images import busybox_context
from tests.support.stack import StackEnv
from tui.models.images.image import ImageRef
from tui.screens.images.layer_progress import LayerProgressScreen
from tui.screens.images.push import PushScreen
from tui.services.images.images import ImageService


@pytest.fixture
def pushed_once(stack: StackEnv, engine: docker.DockerClient, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """An image of its own pushed to repository `first` (by the app's service); (local tag, first)."""
    unique = uuid.uuid4().hex[:6]
    first = f"k8sx-e2e/mount-a-{unique}"
    image, _ = engine.images.build(
        fileobj=busybox_context(f'LABEL k8sx-test="{unique}"\nRUN echo {unique} > /unique\n'), custom_context=True
    )
    local = f"k8sx-test/mount-{unique}:1"
    image.tag(local)
    service = ImageService(engine, str(tmp_path / "docker-config"))
    service.tag(local, ImageRef.parse(f"{stack.registry}/{first}:1"))
    assert list(service.push(ImageRef.parse(f"{stack.registry}/{first}:1")))[-1].digest
    yield local, first
    for tag in engine.images.get(image.id).tags:
        with suppress(docker.errors.ImageNotFound):
            engine.images.remove(tag, force=True)


def layer_rows(app: object) -> list[Label]:
    return list(app.screen.query(".layer > Label"))  # type: ignore[attr-defined]


async def test_layers_the_registry_had_in_another_repository_say_which(
    stack: StackEnv, pushed_once: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    local, first = pushed_once
    second = f"{stack.registry}/k8sx-e2e/mount-b-{uuid.uuid4().hex[:6]}"
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")
        push = app.screen
        push.query_one("#push-source", Input).value = local
        push.query_one("#push-destination", Input).value = second
        push.query_one("#push-tag", Input).value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, LayerProgressScreen), what="the push's progress")
        progress = app.screen
        assert isinstance(progress, LayerProgressScreen)
        await settle(pilot, lambda: progress.finished, timeout=60, what="the push's end")
        await pilot.pause()
        words = [str(label.content) for label in layer_rows(app)]
        mounted = [text for text in words if "mounted from" in text]
        assert mounted, words
        # The image's own layer came from `first`; the busybox layer it shares may come from another test's repository.
        assert any(text.endswith(f"  already in the registry: mounted from {first}") for text in mounted), words
        assert all("  already in the registry: mounted from k8sx-" in text for text in mounted), words
        assert not any("Mounted from" in text for text in words)
        for label in layer_rows(app):  # in full (wrapped if need be), inside the screen
            assert label.region.width * label.region.height >= len(str(label.content)), (label.region, label.content)
            assert app.screen.region.contains_region(label.region)
