"""A DOCKER_HOST without a scheme, or pointing at something that is not a socket, against the real stack: the
status line and `k8sx-tui doctor` say what to write instead."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_doctor import doctor
from tests.support.app import make_app, settle, status_text
from tests.support.stack import StackEnv


def test_the_doctor_says_which_scheme_a_scheme_less_docker_host_needs(stack: StackEnv, tmp_path: Path) -> None:
    done = doctor(stack, tmp_path, "doctor", env={"DOCKER_HOST": "/tmp/x"}, timeout=60)
    assert done.returncode == 1
    assert "failed  docker     engine: DOCKER_HOST=/tmp/x: use unix:///tmp/x" in done.stdout
    assert "fix: export DOCKER_HOST=unix:///tmp/x" in done.stdout

    done = doctor(stack, tmp_path, "doctor", env={"DOCKER_HOST": "127.0.0.1:2375"}, timeout=60)
    assert "failed  docker     engine: DOCKER_HOST=127.0.0.1:2375: use tcp://127.0.0.1:2375" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_the_doctor_says_a_docker_host_file_is_not_a_socket(stack: StackEnv, tmp_path: Path) -> None:
    not_a_socket = tmp_path / "docker.sock"
    not_a_socket.write_text("")
    done = doctor(stack, tmp_path, "doctor", env={"DOCKER_HOST": f"unix://{not_a_socket}"}, timeout=60)
    assert done.returncode == 1
    line = f"failed  docker     engine: DOCKER_HOST=unix://{not_a_socket}: {not_a_socket} is a file, not a socket"
    assert line in done.stdout


async def test_a_scheme_less_docker_host_is_explained_on_the_status_line(stack: StackEnv, tmp_path: Path) -> None:
    socket_path = stack.docker_host.removeprefix("unix://")
    app = make_app(stack.kubeconfig, socket_path)
    async with app.run_test(size=(300, 30)) as pilot:  # the whole reason fits
        await settle(pilot, lambda: "docker ✗" in status_text(app) and app.cluster_health.is_up, what="report")
        assert f"docker ✗ unreachable: --docker-host {socket_path}: use unix://{socket_path}" in status_text(app)
