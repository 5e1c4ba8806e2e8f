"""Opening a pod's `portforward` subresource: an HTTP upgrade to SPDY/3.1 (`portforward.k8s.io`, as kubectl
does), or a websocket, either the API server's SPDY tunnel (`SPDY/3.1+portforward.k8s.io`) or the kubelet's own
channels (`v4.channel.k8s.io`, one websocket per connection). Each refusal says why, in words."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
from typing import Any
from urllib.parse import quote, urlencode, urlparse

from kubernetes.stream.ws_client import create_websocket
from websocket import WebSocket

from tui.services.exec.socket_turns import SocketTurns
from tui.services.exec.spdy import _tls_context  # the kubeconfig's TLS settings, as exec uses them
from tui.services.exec.stream import handshake_message
from tui.services.kube.kube import KubeService

SPDY_PROTOCOL = "portforward.k8s.io"
TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io"
CHANNEL_PROTOCOL = "v4.channel.k8s.io"
CONNECT_TIMEOUT_S = 15.0
HEAD_LIMIT = 64 * 1024


class Refused(Exception):
    """The server did not open the forward this way; the message says why."""


def _configuration(kube: KubeService) -> Any:
    configuration = kube.new_api_client().configuration
    if configuration.refresh_api_key_hook is not None:
        configuration.refresh_api_key_hook(configuration)  # exec plugins: a token valid now
    return configuration


def _bearer(configuration: Any) -> str:
    bearer = configuration.auth_settings().get("BearerToken")
    return str(bearer["value"]) if bearer and bearer.get("value") else ""


def _path(configuration: Any, namespace: str, pod: str) -> str:
    server = urlparse(configuration.host)
    return f"{server.path.rstrip('/')}/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/portforward"


def open_spdy(kube: KubeService, namespace: str, pod: str) -> tuple[SocketTurns, bytes]:
    """The upgraded socket and what came after the response's head."""
    configuration = _configuration(kube)
    if configuration.proxy:  # the websocket client knows how to go through a kubeconfig's proxy-url
        raise Refused("a proxy is configured")
    server = urlparse(configuration.host)
    secure = server.scheme == "https"
    try:
        raw = socket.create_connection((server.hostname, server.port or (443 if secure else 80)), CONNECT_TIMEOUT_S)
    except OSError as exc:
        raise Refused(f"cannot connect to the API server: {exc}") from exc
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # a stream's opening frames go out at once
    sock: socket.socket = raw
    try:
        if secure:
            name = configuration.tls_server_name or server.hostname
            sock = _tls_context(configuration).wrap_socket(raw, server_hostname=name)
        headers = {"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": SPDY_PROTOCOL}
        if bearer := _bearer(configuration):
            headers["Authorization"] = bearer
        request = f"POST {_path(configuration, namespace, pod)} HTTP/1.1\r\nHost: {server.netloc}\r\n"
        request += "User-Agent: k8sx-tui\r\nContent-Length: 0\r\n"
        request += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(4096)
            if not data or len(head) > HEAD_LIMIT:
                raise Refused("the server ended the upgrade without an answer")
            head += data
        head, _, rest = head.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        status = status_line.split(" ", 2)
        if len(status) < 2 or status[1] != "101":
            body = rest.decode(errors="replace")
            raise Refused(_refusal(namespace, pod, int(status[1]) if status[1:] and status[1].isdigit() else 0, body))
        answer = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        if answer.get("upgrade", "").lower() != "spdy/3.1":
            raise Refused("the server switched to another protocol")
        sock.settimeout(None)  # a forward may be idle for hours; a cut connection still ends the reads
        return SocketTurns(sock), rest
    except BaseException as exc:
        sock.close()
        if isinstance(exc, (OSError, ssl.SSLError)):
            raise Refused(f"the upgrade failed: {exc}") from exc
        raise


def open_websocket(kube: KubeService, namespace: str, pod: str, protocol: str, port: int | None = None) -> WebSocket:
    """A websocket speaking `protocol`; the kubelet's channels need the port in the query."""
    configuration = _configuration(kube)
    server = urlparse(configuration.host)
    scheme = "wss" if server.scheme == "https" else "ws"
    url = f"{scheme}://{server.netloc}{_path(configuration, namespace, pod)}"
    if port is not None:
        url += "?" + urlencode({"ports": port})
    headers = {"sec-websocket-protocol": protocol}
    if bearer := _bearer(configuration):
        headers["authorization"] = bearer
    try:
        ws: WebSocket = create_websocket(configuration, url, headers)  # type: ignore[no-untyped-call]
    except Exception as exc:
        raise Refused(_refusal(namespace, pod, getattr(exc, "status_code", 0) or 0, handshake_message(exc))) from exc
    chosen = getattr(ws, "subprotocol", None) or ""
    if chosen and chosen.lower() != protocol.lower():
        ws.shutdown()  # type: ignore[no-untyped-call]
        raise Refused(f"the server chose {chosen} instead of {protocol}")
    ws.settimeout(None)
    return ws


def _refusal(namespace: str, pod: str, status: int, body: str) -> str:
    if status == 404:
        return f"pod {namespace}/{pod} not found"
    if status == 403:
        return f"forbidden: cannot forward ports of {namespace}/{pod}"
    message = body.strip()
    with contextlib.suppress(ValueError, AttributeError):  # a Status object's message, else the body as it is
        message = str(json.loads(message).get("message") or message)
    return f"the server refused the forward ({status or 'no status'}): {message[:300] or 'no reason given'}"
