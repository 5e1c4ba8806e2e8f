"""The interactive-build containers still running on the engine, asked about when leaving the app: they idle until
removed, and would outlive it unnoticed. ImageService.start_build_container labels them k8sx-tui.build=1 and names
them k8sx-build-…; either is enough (one renamed keeps its label, one started by an older version has no label).
One that another k8sx-tui still running on this machine started (its owner label) is that one's to ask about, not
this one's: quitting here never offers to delete the work of another instance."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import docker

from tui.services.images.images import (
    BUILD_CONTAINER_PREFIX,
    BUILD_LABEL,
    OWNER_LABEL,
    ImageService,
    is_build_container,
)


@dataclass(frozen=True)
class RunningBuild:
    container_id: str
    name: str
    image: str

    def __str__(self) -> str:
        return f"{self.name} (from {self.image})"


def running_builds(client: docker.DockerClient) -> list[RunningBuild]:
    """By label or by name (the engine's name filter matches anywhere in a name: the prefix is checked here)."""
    rows = [
        *client.api.containers(filters={"label": f"{BUILD_LABEL}=1", "status": "running"}),
        *client.api.containers(filters={"name": BUILD_CONTAINER_PREFIX, "status": "running"}),
    ]
    found: dict[str, RunningBuild] = {}
    for row in rows:
        names = [n.lstrip("/") for n in row.get("Names") or []]
        ours = [n for n in names if is_build_container(n, row.get("Labels"))]
        if ours and not _another_live_instance((row.get("Labels") or {}).get(OWNER_LABEL, "")):
            found[str(row["Id"])] = RunningBuild(str(row["Id"]), ours[0], str(row.get("Image") or "?"))
    return sorted(found.values(), key=lambda build: build.name)


def _another_live_instance(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)  # no signal sent: whether that process is there
    except ProcessLookupError:
        return False
    except PermissionError:  # there, under another user
        return True
    return True


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
