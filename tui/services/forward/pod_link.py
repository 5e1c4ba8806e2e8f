"""The forward's way into one pod: a SPDY connection shared by every forwarded connection, opened directly or
through the API server's websocket tunnel, else one kubelet websocket per connection; tried in that order, as
exec falls back (kube.exec_protocol "websocket" skips the direct SPDY)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from tui.services.forward.connect import (
    CHANNEL_PROTOCOL,
    TUNNEL_PROTOCOL,
    Refused,
    open_spdy,
    open_websocket,
)
from tui.services.forward.pair import ForwardBroken, StreamPair
from tui.services.forward.spdy_session import SpdyConnection
from tui.services.forward.transport import WebsocketTransport
from tui.services.forward.ws_channels import ChannelPair
from tui.services.kube.kube import KubeService

SPDY, TUNNEL, CHANNELS = "spdy", "websocket-spdy", "websocket"
ALL_WAYS = (SPDY, TUNNEL, CHANNELS)


class PodLink:
    """Connected at once (so a refusal is known before a browser asks); `open(port)` for each connection."""

    def __init__(self, kube: KubeService, namespace: str, pod: str, ways: Sequence[str] = ALL_WAYS) -> None:
        self.kube, self.namespace, self.pod = kube, namespace, pod
        if kube.exec_protocol == "websocket":
            ways = [way for way in ways if way != SPDY]
        self._lock = threading.Lock()
        self._spdy: SpdyConnection | None = None
        self.way = ""
        refusals: list[str] = []
        for way in ways:
            try:
                self._connect(way)
            except Refused as exc:
                refusals.append(f"{way}: {exc}")
                continue
            self.way = way
            return
        raise ForwardBroken("; ".join(dict.fromkeys(refusals)) or "no protocol to try")

    def _connect(self, way: str) -> None:
        if way == SPDY:
            transport, leftover = open_spdy(self.kube, self.namespace, self.pod)
            self._spdy = SpdyConnection(transport, leftover)
        elif way == TUNNEL:
            ws = open_websocket(self.kube, self.namespace, self.pod, TUNNEL_PROTOCOL)
            self._spdy = SpdyConnection(WebsocketTransport(ws))
        else:
            # The kubelet's channels carry one connection each: a first one proves the way works.
            open_websocket(self.kube, self.namespace, self.pod, CHANNEL_PROTOCOL, port=1).close()

    @property
    def alive(self) -> bool:
        return self._spdy is None or self._spdy.alive

    @property
    def lost(self) -> str:
        return self._spdy.lost if self._spdy is not None else ""

    def open(self, port: int) -> StreamPair:
        if self._spdy is not None:
            return self._spdy.open(port)
        try:
            return ChannelPair(open_websocket(self.kube, self.namespace, self.pod, CHANNEL_PROTOCOL, port=port))
        except Refused as exc:
            raise ForwardBroken(str(exc)) from exc

    def close(self) -> None:
        if self._spdy is not None:
            self._spdy.close()
