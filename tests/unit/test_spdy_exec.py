"""The SPDY exec client against a small fake server that speaks the protocol as the kubelet's does: the streams it
opens, stdin and its end, a ping answered in the middle of output, the status on the error stream. That it works
with the real API server and kwok is tested in tests/integration/test_exec_protocols.py."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import zlib
from pathlib import Path

from tests.unit.test_exec_choice import SWITCH_THEN_CLOSE, kube_at
from tui.services.exec.spdy import SpdyExec
from tui.services.exec.spdy_frames import DATA, PING, SYN_REPLY, SYN_STREAM, FrameReader, control, data_header, ping


class FakeKubelet:
    """Takes one SPDY exec: replies to each stream, echoes stdin to stdout once stdin ends, pings in between."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.request = b""
        self.streams: dict[int, str] = {}
        self.stdin = bytearray()
        self.stdin_ended = self.sent_output = False
        self.ping_answered = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        client, _ = self._listener.accept()
        with client:
            while b"\r\n\r\n" not in self.request:
                self.request += client.recv(4096)
            client.sendall(SWITCH_THEN_CLOSE)
            reader, headers = FrameReader(client), zlib.decompressobj()
            ids: dict[str, int] = {}
            while len(self.streams) < 4:
                frame = reader.frame()
                assert frame is not None and frame.kind == SYN_STREAM
                block = headers.decompress(bytes(frame.payload[6:]))  # after associated id, priority and slot
                kind = block[8 + 10 + 4 :].decode()  # one pair: streamtype = kind
                self.streams[frame.stream_id], ids[kind] = kind, frame.stream_id
                client.sendall(control(SYN_REPLY, 0, struct.pack("!I", frame.stream_id) + b"\x78\x9c\x03\x00"))
            client.sendall(ping(2))
            client.settimeout(10)  # a client that never answers: the status comes anyway, and the test fails
            with contextlib.suppress(TimeoutError):
                self._exchange(client, reader, ids)
            status = json.dumps({"metadata": {}, "status": "Success"}).encode()
            client.sendall(data_header(ids["error"], len(status), fin=True) + status)

    def _exchange(self, client: socket.socket, reader: FrameReader, ids: dict[str, int]) -> None:
        """Stdin until its end; then the output, and the answer to the ping."""
        while not (self.stdin_ended and self.ping_answered.is_set()):
            frame = reader.frame()
            assert frame is not None
            if frame.kind == PING:
                self.ping_answered.set()
            elif frame.kind == DATA and frame.stream_id == ids["stdin"]:
                self.stdin += frame.payload
                self.stdin_ended = frame.fin
            if self.stdin_ended and not self.sent_output:  # the client reads (and answers pings) from now
                for kind, data in (("stdout", bytes(self.stdin)), ("stderr", b"warned\n")):
                    client.sendall(data_header(ids[kind], len(data), fin=True) + data)
                self.sent_output = True

    def close(self) -> None:
        self._listener.close()
        self._thread.join(timeout=5)


def test_streams_stdin_its_end_a_ping_and_the_status(tmp_path: Path) -> None:
    kubelet = FakeKubelet()
    try:
        stream = SpdyExec(kube_at(tmp_path, kubelet.url, "auto"), "ns", "exp", ["cat"], "main", stdin=True)
        stream.write(b"x" * 3_000_000)
        stream.close_stdin()
        echoed = b"".join(bytes(chunk) for chunk in stream.stdout())
        outcome = stream.outcome()
        stream.close()
    finally:
        kubelet.close()
    request = kubelet.request.decode()
    assert request.startswith("POST /api/v1/namespaces/ns/pods/exp/exec?command=cat&stdin=true&stdout=true")
    assert "container=main" in request and "Upgrade: SPDY/3.1" in request
    assert "X-Stream-Protocol-Version: v4.channel.k8s.io" in request and "Authorization: Bearer not-checked" in request
    assert kubelet.streams == {1: "error", 3: "stdin", 5: "stdout", 7: "stderr"}
    assert kubelet.stdin_ended and kubelet.ping_answered.is_set()
    assert echoed == b"x" * 3_000_000
    assert (outcome.succeeded, outcome.stderr) == (True, b"warned\n")
