"""Fixtures of the end-to-end tests that talk to the stack's dockerd."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.docker_config import write_config
from tests.support import StackEnv


@pytest.fixture
def engine(stack: StackEnv) -> Iterator[docker.DockerClient]:
    """A client of the stack's dockerd, for what a test sets up and checks beside the app."""
    client = docker.DockerClient(base_url=stack.docker_host, timeout=60)
    yield client
    client.close()


@pytest.fixture
def isolated_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads credentials from $DOCKER_CONFIG like the docker CLI (never this machine's ~/.docker), and
    keeps its state (last pushed, shell choices) in $XDG_STATE_HOME: both are the test's own."""
    config = tmp_path / "docker-config"
    write_config(config, {"auths": {}})
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return config
