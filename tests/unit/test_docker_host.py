"""How a Docker host that cannot work is worded, before anything connects: a missing scheme, or a path that is
not a socket."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.services.docker.engine import DockerService


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("/tmp/x", "DOCKER_HOST=/tmp/x: use unix:///tmp/x"),
        ("/var/run/docker.sock", "DOCKER_HOST=/var/run/docker.sock: use unix:///var/run/docker.sock"),
        ("localhost:2375", "DOCKER_HOST=localhost:2375: use tcp://localhost:2375"),
        ("10.0.0.7:2376", "DOCKER_HOST=10.0.0.7:2376: use tcp://10.0.0.7:2376"),
        ("dockerhost", "DOCKER_HOST=dockerhost: no scheme; use unix:///path/to/docker.sock or tcp://HOST:PORT"),
        ("http://[::1", "DOCKER_HOST=http://[::1: not a valid address (Invalid IPv6 URL)"),
    ],
)
def test_a_docker_host_from_the_environment_without_a_usable_scheme_says_what_to_write(
    value: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", value)
    health = DockerService().probe()
    assert not health.is_up
    assert health.detail == words


def test_a_relative_path_is_given_as_the_absolute_socket_it_means(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        DockerService("run/docker.sock").probe().detail
        == f"--docker-host run/docker.sock: use unix://{tmp_path}/run/docker.sock"
    )


def test_a_unix_host_that_is_a_file_or_a_folder_is_not_a_socket(tmp_path: Path) -> None:
    plain = tmp_path / "docker.sock"
    plain.write_text("")
    assert (
        DockerService(f"unix://{plain}").probe().detail
        == f"--docker-host unix://{plain}: {plain} is a file, not a socket"
    )
    detail = DockerService(f"unix://{tmp_path}").probe().detail
    assert detail == f"--docker-host unix://{tmp_path}: {tmp_path} is a folder, not a socket"
    assert not re.search(r"[A-Z]\w*Error", detail)
