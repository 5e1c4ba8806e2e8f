"""The interactive-build containers still running on the engine (ImageService.start_build_container names them
k8sx-build-…), asked about when leaving the app: they idle until removed, and would outlive it unnoticed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import docker

from tui.services.images.images import BUILD_CONTAINER_PREFIX, ImageService


@dataclass(frozen=True)
class RunningBuild:
    container_id: str
    name: str
    image: str

    def __str__(self) -> str:
        return f"{self.name} (from {self.image})"


def running_builds(client: docker.DockerClient) -> list[RunningBuild]:
    """By name: the engine's name filter matches anywhere in the name, so the prefix is checked here."""
    rows = client.api.containers(filters={"name": BUILD_CONTAINER_PREFIX, "status": "running"})
    found = []
    for row in rows:
        name = next(
            (n.lstrip("/") for n in row.get("Names") or [] if n.lstrip("/").startswith(BUILD_CONTAINER_PREFIX)), ""
        )
        if name:
            found.append(RunningBuild(str(row["Id"]), name, str(row.get("Image") or "?")))
    return sorted(found, key=lambda build: build.name)


def remove_builds(client: docker.DockerClient, builds: Iterable[RunningBuild]) -> list[str]:
    """Stop and remove each (one gone already is fine); the failures in words."""
    images = ImageService(client)
    failed: list[str] = []
    for build in builds:
        try:
            images.remove_container(build.container_id)
        except Exception as exc:
            failed.append(f"{build.name}: {exc}")
    return failed
