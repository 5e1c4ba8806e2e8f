"""The websocket frame reader over a source that hands out bytes in arbitrary pieces, as a TLS socket does."""

from __future__ import annotations

import random

import pytest
from websocket import ABNF

from tui.services.exec.ws_frames import MessageReader, ProtocolError


class Pieces:
    """recv / recv_into returning at most a random number of bytes per call (never more than asked)."""

    def __init__(self, data: bytes, seed: int) -> None:
        self._data = data
        self._at = 0
        self._random = random.Random(seed)

    def _take(self, size: int) -> bytes:
        count = min(size, self._random.randint(1, 20_000))
        piece = self._data[self._at : self._at + count]
        self._at += len(piece)
        return piece

    def recv(self, size: int, /) -> bytes:
        return self._take(size)

    def recv_into(self, buffer: memoryview, size: int, /) -> int:
        piece = self._take(min(size, len(buffer)))
        buffer[: len(piece)] = piece
        return len(piece)


class Socket:
    def __init__(self) -> None:
        self.pongs: list[bytes] = []
        self.closes = 0

    def pong(self, payload: bytes) -> None:
        self.pongs.append(payload)

    def send_close(self) -> None:
        self.closes += 1


def frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    if len(payload) < 1 << 16:
        return head + bytes([126]) + len(payload).to_bytes(2, "big") + payload
    return head + bytes([127]) + len(payload).to_bytes(8, "big") + payload


def read_all(data: bytes, seed: int, read_size: int = 10) -> tuple[list[tuple[int, bytes]], Socket]:
    socket = Socket()
    reader = MessageReader(socket, Pieces(data, seed), read_size=read_size)  # type: ignore[arg-type]
    messages = []
    while (message := reader.message()) is not None:
        messages.append((message[0], bytes(message[1])))
        if message[0] == ABNF.OPCODE_CLOSE:
            break
    return messages, socket


@pytest.mark.parametrize("read_size", [10, 1 << 16], ids=["header reads", "socket-sized reads"])
def test_messages_of_every_length_form_come_whole_however_the_bytes_arrive(read_size: int) -> None:
    rng = random.Random(7)
    payloads = [b"", b"x", bytes(125), rng.randbytes(126), rng.randbytes(22_000), rng.randbytes(70_000)]
    stream = b"".join(frame(ABNF.OPCODE_BINARY, p) for p in payloads)
    stream += frame(ABNF.OPCODE_PING, b"are you there")
    stream += frame(ABNF.OPCODE_BINARY, b"first half ", fin=False) + frame(ABNF.OPCODE_CONT, b"second half")
    stream += frame(ABNF.OPCODE_CLOSE, b"\x03\xe8bye") + frame(ABNF.OPCODE_BINARY, b"never read")
    for seed in range(20):
        messages, socket = read_all(stream, seed, read_size)
        assert [p for _, p in messages[: len(payloads)]] == payloads
        assert messages[len(payloads)] == (ABNF.OPCODE_BINARY, b"first half second half")
        assert messages[-1] == (ABNF.OPCODE_CLOSE, b"\x03\xe8bye")
        assert len(messages) == len(payloads) + 2
        assert (socket.pongs, socket.closes) == ([b"are you there"], 1)


@pytest.mark.parametrize("read_size", [10, 1 << 16], ids=["header reads", "socket-sized reads"])
def test_a_stream_cut_inside_a_frame_ends_without_a_partial_message(read_size: int) -> None:
    whole = frame(ABNF.OPCODE_BINARY, b"a" * 300) + frame(ABNF.OPCODE_BINARY, b"b" * 40_000)
    for cut in (1, 3, 100, 304, 305, 306, 2000, len(whole) - 1):
        messages, _ = read_all(whole[:cut], seed=cut, read_size=read_size)
        assert messages == ([(ABNF.OPCODE_BINARY, b"a" * 300)] if cut >= 304 else []), cut


def test_a_masked_frame_a_stray_continuation_or_a_huge_length_is_a_protocol_error() -> None:
    masked = bytes([0x82, 0x80 | 3]) + b"\0\0\0\0abc"
    stray = frame(ABNF.OPCODE_CONT, b"orphan")
    huge = bytes([0x82, 127]) + (1 << 40).to_bytes(8, "big")  # no buffer of a terabyte is made for it
    for data in (masked, stray, huge):
        reader = MessageReader(Socket(), Pieces(data, 1))  # type: ignore[arg-type]
        try:
            reader.message()
        except ProtocolError:
            continue
        raise AssertionError(f"no protocol error for {data!r}")


class Counted(Pieces):
    """All that is asked for, as a socket holding it all gives it; counts the reads."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data, 0)
        self.reads = 0

    def _take(self, size: int) -> bytes:
        self.reads += 1
        piece = self._data[self._at : self._at + size]
        self._at += len(piece)
        return piece


def test_small_frames_are_cut_out_of_socket_sized_reads_and_said_to_be_held() -> None:
    payloads = [bytes([1]) + bytes([65 + i % 26]) * (3000 + i) for i in range(40)]  # a terminal's output frames
    stream = b"".join(frame(ABNF.OPCODE_BINARY, p) for p in payloads)
    source = Counted(stream)
    reader = MessageReader(Socket(), source, read_size=1 << 14)  # type: ignore[arg-type]
    assert not reader.holds_frame()
    got, held = [], []
    while (message := reader.message()) is not None:
        got.append(bytes(message[1]))
        held.append(reader.holds_frame())
    assert got == payloads
    assert source.reads <= len(stream) // (1 << 14) + 2 * len(payloads) // 5  # most frames need no read of their own
    assert held.count(True) >= len(payloads) // 2 and held[-1] is False
