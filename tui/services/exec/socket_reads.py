"""Reading a frame's payload off a (TLS) socket straight into its own buffer, for the websocket and SPDY readers."""

from __future__ import annotations

from typing import Protocol


class FrameSource(Protocol):
    def recv(self, size: int, /) -> bytes: ...

    def recv_into(self, buffer: memoryview, size: int, /) -> int: ...


def payload_of(source: FrameSource, length: int, start: bytes | bytearray | memoryview) -> bytearray | None:
    """`length` bytes: `start` (what a header read took already), then the rest read from the socket into the
    payload itself (TLS decrypts into it: no copy after that). None when the connection ends first."""
    payload = bytearray(length)
    held = len(start)
    payload[:held] = start
    with memoryview(payload) as view:
        while held < length:
            count = source.recv_into(view[held:], length - held)
            if not count:
                return None
            held += count
    return payload
