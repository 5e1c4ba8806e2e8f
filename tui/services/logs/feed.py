"""From the stream threads to the UI thread: LogFeed batches events (one wake-up per batch, bounded memory) and
merge_batch orders the lines of several sources by time."""

from __future__ import annotations

import threading
import time

from tui.models.logs.lines import LogChunk, StreamEvent, StreamGap, StreamRestarted, sort_key


class _Run:
    """Consecutive chunks of one source waiting in the feed: one object however many reads they came in (a flood
    arrives in a great many small reads; one object per read outlived the young GC generations)."""

    __slots__ = ("lines", "parts", "size", "source")

    def __init__(self, source: int) -> None:
        self.source = source
        self.parts: list[bytes] = []
        self.size = 0
        self.lines = 0

    def chunk(self) -> LogChunk:
        return LogChunk(self.source, b"".join(self.parts), self.lines)


class LogFeed:
    """Where stream threads leave events for the UI thread.

    `add` returns True only for the first event since the last `take`, so each thread posts one wake-up message
    per batch however fast lines come. A stream that runs more than `max_pending_bytes` ahead of the UI waits
    (TCP then slows the server down): memory stays bounded and no line is dropped.
    """

    RUN_BYTES = 512 * 1024  # a run is cut here, so the UI can take a flood in slices

    def __init__(self, max_pending_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_pending_bytes = max_pending_bytes
        self._changed = threading.Condition()
        self._events: list[StreamEvent | _Run] = []
        self._pending_bytes = 0
        self._fresh = True
        self._closed = False
        self.pending_since = 0.0  # when the oldest event not yet taken arrived (time.monotonic())
        self.sources_seen: set[int] = set()  # every source that has sent anything

    def add(self, event: StreamEvent) -> bool:
        with self._changed:
            if isinstance(event, LogChunk):
                while self._pending_bytes > self.max_pending_bytes and not self._closed:
                    self._changed.wait(0.2)
                self._pending_bytes += len(event.data)
            if self._closed:
                return False
            if not self._events:
                self.pending_since = time.monotonic()
            self.sources_seen.add(event.source)
            if isinstance(event, LogChunk):
                last = self._events[-1] if self._events else None
                if not (isinstance(last, _Run) and last.source == event.source and last.size < self.RUN_BYTES):
                    last = _Run(event.source)
                    self._events.append(last)
                last.parts.append(event.data)
                last.size += len(event.data)
                last.lines += event.lines
            else:
                self._events.append(event)
            wake, self._fresh = self._fresh, False
            return wake

    def take(self, max_bytes: int | None = None) -> tuple[list[StreamEvent], bool]:
        """The events since the last take (at most about `max_bytes` of lines), and whether more are left: then
        the caller takes again later, and no wake-up comes meanwhile. Taking in slices keeps each UI turn short."""
        with self._changed:
            size = 0
            cut = 0
            for cut, event in enumerate(self._events, 1):  # noqa: B007
                if isinstance(event, _Run):
                    size += event.size
                    if max_bytes is not None and size >= max_bytes:
                        break
            taken, self._events = self._events[:cut], self._events[cut:]
            self._pending_bytes = max(0, self._pending_bytes - size)
            more = bool(self._events)
            self.pending_since = time.monotonic()
            if not more:
                self._pending_bytes = 0
                self._fresh = True
            self._changed.notify_all()
        return [event.chunk() if isinstance(event, _Run) else event for event in taken], more

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._events = []
            self._changed.notify_all()


def merge_batch(events: list[StreamEvent]) -> list[StreamEvent]:
    """One batch, ready to append: consecutive chunks joined; where several sources interleave, their lines ordered
    by timestamp (a stable sort: each source keeps its own order). State changes come after the lines, in their
    order (so a stream that ended after its last line ends the batch ended); a gap or a restart stays where it
    happened."""
    merged: list[StreamEvent] = []
    states: list[StreamEvent] = []
    run: list[LogChunk] = []

    def flush() -> None:
        if not run:
            return
        if len({chunk.source for chunk in run}) == 1:
            data = b"".join(chunk.data for chunk in run)
            merged.append(LogChunk(run[0].source, data, sum(chunk.lines for chunk in run)))
        else:
            decorated = [
                (sort_key(line), order, chunk.source, line)
                for order, (chunk, line) in enumerate(
                    (chunk, line) for chunk in run for line in chunk.data.split(b"\n")[:-1]
                )
            ]
            decorated.sort()
            group: list[bytes] = []
            source = decorated[0][2]
            for _, _, line_source, line in decorated:
                if line_source != source:
                    merged.append(LogChunk(source, b"\n".join(group) + b"\n", len(group)))
                    group, source = [], line_source
                group.append(line)
            merged.append(LogChunk(source, b"\n".join(group) + b"\n", len(group)))
        run.clear()

    for event in events:
        if isinstance(event, LogChunk):
            run.append(event)
        elif isinstance(event, StreamGap | StreamRestarted):
            flush()
            merged.append(event)
        else:
            states.append(event)
    flush()
    return merged + states
