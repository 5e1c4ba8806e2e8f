"""Output waiting far ahead of the screen: the plain lines that could only scroll past the whole scrollback before
anyone sees them are left out, so that a flood never queues more than the screen and its scrollback can show ahead
of a key's echo.

Left out is only what feeding it would not show: a stretch of whole plain lines (printable text, CR, LF, tabs,
backspaces, bells, SGR colours) with enough lines after it that every row it would leave on the screen or in the
scrollback is scrolled out again by them. Its colours are kept (the SGR sequences after its last reset go on in
its place), and its first line is never taken (it may finish an escape sequence or a character split by a read).
Anything else in the stretch (cursor motion, modes, charsets, titles) means nothing is left out: then the reader
waits as before. The screen and the scrollback end up as feeding every byte would leave them.
"""

from __future__ import annotations

import re

_NOT_SGR = re.compile(rb"\x1b(?!\[[0-9;:]*m)")
_SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def lines_to_keep(screen_lines: int, scrollback: int) -> int:
    """Lines kept after a left-out stretch: those that fill the scrollback, and twice a screen (the first screenful
    may be written over rows the stretch would have scrolled away; the second scrolls them all out)."""
    return scrollback + 2 * screen_lines + 2


def skip_scrolled(data: bytes, keep: int, until: int | None = None) -> tuple[bytes, int] | None:
    """`data` (output not fed yet) with the plain lines that would scroll past the scrollback left out, and how
    many bytes were; None when none can be (too few lines, or not plain). Nothing from `until` on is left out."""
    lines = data.count(b"\n")
    if lines <= keep + 2:
        return None
    head = data.find(b"\r\n") + 2  # the first line stays (it may end what the last feed left unfinished)
    if head < 2:
        return None
    cut = _start_of_last_lines(data, keep, head, len(data) // lines)
    if until is not None and cut > until:
        cut = data.rfind(b"\r\n", head, until) + 2
    if cut <= head or not _plain(data, head, cut):
        return None
    colours = _colours_after_reset(data, head, cut) if data.find(b"\x1b", head, cut) >= 0 else b""
    kept = data[:head] + colours + data[cut:]
    return kept, len(data) - len(kept)


def _start_of_last_lines(data: bytes, keep: int, head: int, average: int) -> int:
    """Where the line ends (in CR LF) after which exactly `keep` lines follow (more when that one ends otherwise),
    or -1. `average`: the bytes of a line on average. Only the last stretch of the data is split into lines."""
    average = max(1, average)
    start = max(head, len(data) - (keep + 2) * average)
    while (count := data.count(b"\n", start)) < keep + 1:  # longer lines near the end: look further back
        if start == head:
            return -1
        start = max(head, start - (keep + 2) * average)
    pieces = data[start:].split(b"\n", count - keep)  # the last piece holds the `keep` lines
    end = len(data) - len(pieces[-1])
    while data[end - 2 : end] != b"\r\n":  # a bare LF: the line before it ends the stretch (one more kept)
        end = data.rfind(b"\n", head, end - 1) + 1
        if end <= head:
            return -1
    return end


def _plain(data: bytes, start: int, end: int) -> bool:
    """No SO/SI (charsets) and no escape sequence but SGR in data[start:end] (searched byte by byte only where
    there are escapes at all: a regular expression takes ten times as long as find)."""
    if data.find(b"\x0e", start, end) >= 0 or data.find(b"\x0f", start, end) >= 0:
        return False
    return data.find(b"\x1b", start, end) < 0 or _NOT_SGR.search(data, start, end) is None


def _colours_after_reset(data: bytes, start: int, end: int) -> bytes:
    """The SGR sequences of data[start:end] after the last one that resets every attribute: the same look after."""
    found = _SGR.findall(data, start, end)
    for index in range(len(found) - 1, -1, -1):
        params = found[index]
        if params in (b"", b"0") or params.startswith(b"0;"):
            found = found[index:]
            break
    return b"".join(b"\x1b[" + params + b"m" for params in found)
