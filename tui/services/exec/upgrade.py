"""An HTTP/1.1 upgrade of a connection to the API server to SPDY/3.1, as kubectl makes for exec and port-forward:
connect (TLS as the kubeconfig says), send the request, read the response's head."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import certifi

CONNECT_TIMEOUT_S = 30.0
HEAD_LIMIT = 64 * 1024  # an upgrade response's head is a few hundred bytes


class UpgradeRefused(Exception):
    """The server did not switch to SPDY with that protocol; `status` is its HTTP status (0 when none came)."""

    def __init__(self, reason: str, status: int = 0, body: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.body = body


def tls_context(configuration: Any) -> ssl.SSLContext:
    """What the kubeconfig says for TLS, as the websocket client reads it from the same configuration."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if configuration.verify_ssl:
        context.load_verify_locations(cafile=configuration.ssl_ca_cert or certifi.where())
        context.check_hostname = configuration.assert_hostname is not False
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, configuration.key_file)
    return context


def upgrade_to_spdy(
    configuration: Any,
    server: Any,
    target: str,
    headers: dict[str, str],
    protocol: str,
    connect_timeout: float = CONNECT_TIMEOUT_S,
) -> tuple[socket.socket, bytes]:
    """The upgraded socket (still with the connect's timeout, TCP_NODELAY: a stream's opening frames go out at
    once) and what came after the response's head. `protocol`: the X-Stream-Protocol-Version asked for and
    required in the answer."""
    secure = server.scheme == "https"
    try:
        raw = socket.create_connection((server.hostname, server.port or (443 if secure else 80)), connect_timeout)
    except OSError as exc:
        raise UpgradeRefused(f"cannot connect to the API server: {exc}") from exc
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock: socket.socket = raw
    try:
        if secure:
            sock = tls_context(configuration).wrap_socket(
                raw, server_hostname=configuration.tls_server_name or server.hostname
            )
        request = f"POST {target} HTTP/1.1\r\nHost: {server.netloc}\r\nUser-Agent: k8sx-tui\r\nContent-Length: 0\r\n"
        asked = {"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": protocol, **headers}
        request += "".join(f"{name}: {value}\r\n" for name, value in asked.items()) + "\r\n"
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(4096)
            if not data or len(head) > HEAD_LIMIT:
                raise UpgradeRefused("the server ended the upgrade without an answer")
            head += data
        head, _, rest = head.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        status = status_line.split(" ", 2)
        answer = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        if len(status) < 2 or status[1] != "101":
            code = int(status[1]) if status[1:] and status[1].isdigit() else 0
            raise UpgradeRefused(f"the server answered {' '.join(status[1:])}", code, rest.decode(errors="replace"))
        if answer.get("upgrade", "").lower() != "spdy/3.1" or answer.get("x-stream-protocol-version") != protocol:
            raise UpgradeRefused("the server switched to another protocol")
        return sock, rest
    except BaseException as exc:
        sock.close()
        if isinstance(exc, (OSError, ssl.SSLError)):
            raise UpgradeRefused(f"the upgrade failed: {exc}") from exc
        raise
