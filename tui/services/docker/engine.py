"""The Docker side: which engine to use (as the docker CLI picks it) and whether it answers."""

from __future__ import annotations

import os
import threading

import docker
from docker.errors import DockerException

from tui.models.health import EngineHealth, Reachability
from tui.services.docker.request_log import log_requests
from tui.services.errors import connection_problem

PROBE_TIMEOUT_S = 4
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"


def docker_host(explicit: str | None) -> str:
    """--docker-host, else $DOCKER_HOST, else the local socket, like the docker CLI."""
    return explicit or os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST


class DockerService:
    """One Docker engine; every call to it goes through here."""

    def __init__(self, host: str | None = None) -> None:
        self.host = docker_host(host)
        self._lock = threading.Lock()
        self._client: docker.DockerClient | None = None

    def client(self) -> docker.DockerClient:
        with self._lock:
            if self._client is None:
                # TLS settings ($DOCKER_TLS_VERIFY, $DOCKER_CERT_PATH) come from the environment as for the CLI.
                environment = dict(os.environ, DOCKER_HOST=self.host)
                self._client = log_requests(docker.from_env(environment=environment, timeout=PROBE_TIMEOUT_S))
            return self._client

    def _forget_client(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None

    def probe(self) -> EngineHealth:
        """Ask the engine for its version; never raises."""
        try:
            version = self.client().version()
        except Exception as exc:
            self._forget_client()
            return EngineHealth(self.host, Reachability.DOWN, self.explain(exc))
        return EngineHealth(self.host, Reachability.UP, f"Docker {version.get('Version', '?')}")

    def explain(self, exc: BaseException) -> str:
        problem = connection_problem(exc)
        if problem == "no such socket":
            return f"cannot connect to the Docker engine at {self.host}: no such socket (is dockerd running?)"
        if problem == "permission denied":
            return (
                f"permission denied on {self.host}: add your user to the docker group "
                "(sudo usermod -aG docker $USER, then log in again)"
            )
        if problem:
            return f"cannot connect to the Docker engine at {self.host}: {problem}"
        if isinstance(exc, DockerException):
            return f"Docker engine at {self.host}: {exc}"
        return f"{type(exc).__name__}: {exc}"
