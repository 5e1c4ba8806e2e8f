"""Many forwarded connections over one SPDY/3.1 connection to a pod's portforward, as kubectl does it: for each,
an error stream (closed at once on our side: the kubelet writes its words there) and a data stream, paired by a
request id. One reader thread hands each stream's frames to its pair; a pair's queue is bounded, so a local
client that does not read holds the connection back rather than filling memory (spdystream has no flow control).
"""

from __future__ import annotations

import contextlib
import queue
import struct
import threading
from collections.abc import Iterator

from tui.services.exec.outcome import connection_cut
from tui.services.exec.spdy_frames import (
    DATA,
    GOAWAY,
    PING,
    RST_STREAM,
    SYN_REPLY,
    FrameReader,
    HeaderCompressor,
    ProtocolError,
    control,
    data_header,
    ping,
    syn_stream,
)
from tui.services.forward.pair import ForwardBroken
from tui.services.forward.transport import Transport

REPLY_TIMEOUT_S = 15.0
QUEUE_CHUNKS = 64
WRITE_PIECE = 1 << 20
CANCEL = 5  # RST_STREAM status
_END = b""  # put on a pair's queue when its data stream has ended


class SpdyConnection:
    def __init__(self, transport: Transport, leftover: bytes = b"") -> None:
        self._transport = transport
        self._reader = FrameReader(transport, leftover)
        self._lock = threading.Lock()  # one frame at a time, and header blocks in the order they were compressed
        self._compressor = HeaderCompressor()
        self._next_id = 1  # a client's streams are odd
        self._requests = 0
        self._pairs: dict[int, SpdyPair] = {}
        self.lost = ""  # why the connection ended, once it has
        self._ended = threading.Event()
        threading.Thread(target=self._read, name="forward-spdy-reader", daemon=True).start()

    @property
    def alive(self) -> bool:
        return not self._ended.is_set()

    def open(self, port: int) -> SpdyPair:
        """A new stream pair to `port` in the pod, once the server has taken its data stream."""
        with self._lock:
            if self._ended.is_set():
                raise ForwardBroken(self.lost)
            error_id, data_id, request = self._next_id, self._next_id + 2, self._requests
            self._next_id += 4
            self._requests += 1
            pair = SpdyPair(self, data_id, error_id)
            self._pairs[error_id] = self._pairs[data_id] = pair
            headers = {"streamType": "error", "port": str(port), "requestID": str(request)}
            try:
                self._transport.sendall(syn_stream(error_id, self._compressor.block(headers)))
                self._transport.sendall(data_header(error_id, 0, fin=True))  # nothing is written on it
                headers["streamType"] = "data"
                self._transport.sendall(syn_stream(data_id, self._compressor.block(headers)))
            except OSError as exc:
                self._end(connection_cut(exc))
                raise ForwardBroken(self.lost) from exc
        if not pair.replied.wait(REPLY_TIMEOUT_S):
            pair.close()
            raise ForwardBroken(f"the pod's side did not open a stream in {REPLY_TIMEOUT_S:.0f}s")
        if pair.refused:
            pair.close()
            raise ForwardBroken(pair.refused)
        return pair

    def send(self, data: bytes | memoryview) -> None:
        try:
            with self._lock:
                self._transport.sendall(data)
        except OSError as exc:
            self._end(connection_cut(exc))
            raise ForwardBroken(self.lost) from exc

    def send_data(self, stream_id: int, data: bytes | memoryview) -> None:
        view = memoryview(data)
        for start in range(0, len(view), WRITE_PIECE):
            piece = view[start : start + WRITE_PIECE]
            try:
                with self._lock:
                    self._transport.sendall(data_header(stream_id, len(piece)))
                    self._transport.sendall(piece)
            except OSError as exc:
                self._end(connection_cut(exc))
                raise ForwardBroken(self.lost) from exc

    def forget(self, pair: SpdyPair) -> None:
        """Reset what is left of a pair's streams (as client-go's RemoveStreams does) and stop routing to it."""
        with self._lock:
            gone = [self._pairs.pop(stream_id, None) for stream_id in (pair.data_id, pair.error_id)]
            if self._ended.is_set() or not any(gone):
                return
            with contextlib.suppress(OSError):  # the connection's end is noticed by its reader
                for stream_id in (pair.data_id, pair.error_id):
                    self._transport.sendall(control(RST_STREAM, 0, struct.pack("!II", stream_id, CANCEL)))

    def _read(self) -> None:
        reason = ""
        try:
            while (frame := self._reader.frame()) is not None:
                pair = self._pairs.get(frame.stream_id)
                if frame.kind == DATA and pair is not None:
                    pair.on_data(frame.stream_id, frame.payload, frame.fin)
                elif frame.kind == SYN_REPLY and pair is not None:
                    pair.on_reply(frame.stream_id, frame.fin)
                elif frame.kind == RST_STREAM and pair is not None:
                    pair.on_reset(frame.stream_id)
                elif frame.kind == PING:
                    ping_id = int.from_bytes(frame.payload[:4], "big")
                    if ping_id % 2 == 0:  # the server's own: answered; ours (odd) would come back
                        with contextlib.suppress(ForwardBroken):
                            self.send(ping(ping_id))
                elif frame.kind == GOAWAY:
                    reason = "the API server closed the forward's connection (going away)"
        except (OSError, ProtocolError) as exc:
            reason = connection_cut(exc)
        self._end(reason or connection_cut(ConnectionResetError()))

    def _end(self, reason: str) -> None:
        if self._ended.is_set():
            return
        self.lost = reason
        self._ended.set()
        for pair in list(self._pairs.values()):
            pair.on_lost(reason)
        self.close()

    def close(self) -> None:
        self._ended.set()
        self.lost = self.lost or "closed"
        self._transport.close()


class SpdyPair:
    def __init__(self, connection: SpdyConnection, data_id: int, error_id: int) -> None:
        self._connection = connection
        self.data_id, self.error_id = data_id, error_id
        self.replied = threading.Event()
        self.refused = ""
        self._queue: queue.Queue[bytes | bytearray] = queue.Queue(QUEUE_CHUNKS)
        self._error = bytearray()
        self._error_done = threading.Event()
        self._data_done = False
        self._write_closed = False
        self._closed = False
        self.lost = ""

    # ---------------------------------------------------------------- from the reader thread

    def on_data(self, stream_id: int, payload: bytearray, fin: bool) -> None:
        if stream_id == self.error_id:
            self._error += payload
            if fin:
                self._error_done.set()
            return
        if payload:
            self._put(payload)
        if fin:
            self._finish_data()

    def on_reply(self, stream_id: int, fin: bool) -> None:
        if stream_id == self.data_id:
            self.replied.set()
        if fin:
            self.on_data(stream_id, bytearray(), True)

    def on_reset(self, stream_id: int) -> None:
        if stream_id == self.data_id and not self.replied.is_set():
            self.refused = "the pod's side refused the stream"
            self.replied.set()
        self.on_data(stream_id, bytearray(), True)

    def on_lost(self, reason: str) -> None:
        self.lost = reason
        if not self.replied.is_set():
            self.refused = reason
            self.replied.set()
        self._error_done.set()
        self._finish_data()

    def _finish_data(self) -> None:
        if not self._data_done:
            self._data_done = True
            self._put(_END)

    def _put(self, chunk: bytes | bytearray) -> None:
        while not self._closed:
            try:
                self._queue.put(chunk, timeout=0.5)
                return
            except queue.Full:
                continue

    # ---------------------------------------------------------------- from the connection's own threads

    def send(self, data: bytes | memoryview) -> None:
        self._connection.send_data(self.data_id, data)

    def close_write(self) -> None:
        if not self._write_closed:
            self._write_closed = True
            with contextlib.suppress(ForwardBroken):  # a lost connection ends the reads too
                self._connection.send(data_header(self.data_id, 0, fin=True))

    def chunks(self) -> Iterator[bytes | bytearray]:
        while not self._closed:
            chunk = self._queue.get()
            if chunk is _END:
                return
            yield chunk

    def error_text(self) -> str:
        self._error_done.wait(1.0)  # the kubelet writes its words before it closes the data stream
        text = self._error.decode(errors="replace").strip()
        return text or (f"the forward's connection ended: {self.lost}" if self.lost else "")

    def close(self) -> None:
        self._closed = True
        self._connection.forget(self)
