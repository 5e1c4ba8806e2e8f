"""The Docker side: which engine to use (as the docker CLI picks it) and whether it answers."""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
from typing import TYPE_CHECKING

from tui.models.health import EngineHealth, Reachability
from tui.services.errors import connection_problem
from tui.services.heavy_imports import heavy_imports

if TYPE_CHECKING:
    # Imported where used: the docker SDK (requests, urllib3 and all, about 0.06 s) is not needed before the first
    # frame; the first probe (a worker thread) pays for it.
    import docker

PROBE_TIMEOUT_S = 4
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
_HOST_AND_PORT = re.compile(r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d+")

log = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine's address cannot work as given; the message says why and what to write instead."""


def docker_host(explicit: str | None) -> str:
    """--docker-host, else $DOCKER_HOST, else the local socket, like the docker CLI."""
    return explicit or os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST


def meant_host(host: str) -> str | None:
    """What a host without a scheme meant (/x: unix:///x, HOST:PORT: tcp://HOST:PORT), or None when it has one or
    cannot be guessed."""
    if "://" in host:
        return None
    if _HOST_AND_PORT.fullmatch(host):
        return f"tcp://{host}"
    if "/" in host:
        return f"unix://{os.path.abspath(host)}"
    return None


def socket_problem(host: str) -> str | None:
    """Why a unix:// host cannot be a socket (it is a file or a folder), or None; a missing path is left to the
    connect, which says "no such socket"."""
    if not host.startswith("unix://"):
        return None
    path = host.removeprefix("unix://")
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISSOCK(mode):
        return None
    return f"{path} is {'a folder' if stat.S_ISDIR(mode) else 'a file'}, not a socket"


class DockerService:
    """One Docker engine; every call to it goes through here."""

    def __init__(self, host: str | None = None) -> None:
        self.host = docker_host(host)
        self.from_flag = bool(host)
        # Where the address came from, so that a problem names the thing to change.
        if host:
            self.setting = f"--docker-host {self.host}"
        elif os.environ.get("DOCKER_HOST"):
            self.setting = f"DOCKER_HOST={self.host}"
        else:
            self.setting = f"the default {self.host}"
        self._last_problem = ""  # the last reason a probe logged, so a reason that stays is logged once
        self._lock = threading.Lock()
        self._client: docker.DockerClient | None = None

    def client(self) -> docker.DockerClient:
        with self._lock:
            if self._client is None:
                problem = self.host_problem()
                if problem:
                    raise EngineUnavailable(problem)
                with heavy_imports():
                    import docker

                from tui.services.docker.request_log import log_requests

                # TLS settings ($DOCKER_TLS_VERIFY, $DOCKER_CERT_PATH) come from the environment as for the CLI.
                environment = dict(os.environ, DOCKER_HOST=self.host)
                try:
                    client = docker.from_env(environment=environment, timeout=PROBE_TIMEOUT_S)
                except ValueError as exc:  # urllib's, for an address it cannot parse
                    raise EngineUnavailable(f"{self.setting}: not a valid address ({exc})") from exc
                self._client = log_requests(client)
            return self._client

    def host_problem(self) -> str | None:
        """Why the host as written cannot work, with what to write instead; None when it may."""
        meant = meant_host(self.host)
        if meant:
            return f"{self.setting}: use {meant}"
        if "://" not in self.host:
            return f"{self.setting}: no scheme; use unix:///path/to/docker.sock or tcp://HOST:PORT"
        problem = socket_problem(self.host)
        return f"{self.setting}: {problem}" if problem else None

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
            detail = (
                self.reason(exc) or f"no usable answer from the Docker engine at {self.host} (see the diagnostic log)"
            )
            if detail != self._last_problem:
                log.warning("engine check: %s", detail, exc_info=exc)
            self._last_problem = detail
            return EngineHealth(self.host, Reachability.DOWN, detail)
        self._last_problem = ""
        return EngineHealth(self.host, Reachability.UP, f"Docker {version.get('Version', '?')}")

    def explain(self, exc: BaseException) -> str:
        """A failed call, in words: what went wrong and with which engine."""
        return self.reason(exc) or f"{type(exc).__name__}: {exc}"

    def reason(self, exc: BaseException) -> str | None:
        """A failed call in words when it is one of the known kinds (address, connection, engine), else None."""
        if isinstance(exc, EngineUnavailable):
            return str(exc)
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
        with heavy_imports():
            from docker.errors import DockerException

        if isinstance(exc, DockerException):
            return f"Docker engine at {self.host}: {exc}"
        return None
