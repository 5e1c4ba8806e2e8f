"""The portforward subresource on the real node, each way the app can speak it: SPDY/3.1 straight, SPDY in the API
server's websocket tunnel, the kubelet's websocket channels. Run under flock /tmp/real-node.lock."""

from __future__ import annotations

import pytest

from tests.support.forward import HTTP_PORT, start_httpd
from tests.support.images import real_node_image
from tests.support.stack import StackEnv
from tui.services.forward.pair import StreamPair
from tui.services.forward.pod_link import ALL_WAYS, PodLink
from tui.services.kube.kube import KubeService

__all__ = ["real_node_image"]


def exchange(pair: StreamPair, request: bytes) -> bytes:
    if request:
        pair.send(request)
    pair.close_write()
    return b"".join(bytes(chunk) for chunk in pair.chunks())


@pytest.fixture
def httpd(stack: StackEnv, namespace: str, real_node_image: str) -> str:
    start_httpd(stack, namespace, "web", real_node_image)
    return "web"


@pytest.mark.parametrize("way", ALL_WAYS)
def test_each_way_carries_several_connections_and_says_what_the_kubelet_said(
    stack: StackEnv, namespace: str, httpd: str, way: str
) -> None:
    link = PodLink(KubeService(stack.kubeconfig, namespace=namespace), namespace, httpd, ways=[way])
    try:
        assert link.way == way
        pairs = [link.open(HTTP_PORT) for _ in range(3)]
        for pair in pairs:
            answer = exchange(pair, b"GET /small HTTP/1.0\r\n\r\n")
            assert answer.startswith(b"HTTP/1.") and answer.endswith(b"hello\n"), answer[:200]
            assert pair.error_text() == ""
            pair.close()
        refused = link.open(9)  # nothing listens there
        # Nothing sent: on the kubelet's channels a write racing the close can make the kernel drop the words.
        assert exchange(refused, b"") == b""
        assert "connection refused" in refused.error_text(), refused.error_text()
        refused.close()
        again = link.open(HTTP_PORT)  # the link outlives a refused connection
        assert exchange(again, b"GET /small HTTP/1.0\r\n\r\n").endswith(b"hello\n")
        again.close()
    finally:
        link.close()
