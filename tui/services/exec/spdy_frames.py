"""SPDY/3.1 frames as Kubernetes' exec speaks them (moby/spdystream on the other end), for bulk streams.

A websocket exec is translated into SPDY by the API server (or, from 1.36, by the kubelet): every byte is taken
out of one framing and put into another. A SPDY exec is passed through as it is, which saves most of the API
server's CPU on a bulk copy. Only what a client of an exec needs is here: opening streams, data in
both directions, ping answers; spdystream has no flow control, so neither has this.

Header blocks are zlib-compressed without SPDY's preset dictionary: a zlib stream says whether it used one, and
Go's reader takes either. The server's header blocks (empty replies) are skipped, not decompressed.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from tui.services.exec.socket_reads import FrameSource, payload_of

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
DATA = 0  # not a control type: what Frame.kind says for a data frame
FLAG_FIN = 0x01
MAX_DATA = (1 << 24) - 1
HEADER_SIZE = 8


class ProtocolError(Exception):
    """The server sent what a SPDY peer must not."""


@dataclass
class Frame:
    kind: int  # DATA or a control frame type
    stream_id: int  # 0 for frames of the connection (settings, ping, goaway)
    flags: int
    payload: bytearray  # a data frame's bytes; a control frame's body after its stream id

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


class HeaderCompressor:
    """One zlib stream for every header block this side sends, as SPDY wants."""

    def __init__(self) -> None:
        self._zlib = zlib.compressobj()

    def block(self, headers: dict[str, str]) -> bytes:
        raw = bytearray(struct.pack("!I", len(headers)))
        for name, value in headers.items():
            name_bytes, value_bytes = name.lower().encode(), value.encode()
            raw += struct.pack("!I", len(name_bytes)) + name_bytes + struct.pack("!I", len(value_bytes)) + value_bytes
        return self._zlib.compress(bytes(raw)) + self._zlib.flush(zlib.Z_SYNC_FLUSH)


def control(kind: int, flags: int, body: bytes) -> bytes:
    return struct.pack("!HHI", 0x8000 | VERSION, kind, (flags << 24) | len(body)) + body


def syn_stream(stream_id: int, header_block: bytes, flags: int = 0) -> bytes:
    """Open stream `stream_id` (odd: ours); priority 0, no associated stream."""
    return control(SYN_STREAM, flags, struct.pack("!IIBB", stream_id, 0, 0, 0) + header_block)


def data_header(stream_id: int, length: int, fin: bool = False) -> bytes:
    """The 8 bytes before `length` bytes of data on a stream (sent apart: the data is not copied to join them)."""
    if length > MAX_DATA:
        raise ValueError(f"a data frame holds at most {MAX_DATA} bytes")
    return struct.pack("!II", stream_id & 0x7FFFFFFF, ((FLAG_FIN if fin else 0) << 24) | length)


def ping(ping_id: int) -> bytes:
    return control(PING, 0, struct.pack("!I", ping_id))


def goaway(last_stream: int = 0) -> bytes:
    return control(GOAWAY, 0, struct.pack("!II", last_stream, 0))


class FrameReader:
    """Frames in order off a (TLS) socket; None once the connection has ended. `initial` is what was read past
    the end of the upgrade response. A data frame's payload (at most 16 MiB: its length has 24 bits) is read
    straight into a bytearray of its own."""

    def __init__(self, source: FrameSource, initial: bytes = b"") -> None:
        self._source = source
        self._buffer = bytearray(initial)

    def frame(self) -> Frame | None:
        if not self._fill(HEADER_SIZE):
            return None
        first, second = struct.unpack_from("!II", self._buffer)
        flags, length = second >> 24, second & 0xFFFFFF
        del self._buffer[:HEADER_SIZE]
        held = min(len(self._buffer), length)
        payload = payload_of(self._source, length, self._buffer[:held])
        del self._buffer[:held]
        if payload is None:
            return None
        if not first & 0x80000000:
            return Frame(DATA, first & 0x7FFFFFFF, flags, payload)
        kind = first & 0xFFFF
        if kind in (SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE):
            if length < 4:
                raise ProtocolError(f"a control frame of type {kind} without a stream id")
            stream_id = struct.unpack_from("!I", payload)[0] & 0x7FFFFFFF
            return Frame(kind, stream_id, flags, payload[4:])
        return Frame(kind, 0, flags, payload)

    def _fill(self, needed: int) -> bool:
        """At least `needed` bytes buffered; reads no more than a header's worth (the payload follows)."""
        while len(self._buffer) < needed:
            data = self._source.recv(needed - len(self._buffer))
            if not data:
                return False
            self._buffer += data
        return True
