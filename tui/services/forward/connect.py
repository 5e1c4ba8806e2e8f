"""Opening a pod's `portforward` subresource: an HTTP upgrade to SPDY/3.1 (`portforward.k8s.io`, as kubectl
does), or a websocket, either the API server's SPDY tunnel (`SPDY/3.1+portforward.k8s.io`) or the kubelet's own
channels (`v4.channel.k8s.io`, one websocket per connection). Each refusal says why, in words."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import quote, urlencode, urlparse

from kubernetes.stream.ws_client import create_websocket
from websocket import WebSocket

from tui.services.exec.socket_turns import SocketTurns
from tui.services.exec.stream import handshake_message
from tui.services.exec.upgrade import UpgradeRefused, upgrade_to_spdy
from tui.services.kube.kube import KubeService

SPDY_PROTOCOL = "portforward.k8s.io"
TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io"
CHANNEL_PROTOCOL = "v4.channel.k8s.io"
CONNECT_TIMEOUT_S = 15.0


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
    headers = {"Authorization": bearer} if (bearer := _bearer(configuration)) else {}
    target = _path(configuration, namespace, pod)
    try:
        sock, rest = upgrade_to_spdy(configuration, server, target, headers, SPDY_PROTOCOL, CONNECT_TIMEOUT_S)
    except UpgradeRefused as exc:
        raise Refused(_refusal(namespace, pod, exc.status, exc.body) if exc.status else str(exc)) from exc
    sock.settimeout(None)  # a forward may be idle for hours; a cut connection still ends the reads
    return SocketTurns(sock), rest


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
