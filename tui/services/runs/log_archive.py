"""One container's archived log: a gzip file of lines as the API server sends them with `timestamps=true`
(`<RFC3339Nano> <line>\\n`), kept in the run's folder as `<container>.log.gz`.

Each flush appends a gzip member of its own (a file of several members is still one gzip file: `zcat` reads it).
A crash can only tear the member being written: a reader takes the whole members and stops there, and the next
appender cuts the torn one off before it writes (its lines come again from the server, resumed from the last
whole member). Lines are bytes, stored unchanged whatever they hold (escape sequences, NULs, invalid UTF-8):
making them safe to show is the Logs screen's job.
"""

from __future__ import annotations

import fcntl
import gzip
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.models.logs.lines import timestamp_ns, timestamp_token

FLUSH_S = 1.0  # lines wait at most about this long before they are on disk (the caller's timer calls flush_due)
FLUSH_LINES = 5000
FLUSH_BYTES = 1024 * 1024
COMPRESS_LEVEL = 5  # fast enough for a flood of many pods, most of level 9's size
READ_BYTES = 256 * 1024


def archive_path(folder: Path, key: str) -> Path:
    """The archive `key` (archive_key) in a run's folder: `<container>.log.gz`, a Job pod's in a folder named after
    the pod (container and pod names are DNS labels and subdomains: safe as file names)."""
    return folder / f"{key}.log.gz"


def archive_key(kind: str, pod: str, container: str) -> str:
    """The name of a container's archive in its run: the container's for a Pod's run; `pod/container` for a Job's,
    whose pods (a failed one's retries, an Indexed Job's) each keep their own log."""
    return f"{pod}/{container}" if kind == "Job" else container


def key_parts(key: str) -> tuple[str, str]:
    """(pod, container) of an archive key; the pod is "" for a Pod's run (its pod is the run's)."""
    pod, _, container = key.rpartition("/")
    return pod, container


@dataclass(frozen=True)
class ArchiveScan:
    """What an archive holds: its lines, where its whole members end, and the resume point (the last line's
    timestamp and how many lines at the end carry exactly it: those a resumed stream must not repeat)."""

    lines: int = 0
    whole_bytes: int = 0
    last_token: bytes = b""
    last_run: int = 0
    torn: bool = False  # after the whole members: a member cut short (a crash) or bytes that are no gzip

    @property
    def last_time(self) -> str:
        return self.last_token.decode("ascii", "replace")


def archived_blocks(path: Path, start: int = 0) -> Iterator[tuple[bytes, int]]:
    """Each whole member's lines (with their timestamps) and the file offset where it ends, from the member that
    starts at `start` (an offset a previous reading returned); stops at a member that is cut short or damaged, or
    still being written. A missing file has none."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        return
    with raw:
        raw.seek(start)
        offset = start  # where the member being decoded starts
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        consumed = 0  # bytes of the current member fed so far
        data = raw.read(READ_BYTES)
        while data:
            try:
                parts.append(decoder.decompress(data))
            except zlib.error:
                return
            if not decoder.eof:
                consumed += len(data)
                data = raw.read(READ_BYTES)
                continue
            rest = decoder.unused_data
            offset += consumed + len(data) - len(rest)
            yield b"".join(parts), offset
            decoder, parts, consumed = zlib.decompressobj(16 + zlib.MAX_WBITS), [], 0
            data = rest or raw.read(READ_BYTES)


def strip_timestamp(line: bytes) -> bytes:
    """The line without the timestamp the server put before it (unchanged when it has none)."""
    if line[29:31] == b"Z ":  # a kubelet's fixed-width stamp: the common case, checked cheaply
        return line[31:]
    token = timestamp_token(line)
    return line[len(token) + 1 :] if token and timestamp_ns(token) is not None else line


def read_archived(path: Path) -> Iterator[bytes]:
    """The archived lines without their timestamps, each with its "\\n": joined, byte for byte what `kubectl logs`
    printed. A member torn by a crash ends the reading quietly (what is whole is read)."""
    for block, _ in archived_blocks(path):
        lines = block.split(b"\n")  # (not splitlines: a "\r" inside a line is part of it)
        lines.pop()  # after the last "\n"
        for line in lines:
            yield strip_timestamp(line) + b"\n"


def scan_archive(path: Path) -> ArchiveScan:
    """Read the archive through once: its line count, whole size and resume point."""
    lines = whole = run = 0
    token = b""
    for block, whole in archived_blocks(path):  # noqa: B007 (the last offset is the whole size)
        block_lines = block.split(b"\n")
        block_lines.pop()
        lines += len(block_lines)
        last = timestamp_token(block_lines[-1]) if block_lines else b""
        same = 0
        for line in reversed(block_lines):
            if timestamp_token(line) != last:
                break
            same += 1
        run = same + (run if same == len(block_lines) and last == token else 0)
        token = last
    size = path.stat().st_size if path.exists() else 0
    return ArchiveScan(lines, whole, token, run, torn=size > whole)


class ArchiveBusy(Exception):
    """Another process (a second app instance) appends to this archive now."""


class ArchiveAppender:
    """Appends whole lines to one archive, a gzip member per flush. `append` runs on the stream's thread and
    flushes when FLUSH_LINES or FLUSH_BYTES are waiting; a timer calls `flush_due` so that a quiet log's last
    lines are written within FLUSH_S too. Memory: at most FLUSH_BYTES plus the block being appended.

    The file stays locked (flock) while the appender is open: a second app instance gets ArchiveBusy instead of
    writing the same lines between this one's."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab", buffering=0)
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._file.close()
            raise ArchiveBusy(f"{path} is being archived by another k8sx-tui") from exc
        self.scan = scan_archive(path)  # what was archived before this appender
        if self.scan.torn:  # a crash tore the last member: cut it off, or nothing appended after it could be read
            os.ftruncate(self._file.fileno(), self.scan.whole_bytes)
        self.lines = self.scan.lines
        self.last_time = self.scan.last_time
        self._lock = threading.Lock()
        self._pending: list[bytes] = []
        self._pending_lines = 0
        self._pending_bytes = 0
        self._since = 0.0  # when the oldest pending block came

    def append(self, block: bytes) -> None:
        """Complete lines, `timestamp line\\n` each (a missing last newline is added: lines stay whole)."""
        if not block:
            return
        if not block.endswith(b"\n"):
            block += b"\n"
        with self._lock:
            if not self._pending:
                self._since = self.clock()
            self._pending.append(block)
            self._pending_lines += block.count(b"\n")
            self._pending_bytes += len(block)
            if self._pending_lines >= FLUSH_LINES or self._pending_bytes >= FLUSH_BYTES:
                self._write()

    def flush_due(self) -> bool:
        """Write what waited FLUSH_S or longer; whether anything was written."""
        with self._lock:
            if not self._pending or self.clock() - self._since < FLUSH_S:
                return False
            self._write()
            return True

    def flush(self) -> bool:
        """Write whatever waits; whether anything was written."""
        with self._lock:
            if not self._pending:
                return False
            self._write()
            return True

    def close(self) -> None:
        """Write what waits and let another process append."""
        with self._lock:
            if self._file.closed:
                return
            try:
                if self._pending:
                    self._write()
            finally:
                self._file.close()  # (closing releases the lock)

    def _write(self) -> None:
        data = b"".join(self._pending)
        member = gzip.compress(data, compresslevel=COMPRESS_LEVEL, mtime=0)
        view = memoryview(member)
        while view:  # a whole member at the end of the file, or (a crash) a torn one that the next appender cuts off
            view = view[self._file.write(view) or 0 :]
        last = data[data.rfind(b"\n", 0, len(data) - 1) + 1 :]
        token = timestamp_token(last)
        if token:
            self.last_time = token.decode("ascii", "replace")
        self.lines += self._pending_lines
        self._pending, self._pending_lines, self._pending_bytes = [], 0, 0
