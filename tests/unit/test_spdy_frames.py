"""SPDY/3.1 frames as laid out in the draft-3 spec, and frames read back however the socket splits them."""

from __future__ import annotations

import struct
import zlib

import pytest

from tui.services.exec.spdy_frames import (
    DATA,
    GOAWAY,
    PING,
    SYN_REPLY,
    FrameReader,
    HeaderCompressor,
    ProtocolError,
    control,
    data_header,
    goaway,
    ping,
    syn_stream,
)


class Trickle:
    """A socket that hands out at most `step` bytes per call."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.at = data, step, 0

    def recv(self, size: int) -> bytes:
        piece = self.data[self.at : self.at + min(size, self.step)]
        self.at += len(piece)
        return piece

    def recv_into(self, buffer: memoryview, size: int) -> int:
        piece = self.recv(size)
        buffer[: len(piece)] = piece
        return len(piece)


def test_header_blocks_are_one_zlib_stream_that_a_reader_takes_block_by_block() -> None:
    compressor = HeaderCompressor()
    first, second = compressor.block({"streamType": "error"}), compressor.block({"streamType": "stdin"})
    reader = zlib.decompressobj()  # no preset dictionary asked for: Go's zlib reader takes such a stream too
    assert reader.decompress(first) == struct.pack("!II10sI5s", 1, 10, b"streamtype", 5, b"error")
    assert reader.decompress(second) == struct.pack("!II10sI5s", 1, 10, b"streamtype", 5, b"stdin")


def test_a_syn_stream_says_version_type_length_and_stream() -> None:
    frame = syn_stream(3, b"BLOCK")
    assert frame[:2] == b"\x80\x03" and frame[2:4] == b"\x00\x01"
    assert int.from_bytes(frame[4:8], "big") == 10 + len(b"BLOCK")  # flags 0, then the length
    assert struct.unpack("!IIBB", frame[8:18]) == (3, 0, 0, 0) and frame[18:] == b"BLOCK"


def test_a_data_header_carries_stream_fin_and_length() -> None:
    assert data_header(3, 1 << 20) == struct.pack("!II", 3, 1 << 20)
    assert data_header(3, 0, fin=True) == struct.pack("!II", 3, 0x01000000)
    with pytest.raises(ValueError):
        data_header(3, 1 << 24)


@pytest.mark.parametrize("step", [1, 3, 7, 1 << 16])
def test_frames_are_read_back_however_the_bytes_arrive(step: int) -> None:
    payload = bytes(range(256)) * 300
    wire = (
        control(SYN_REPLY, 0, struct.pack("!I", 5) + b"\x78\x9c")
        + data_header(5, len(payload))
        + payload
        + data_header(7, 0, fin=True)
        + ping(2)
        + goaway()
    )
    reader = FrameReader(Trickle(wire[10:], step), initial=wire[:10])  # as if the upgrade's read took 10 more
    frames = []
    while (frame := reader.frame()) is not None:
        frames.append((frame.kind, frame.stream_id, frame.fin, bytes(frame.payload)))
    assert frames == [
        (SYN_REPLY, 5, False, b"\x78\x9c"),
        (DATA, 5, False, payload),
        (DATA, 7, True, b""),
        (PING, 0, False, struct.pack("!I", 2)),
        (GOAWAY, 0, False, struct.pack("!II", 0, 0)),
    ]


def test_a_connection_cut_inside_a_frame_ends_the_frames() -> None:
    wire = data_header(5, 100) + b"x" * 40
    assert FrameReader(Trickle(wire, 16)).frame() is None


def test_a_control_frame_of_a_stream_without_its_stream_id_is_a_broken_stream() -> None:
    with pytest.raises(ProtocolError):
        FrameReader(Trickle(control(SYN_REPLY, 0, b"\x00\x01"), 64)).frame()
