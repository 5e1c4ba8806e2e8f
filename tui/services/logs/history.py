"""Every log line ever received, with bounded memory: a window of recent bytes in memory, the rest in a temp file.

Per line only 10 bytes stay in memory (its start offset and its source), so a million lines cost about 10 MB plus
the window, and search, filter and save still cover the whole history. Lines are stored as the server sent them
(`timestamp message\\n`), appended in blocks: no Python object per line survives an append.

The UI thread appends; search and save workers read from other threads (reads take the lock, scans do not).
"""

from __future__ import annotations

import os
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate, count
from operator import add
from typing import IO

from tui.models.logs.match import LogMatcher

WINDOW_BYTES = 32 * 1024 * 1024
SCAN_BLOCK_BYTES = 4 * 1024 * 1024
SPILL_BYTES = 4 * 1024 * 1024
MARKER_SOURCE = 0xFFFF  # a line the app wrote itself (e.g. "lines may be missing here"), not the container


class LogHistory:
    def __init__(self, window_bytes: int | None = None, spill_dir: str | None = None) -> None:
        self.window_bytes = window_bytes or WINDOW_BYTES
        self.spill_dir = spill_dir
        self._lock = threading.Lock()
        self._starts = array("q", [0])  # where line i starts; the last entry is where the next line will start
        self._sources = array("H")
        # The window: appended blocks still in memory, oldest first, from index _head on (bytes [_window_start, end)).
        self._blocks: list[bytes] = []
        self._block_starts: list[int] = []
        self._head = 0
        self._window_start = 0
        self._memory = 0
        self._spill: IO[bytes] | None = None
        self._spilling = False
        self._closed = False
        self.longest = 0  # the longest line's length in bytes (for the horizontal scroll range)
        # One spill thread for the history's life, woken when the window is full: starting a thread waits until it
        # runs, which on a busy machine held up the UI thread in the middle of a flood.
        self._spill_wanted = threading.Event()
        threading.Thread(target=self._spill_loop, name="log-history-spill", daemon=True).start()

    def __len__(self) -> int:
        return len(self._sources)

    @property
    def total_bytes(self) -> int:
        return self._starts[-1]

    @property
    def spilled_bytes(self) -> int:
        """How much of the history lives in the temp file rather than in memory."""
        return self._window_start

    def memory_bytes(self) -> int:
        """What the history holds in memory (the window and the per-line index)."""
        return self._memory + self._starts.itemsize * len(self._starts) + self._sources.itemsize * len(self)

    # ---------------------------------------------------------------- writing

    def append(self, source: int, data: bytes) -> int:
        """Append complete lines (`data` ends with a newline) of one source; returns the index of the first."""
        if not data:
            return len(self)
        if not data.endswith(b"\n"):
            data += b"\n"
        lines = data.split(b"\n")
        lines.pop()
        longest = max(map(len, lines))
        with self._lock:
            first = len(self._sources)
            base = self._starts[-1]
            self._starts.extend(map(add, accumulate(map(len, lines)), count(base + 1)))
            self._sources.extend(array("H", [source]) * len(lines))
            self._blocks.append(data)
            self._block_starts.append(base)
            self._memory += len(data)
            self.longest = max(self.longest, longest)
            spill = self._memory > self.window_bytes and not self._spilling and not self._closed
            if spill:
                self._spilling = True
        if spill:
            self._spill_wanted.set()
        return first

    def append_marker(self, timestamp: bytes, text: str) -> int:
        """A line the app writes itself, e.g. where lines may be missing; drawn differently, never saved as log."""
        return self.append(MARKER_SOURCE, (timestamp or b"0000-00-00T00:00:00Z") + b" " + text.encode() + b"\n")

    def _spill_loop(self) -> None:
        while True:
            self._spill_wanted.wait()
            self._spill_wanted.clear()
            if self._closed:
                return
            self._spill_oldest()

    def _spill_oldest(self) -> None:
        """Move the oldest blocks to the temp file until half the window is left. Runs on its own thread, so the
        UI thread that appends never waits for the disk; the blocks stay readable in memory until written."""
        try:
            while True:
                with self._lock:
                    if self._closed or self._memory <= self.window_bytes // 2:
                        self._spilling = False
                        return
                    if self._spill is None:
                        # Lives as long as the history (closed in close()); unlinked at once: nothing is left behind.
                        self._spill = tempfile.TemporaryFile(prefix="k8sx-logs-", dir=self.spill_dir)  # noqa: SIM115
                    fd = self._spill.fileno()
                    taken: list[bytes] = []
                    size = 0
                    index = self._head
                    while index < len(self._blocks) and size < SPILL_BYTES:
                        taken.append(self._blocks[index])
                        size += len(self._blocks[index])
                        index += 1
                    start = self._window_start
                os.pwrite(fd, b"".join(taken), start)
                with self._lock:
                    if self._closed:
                        self._spilling = False
                        return
                    for position in range(self._head, index):
                        self._blocks[position] = b""
                    self._head = index
                    self._window_start = start + size
                    self._memory -= size
                    if self._head > 4096:
                        del self._blocks[: self._head], self._block_starts[: self._head]
                        self._head = 0
        except (OSError, ValueError):  # closed meanwhile
            with self._lock:
                self._spilling = False

    # ---------------------------------------------------------------- reading

    def _read(self, start: int, end: int) -> bytes:
        """Bytes [start, end) of the history, from the temp file and/or the window. Call with the lock held."""
        parts: list[bytes] = []
        if start < self._window_start:
            assert self._spill is not None
            spilled_end = min(end, self._window_start)
            parts.append(os.pread(self._spill.fileno(), spilled_end - start, start))
            start = spilled_end
        if start < end:
            index = max(self._head, bisect_right(self._block_starts, start, self._head) - 1)
            while start < end and index < len(self._blocks):
                block_start = self._block_starts[index]
                block = self._blocks[index]
                parts.append(block[start - block_start : end - block_start])
                start = block_start + len(block)
                index += 1
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def lines(self, first: int, last: int) -> list[bytes]:
        """Lines first..last-1, without their newlines."""
        last = min(last, len(self))
        if first >= last:
            return []
        with self._lock:
            data = self._read(self._starts[first], self._starts[last])
        lines = data.split(b"\n")
        lines.pop()
        return lines

    def line(self, index: int) -> bytes:
        with self._lock:
            return self._read(self._starts[index], self._starts[index + 1] - 1)

    def line_size(self, index: int) -> int:
        """A line's length in bytes (without its newline)."""
        return self._starts[index + 1] - self._starts[index] - 1

    def line_part(self, index: int, start: int, stop: int) -> bytes:
        """Bytes [start, stop) of a line (clamped to it): a long line is read only where it is drawn."""
        with self._lock:
            begin, end = self._starts[index], self._starts[index + 1] - 1
            return self._read(min(end, begin + max(0, start)), min(end, begin + max(0, stop)))

    def source(self, index: int) -> int:
        return self._sources[index]

    def blocks(
        self, first: int = 0, last: int | None = None, block_bytes: int = SCAN_BLOCK_BYTES
    ) -> Iterator[tuple[int, int, bytes]]:
        """(first, last, bytes) of consecutive runs of whole lines, about `block_bytes` each: for scans and saves."""
        last = len(self) if last is None else min(last, len(self))
        starts = self._starts
        while first < last:
            stop = max(first + 1, bisect_left(starts, starts[first] + block_bytes, first + 1, last))
            with self._lock:
                data = self._read(starts[first], starts[stop])
            yield first, stop, data
            first = stop

    def find(self, matcher: LogMatcher, first: int = 0, last: int | None = None) -> Iterator[tuple[int, list[int]]]:
        """Matching line indices, block by block: (lines scanned up to, matches in that block)."""
        for block_first, block_last, data in self.blocks(first, last):
            yield block_last, matcher.find_lines(data, self._starts, block_first, block_last, self._starts[block_first])

    def iter_lines(self, indices: Iterable[int] | None = None) -> Iterator[tuple[int, bytes]]:
        """(index, line) of every line, or of the given (ascending) indices; read in blocks either way."""
        if indices is None:
            for first, _, data in self.blocks():
                for offset, line in enumerate(data.split(b"\n")[:-1]):
                    yield first + offset, line
            return
        batch: list[int] = []
        for index in indices:
            batch.append(index)
            if len(batch) >= 4096:
                yield from self._batch(batch)
                batch = []
        yield from self._batch(batch)

    def _batch(self, indices: list[int]) -> Iterator[tuple[int, bytes]]:
        if not indices:
            return
        first, last = indices[0], indices[-1] + 1
        if last - first <= 4 * len(indices):  # dense: one read
            lines = self.lines(first, last)
            yield from ((index, lines[index - first]) for index in indices)
        else:
            yield from ((index, self.line(index)) for index in indices)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._blocks, self._block_starts, self._head, self._memory = [], [], 0, 0
            if self._spill is not None:
                self._spill.close()
                self._spill = None
        self._spill_wanted.set()  # the spill thread ends
