"""Stream pairs over one SPDY connection (tui/services/forward/spdy_session.py) against a small fake kubelet on a
socket pair: each pair gets its own bytes whatever the order they come in, the error stream's words, pings
answered, and a cut connection ends every pair with the reason."""

from __future__ import annotations

import socket
import struct
import threading
import zlib
from collections.abc import Iterator

import pytest

from tui.services.exec.socket_turns import SocketTurns
from tui.services.exec.spdy_frames import (
    DATA,
    PING,
    SYN_REPLY,
    SYN_STREAM,
    FrameReader,
    control,
    data_header,
    ping,
)
from tui.services.forward.pair import ForwardBroken
from tui.services.forward.spdy_session import SpdyConnection


def headers_of(block: bytes, inflate: zlib._Decompress) -> dict[str, str]:
    """A SYN_STREAM's header block (names are lower-cased on the wire: Go's http.Header takes either)."""
    raw, headers = inflate.decompress(block), {}
    count, at = struct.unpack_from("!I", raw)[0], 4
    for _ in range(count):
        size = struct.unpack_from("!I", raw, at)[0]
        name, at = raw[at + 4 : at + 4 + size].decode(), at + 4 + size
        size = struct.unpack_from("!I", raw, at)[0]
        headers[name], at = raw[at + 4 : at + 4 + size].decode(), at + 4 + size
    return headers


class FakeKubelet:
    """Replies to every stream; a data stream to port 9 gets the kubelet's refusal on its error stream; other
    data is answered upper-cased once its sender closes its side. Pings it receives are recorded."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.pings, self.lock = sock, [], threading.Lock()
        self.streams: dict[int, dict[str, str]] = {}
        self.errors: dict[str, int] = {}  # requestID -> error stream
        self.received: dict[int, bytes] = {}
        threading.Thread(target=self.serve, daemon=True).start()

    def send(self, data: bytes) -> None:
        with self.lock:
            self.sock.sendall(data)

    def serve(self) -> None:
        reader, inflate = FrameReader(self.sock), zlib.decompressobj()
        while (frame := reader.frame()) is not None:
            if frame.kind == SYN_STREAM:
                headers = headers_of(bytes(frame.payload[6:]), inflate)  # after associated id and priority
                self.streams[frame.stream_id] = headers
                self.send(control(SYN_REPLY, 0, struct.pack("!I", frame.stream_id)))
                if headers["streamtype"] == "error":
                    self.errors[headers["requestid"]] = frame.stream_id
                elif headers["port"] == "9":
                    error = self.errors[headers["requestid"]]
                    words = b"dial tcp4 127.0.0.1:9: connect: connection refused"
                    self.send(data_header(error, len(words), fin=True) + words)
                    self.send(data_header(frame.stream_id, 0, fin=True))
            elif frame.kind == PING:
                self.pings.append(int.from_bytes(frame.payload[:4], "big"))
            elif frame.kind == DATA and self.streams.get(frame.stream_id, {}).get("streamtype") == "data":
                self.received[frame.stream_id] = self.received.get(frame.stream_id, b"") + bytes(frame.payload)
                if frame.fin:
                    answer = self.received[frame.stream_id].upper()
                    self.send(data_header(frame.stream_id, len(answer), fin=True) + answer)


@pytest.fixture
def pair_of_ends() -> Iterator[tuple[SpdyConnection, FakeKubelet, socket.socket]]:
    ours, theirs = socket.socketpair()
    kubelet = FakeKubelet(theirs)
    connection = SpdyConnection(SocketTurns(ours))
    yield connection, kubelet, theirs
    connection.close()
    theirs.close()


def test_each_pair_gets_its_own_bytes_and_the_kubelets_words(
    pair_of_ends: tuple[SpdyConnection, FakeKubelet, socket.socket],
) -> None:
    connection, kubelet, _ = pair_of_ends
    first, second = connection.open(8080), connection.open(8080)
    second.send(b"second")
    first.send(b"first")
    second.close_write()
    first.close_write()
    assert b"".join(second.chunks()) == b"SECOND" and b"".join(first.chunks()) == b"FIRST"
    assert first.error_text() == "" and second.error_text() == ""
    refused = connection.open(9)
    assert b"".join(refused.chunks()) == b""
    assert refused.error_text() == "dial tcp4 127.0.0.1:9: connect: connection refused"
    assert [kubelet.streams[stream]["requestid"] for stream in sorted(kubelet.streams)] == [
        "0",
        "0",
        "1",
        "1",
        "2",
        "2",
    ]


def test_the_servers_pings_are_answered(pair_of_ends: tuple[SpdyConnection, FakeKubelet, socket.socket]) -> None:
    connection, kubelet, _ = pair_of_ends
    kubelet.send(ping(2))
    opened = connection.open(8080)  # a round trip after the ping: its answer has been sent by now
    opened.close_write()
    assert b"".join(opened.chunks()) == b""
    assert kubelet.pings == [2]


def test_a_cut_connection_ends_every_pair_with_the_reason(
    pair_of_ends: tuple[SpdyConnection, FakeKubelet, socket.socket],
) -> None:
    connection, _, theirs = pair_of_ends
    opened = connection.open(8080)
    theirs.shutdown(socket.SHUT_RDWR)
    assert list(opened.chunks()) == []
    assert opened.error_text().startswith("the forward's connection ended: the connection to the pod was cut")
    assert not connection.alive
    with pytest.raises(ForwardBroken):
        connection.open(8080)
