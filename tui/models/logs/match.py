"""What search and filter look for in log lines, and how a line is split into its parts.

Stored lines are bytes (`timestamp message`); a pattern is compiled twice: as bytes, to scan megabytes of stored
lines at C speed, and as str, to highlight the text that is drawn.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from tui.models.logs.safe_text import SGR_BYTES

# A line's level, for colouring the word that says it: an upper-case level word (`ERROR`, `WARNING:root:...`), a
# `level=warn` / `"level": "info"` field (logfmt, JSON), or klog's leading letter (`E1201 10:00:00.123 ...`).
_LEVEL = re.compile(
    r"\b(ERROR|FATAL|CRITICAL|PANIC|WARN|WARNING|INFO|DEBUG|TRACE)\b"
    r"|(?i:\blevel\b\"?\s*[=:]\s*\"?)(?i:(error|fatal|critical|panic|warn|warning|info|debug|trace))\b"
    r"|^([EWIF]\d{4}) \d\d:\d\d:\d\d"
)
_LEVEL_NAMES = {
    "error": "error", "fatal": "error", "critical": "error", "panic": "error", "e": "error", "f": "error",
    "warn": "warning", "warning": "warning", "w": "warning",
    "info": "info", "i": "info",
    "debug": "debug", "trace": "debug",
}  # fmt: skip
LEVEL_SEARCH_CHARS = 120  # the level is said near the start of a line; the rest is not searched


def log_level(text: str) -> tuple[int, int, str] | None:
    """Where a message says its level: (start, end, one of error/warning/info/debug), or None."""
    match = _LEVEL.search(text, 0, LEVEL_SEARCH_CHARS)
    if match is None:
        return None
    group = match.lastindex or 1
    start, end = match.span(group)
    word = match.group(group).lower()
    return start, end, _LEVEL_NAMES[word[0] if group == 3 else word]


def split_line(line: bytes) -> tuple[bytes, bytes]:
    """(timestamp, message) of a stored line; the timestamp is empty when the line has none."""
    space = line.find(b" ", 0, 40)
    if space > 0 and line[:1].isdigit():
        return line[:space], line[space + 1 :]
    return b"", line


def plain_message(line: bytes) -> bytes:
    """The message as the user reads it: without the timestamp and without the colours the view renders (other
    escape sequences are shown as text, so they are searched as text)."""
    message = split_line(line)[1]
    return SGR_BYTES.sub(b"", message) if b"\x1b" in message else message


class LogMatcher:
    """A substring (or, with `regex`, a regular expression), case-insensitive unless it contains a capital
    letter (smart case). Raises `re.error` for an invalid regex: the screen says what is wrong with it."""

    def __init__(self, text: str, regex: bool = False) -> None:
        self.text = text
        self.regex = regex
        source = text if regex else re.escape(text)
        flags = 0 if any(c.isupper() for c in text) else re.IGNORECASE
        self.pattern = re.compile(source.encode(), flags)
        self.text_pattern = re.compile(source, flags)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogMatcher) and (other.text, other.regex) == (self.text, self.regex)

    def __hash__(self) -> int:
        return hash((self.text, self.regex))

    @property
    def label(self) -> str:
        return f"/{self.text}/" if self.regex else f"'{self.text}'"

    def matches(self, line: bytes) -> bool:
        """Whether the message of a stored line (not its timestamp, not its colour codes) matches."""
        return self.pattern.search(plain_message(line)) is not None

    def find_lines(self, data: bytes, starts: Sequence[int], first: int, last: int, base: int) -> list[int]:
        """Indices of the matching lines among lines `first`..`last-1`, whose bytes are `data`.

        `starts[i]` is where line i starts (absolute; `starts[last]` is the end of line last-1) and `base` is where
        `data` starts. The regex runs over the whole block in C; each hit is confirmed on its line's message, and
        the scan resumes at the next line, so a line with many hits costs one check. Lines with colour escapes
        are checked one by one as well (a hit may span an escape: `\x1b[31mred\x1b[0m alert`)."""
        found: list[int] = []
        search = self.pattern.search
        position = 0
        end = len(data)
        while position < end and (hit := search(data, position)) is not None:
            index = bisect_right(starts, base + hit.start(), first, last) - 1
            line_start = starts[index] - base
            line_end = starts[index + 1] - base
            if self.matches(data[line_start : line_end - 1]):
                found.append(index)
            position = line_end
        escape = data.find(b"\x1b")
        if escape < 0:
            return found
        coloured: set[int] = set()
        while escape >= 0:
            index = bisect_right(starts, base + escape, first, last) - 1
            line_end = starts[index + 1] - base
            if index not in coloured and self.matches(data[starts[index] - base : line_end - 1]):
                coloured.add(index)
            escape = data.find(b"\x1b", line_end)
        return sorted(coloured.union(found))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the pattern matches in drawn text (for highlighting)."""
        return [(m.start(), m.end()) for m in self.text_pattern.finditer(text) if m.end() > m.start()]


class LineSet:
    """The sorted line indices a search or filter found, while a scan of the history may still be running and new
    lines keep coming: the scan fills `head` (lines before `split`), appended lines are checked as they come into
    `tail` (lines from `split` on), so neither waits for the other."""

    def __init__(self, split: int) -> None:
        self.split = split
        self.head: array[int] = array("q")
        self.tail: array[int] = array("q")
        self.scanned = 0  # the scan has covered lines [0, scanned)
        self.done = split == 0
        self._joined: array[int] | None = None

    def add_scanned(self, found: list[int], scanned: int) -> None:
        self.head.extend(found)
        self.scanned = scanned
        self._joined = None

    def finish(self) -> None:
        self.done = True
        self.scanned = self.split
        self.head.extend(self.tail)
        self.tail = array("q")
        self._joined = None

    def add_new(self, found: list[int]) -> None:
        if found:
            (self.head if self.done else self.tail).extend(found)
            self._joined = None

    def lines(self) -> array[int]:
        if not self.tail:
            return self.head
        if not self.head:
            return self.tail
        if self._joined is None:
            self._joined = self.head + self.tail
        return self._joined

    def __len__(self) -> int:
        return len(self.head) + len(self.tail)

    def after(self, line: int) -> int | None:
        lines = self.lines()
        index = bisect_right(lines, line)
        return lines[index] if index < len(lines) else None

    def before(self, line: int) -> int | None:
        lines = self.lines()
        index = bisect_left(lines, line)
        return lines[index - 1] if index > 0 else None

    def position(self, line: int) -> int:
        """1-based rank of a line among the hits (for "3/120")."""
        return bisect_left(self.lines(), line) + 1

    def step(self, start: int, direction: int, shown: Callable[[int], bool]) -> tuple[int | None, bool]:
        """The hit after (direction 1) or before (-1) line `start` that `shown` accepts (a filter may hide hits),
        wrapping around the ends: (that line or None, whether it wrapped)."""
        lines = self.lines()
        candidate = self.after(start) if direction > 0 else self.before(start)
        wrapped = False
        for _ in range(len(lines) + 1):
            if candidate is None:
                if wrapped or not lines:
                    break
                wrapped = True
                candidate = lines[0] if direction > 0 else lines[-1]
            if shown(candidate):
                return candidate, wrapped
            candidate = self.after(candidate) if direction > 0 else self.before(candidate)
        return None, wrapped
