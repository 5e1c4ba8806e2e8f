"""Which protocol an exec for a copy goes over, against a small fake API server that refuses in different ways:
SPDY first, a websocket when SPDY is not taken (whose refusal is then the one in words), a websocket only when
the setting says so. That both protocols move bytes is tested against the real stack (test_exec_protocols.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tui.services.exec.stream import ExecFailed, open_exec
from tui.services.kube.kube import KubeService

FORBIDDEN = (
    b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
)
SWITCH_THEN_CLOSE = (
    b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
    b"X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n"
)


class FakeApiServer:
    """Answers every request with the answer its requests' upgrade asks for; records (method, upgrade)."""

    def __init__(self, answers: dict[str, bytes]) -> None:
        self.answers = answers
        self.seen: list[tuple[str, str]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with client:
                head = b""
                while b"\r\n\r\n" not in head and (data := client.recv(4096)):
                    head += data
                lines = head.decode("latin-1").split("\r\n")
                upgrade = next((line.split(":", 1)[1].strip().lower() for line in lines
                                if line.lower().startswith("upgrade:")), "")  # fmt: skip
                self.seen.append((lines[0].split(" ")[0], upgrade))
                client.sendall(self.answers.get(upgrade, FORBIDDEN))

    def close(self) -> None:
        self._listener.close()


def kube_at(tmp_path: Path, server: str, protocol: str) -> KubeService:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "someone", "user": {"token": "not-checked"}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "someone", "namespace": "ns"}}],
        "current-context": "fake",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return KubeService(str(path), exec_protocol=protocol)


@pytest.fixture
def refusing() -> Iterator[FakeApiServer]:
    server = FakeApiServer({})
    yield server
    server.close()


@pytest.fixture
def breaking_spdy() -> Iterator[FakeApiServer]:
    server = FakeApiServer({"spdy/3.1": SWITCH_THEN_CLOSE})
    yield server
    server.close()


def test_spdy_refused_then_the_websocket_refusal_is_the_one_said(tmp_path: Path, refusing: FakeApiServer) -> None:
    with pytest.raises(ExecFailed, match=r"^forbidden: cannot exec into ns/exp$"):
        open_exec(kube_at(tmp_path, refusing.url, "auto"), "ns", "exp", ["true"])
    assert refusing.seen == [("POST", "spdy/3.1"), ("GET", "websocket")]


def test_a_spdy_upgrade_that_closes_before_its_streams_open_falls_back(
    tmp_path: Path, breaking_spdy: FakeApiServer
) -> None:
    with pytest.raises(ExecFailed, match=r"^forbidden"):
        open_exec(kube_at(tmp_path, breaking_spdy.url, "auto"), "ns", "exp", ["true"])
    assert breaking_spdy.seen == [("POST", "spdy/3.1"), ("GET", "websocket")]


def test_the_websocket_setting_skips_spdy(tmp_path: Path, refusing: FakeApiServer) -> None:
    with pytest.raises(ExecFailed, match=r"^forbidden"):
        open_exec(kube_at(tmp_path, refusing.url, "websocket"), "ns", "exp", ["true"])
    assert refusing.seen == [("GET", "websocket")]
