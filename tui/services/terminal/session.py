"""One interface for an interactive program behind a pseudo-terminal: bytes in and out, a size, an end.

The backends (Kubernetes exec/attach, Docker exec, a local pty) block in `read()`; the UI calls it from a thread
worker and hands what it reads to the UI thread through an `OutputBuffer`, one batch per frame (during a flood,
without what would only scroll past unseen).
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_SHELLS: tuple[tuple[str, ...], ...] = (("bash",), ("sh",))
"""Tried in order: bash, else sh."""

_NOT_FOUND = re.compile(r"executable file not found|no such file or directory|not found in \$PATH", re.IGNORECASE)


def is_not_found(message: str) -> bool:
    """Whether a failed start means the program is not there (so the next shell may be tried)."""
    return bool(_NOT_FOUND.search(message))


def describe_command(command: tuple[str, ...] | list[str]) -> str:
    return " ".join(command)


@dataclass(frozen=True)
class SessionEnd:
    """How a session ended, in words. `exit_code` 0: the program exited normally (the tab may close)."""

    reason: str
    exit_code: int | None = None

    @property
    def clean(self) -> bool:
        return self.exit_code == 0


class SessionError(Exception):
    """A session could not start; the message says why, in words."""


def no_shell_message(tried: list[tuple[str, ...]], last_error: str) -> str:
    names = ", ".join(describe_command(command) for command in tried)
    return f"no shell in the image: tried {names} ({last_error.strip()})"


class TerminalSession(ABC):
    """An interactive program with a terminal. `read` blocks (call it from a worker thread); `write`, `resize`
    and `close` may be called from any thread and never raise; after the end, `end` says why."""

    title: str = ""
    warning: str = ""  # shown above the terminal, e.g. what ctrl-d does when attached to a container's process
    command: tuple[str, ...] = ()  # what runs (after a fallback: the shell that did start)
    read_only: bool = False  # the program takes no input (attached to a container without stdin)

    def __init__(self) -> None:
        self.end: SessionEnd | None = None
        self.closing = False

    @abstractmethod
    def open(self, columns: int, lines: int) -> None:
        """Connect and start the program at this size; raises SessionError."""

    @abstractmethod
    def read(self) -> bytes:
        """The next output, blocking; b"" once the session has ended (then `end` is set)."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Input for the program (keys, pastes, terminal replies)."""

    @abstractmethod
    def resize(self, columns: int, lines: int) -> None:
        """The terminal's new size, for the program's pty (the program sees SIGWINCH)."""

    @abstractmethod
    def close(self) -> None:
        """End this session's process (only it: a shell exec, never the container); `read` then returns b"".
        Does not block; `wait_closed` waits for what close started (the app does, when it exits)."""

    def wait_closed(self, timeout: float) -> None:  # noqa: B027 - most backends start nothing in the background
        """Wait (at most `timeout` seconds) until what `close` started in the background is done."""

    def describe(self) -> str:
        """What runs, for the info line."""
        return describe_command(self.command)

    def finish(self, end: SessionEnd) -> bytes:
        """Record the end (the first reason wins) and return the b"" that `read` returns."""
        if self.end is None:
            self.end = SessionEnd("closed") if self.closing else end
        return b""


Trim = Callable[[bytes, int], tuple[bytes, int] | None]
"""What waits, and up to where (the first of it that must stay) -> what waits with output left out, and how many
bytes were left out; None when nothing can be."""


TRIM_AT = 256 << 10  # less than this is fed whole (what can be left out of it costs more to find than to feed)


class OutputBuffer:
    """Output from a reader thread to the UI thread, in batches.

    `add` returns True only when the buffer was empty, so the reader posts one message per batch however many
    reads arrive before the UI takes them - or when it brings a typed character's echo (fed at once, then). Past
    `limit` bytes `trim` may leave out what the UI would never show (a flood's lines that would scroll past the
    scrollback), also around echoes waiting to be shown: the reader goes on at once, so the connection's own
    buffers stay empty and a key's echo waits behind at most what the screen and its scrollback hold. When nothing
    can be left out, `add` waits for the UI (backpressure: the connection slows down instead of memory growing).

    Offsets count the output as read: `start` is the offset of the first byte waiting (all before it was taken or
    left out), `end` that after the last.
    """

    def __init__(self, limit: int = 2 << 20, trim: Trim | None = None) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._limit = limit
        self._trim = trim
        self._trim_again_at = 0  # after a trim that left little out, the next waits for this offset
        self._echoes: list[tuple[bytes, int]] = []  # typed characters whose echo's line must stay
        self._echo_came = False  # one of them came since the last take: the next leaves out what it can
        self.start = 0
        self.left_out = 0
        self.taken_at = 0  # the offset of what the last `take` returned
        self._closed = False
        self._changed = threading.Condition()

    @property
    def end(self) -> int:
        with self._changed:
            return self.start + self._size

    def add(self, data: bytes) -> bool:
        with self._changed:
            if self._size >= self._limit:
                self._leave_out()
            while self._size >= self._limit and not self._closed:
                self._changed.wait(0.5)
            echo = any(echo in data for echo, _after in self._echoes)
            self._echo_came = self._echo_came or echo
            first = not self._chunks or echo
            self._chunks.append(data)
            self._size += len(data)
            return first

    def _leave_out(self, echo_came: bool = False) -> None:
        """What would scroll past unseen goes (the lock is held); at once when a typed character's echo came."""
        if self._trim is None or (self.start + self._size < self._trim_again_at and not echo_came):
            return
        waiting = b"".join(self._chunks)
        echoes = [
            found for echo, after in self._echoes if (found := waiting.find(echo, max(0, after - self.start))) >= 0
        ]
        # From the last echo back: each stretch keeps its first line (an echo's, but for the first) and loses what
        # would scroll past unseen before the next echo's line, counting all the lines after it. So the reader
        # goes on while echoes wait to be shown, and only what is seen is fed before each.
        count, bounds = 0, sorted({0, *echoes})
        for begin, until in zip(reversed(bounds), [None, *reversed(bounds[1:])], strict=True):
            trimmed = self._trim(waiting[begin:], len(waiting) - begin if until is None else until - begin)
            if trimmed is not None:
                waiting, count = waiting[:begin] + trimmed[0], count + trimmed[1]
        if count:
            self._chunks, self._size = [waiting], len(waiting)
            self.start += count
            self.left_out += count
        if count < self._limit // 4:  # little could go (long lines, escape sequences): not at every add
            self._trim_again_at = self.end + self._limit // 2

    @property
    def echo_came(self) -> bool:
        """Whether what was added since the last `take` holds a typed character whose echo is watched."""
        return self._echo_came

    def keep_echoes(self, echoes: list[tuple[bytes, int]]) -> None:
        """Characters typed, each with the offset after which its echo may come: the line of each echo stays (the
        UI shows it for a frame), and what would scroll past unseen goes before and after it."""
        with self._changed:
            self._echoes = echoes

    def take(self, limit: int | None = None) -> bytes:
        """What is waiting (whole reads, at most `limit` bytes); what is left stays for the next take. What would
        only scroll past unseen is left out first."""
        with self._changed:
            if self._size >= TRIM_AT:
                self._leave_out(self._echo_came)
            self._echo_came = False
            if limit is None or self._size <= limit:
                taken, self._chunks = self._chunks, []
            else:
                count = total = 0
                while count < len(self._chunks) and (count == 0 or total + len(self._chunks[count]) <= limit):
                    total += len(self._chunks[count])
                    count += 1
                taken, self._chunks = self._chunks[:count], self._chunks[count:]
                if total > limit:  # one read (or what was left of a flood) larger than a slice: split it
                    taken, self._chunks = [taken[0][:limit]], [taken[0][limit:], *self._chunks]
            data = b"".join(taken)
            self._size -= len(data)
            self.taken_at = self.start
            self.start += len(data)
            self._changed.notify_all()
            return data

    def put_back(self, data: bytes) -> None:
        """What was taken but not used goes first again (no message: the taker knows it is there)."""
        if data:
            with self._changed:
                self._chunks.insert(0, data)
                self._size += len(data)
                self.start -= len(data)

    def close(self) -> None:
        """Nobody takes any more (the tab closed): a waiting `add` returns."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def __len__(self) -> int:
        return self._size
