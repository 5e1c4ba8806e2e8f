"""Where a frame's feed should stop so that a typed character's echo is seen during a flood of output.

A shell's terminal echoes a typed character into the program's output. During a flood, jump scroll would carry
the row holding it into the scrollback within the same frame, and the user would see what they typed only when
the flood ends. So the feed stops right after the echo for one frame, and goes on after it has been drawn.
"""

from __future__ import annotations

from collections import deque

# A key whose echo has not come by then (raw mode, a password prompt) is no longer watched. While one is, no output
# after it is left out unseen (tui/models/terminal/backlog.py), so the wait is short: output read as fast as it
# comes holds the echo up by milliseconds (behind an API server's buffers it took seconds).
ECHO_WAIT_S = 5.0
MAX_WATCHED = 8


class EchoWatch:
    """The echoes still to come of the characters typed, each with the output offset after which it can be."""

    def __init__(self) -> None:
        self._watched: deque[tuple[bytes, int, float]] = deque(maxlen=MAX_WATCHED)

    def __len__(self) -> int:
        return len(self._watched)

    def watched(self) -> list[tuple[bytes, int]]:
        """The echoes still watched, each with the output offset after which it can come."""
        return [(echo, after) for echo, after, _since in self._watched]

    def typed(self, data: bytes, offset: int, now: float) -> None:
        """`data` was sent to the program when `offset` bytes of its output had been read (its echo comes later).
        Only one visible character is watched: pastes, control keys and blanks echo as anything or nothing."""
        text = data.decode(errors="replace")
        if len(text) == 1 and text.isprintable() and not text.isspace():
            self._watched.append((data, offset, now))

    def cut(self, data: bytes, offset: int, now: float) -> int | None:
        """`data` is output from `offset` on: how much of it to feed so that the first watched echo in it ends the
        frame, or None when none is in it. (An older key whose echo does not come holds up no other.)"""
        while self._watched and now - self._watched[0][2] > ECHO_WAIT_S:
            self._watched.popleft()
        first: tuple[int, tuple[bytes, int, float]] | None = None
        for watched in self._watched:
            echo, after, _since = watched
            found = data.find(echo, max(0, after - offset))
            if found >= 0 and (first is None or found + len(echo) < first[0]):
                first = (found + len(echo), watched)
        if first is None:
            return None
        self._watched.remove(first[1])
        return first[0]
