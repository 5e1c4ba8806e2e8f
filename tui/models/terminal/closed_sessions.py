"""Closed terminal tabs kept so their output can be read again: the last few, newest first.

Memory stays bounded: at most KEEP sessions, each with its emulator's own scrollback limit; the oldest goes first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from tui.models.terminal.emulator import TerminalEmulator

KEEP = 10

S = TypeVar("S")


@dataclass(frozen=True)
class ClosedSession(Generic[S]):
    """A closed tab: what ran (`session`, whatever the screen needs to show it again), why it ended, its screen."""

    number: int  # in the order tabs were closed: tells apart sessions of the same title
    title: str
    why: str
    closed_at: datetime
    emulator: TerminalEmulator
    session: S

    @property
    def label(self) -> str:
        return f"#{self.number} {self.title} · {self.why} · closed at {self.closed_at:%H:%M:%S}"


class ClosedSessions(Generic[S]):
    def __init__(self, keep: int = KEEP) -> None:
        self._kept: deque[ClosedSession[S]] = deque(maxlen=keep)
        self._count = 0

    def add(self, title: str, why: str, emulator: TerminalEmulator, session: S, now: datetime) -> None:
        """Keep a closed tab (the oldest one goes when there are `keep` already); one with no output is not kept."""
        if emulator.bytes_fed:  # a session that never started printed nothing to read again
            self._count += 1
            self._kept.appendleft(ClosedSession(self._count, title, why, now, emulator, session))

    def take(self, label: str) -> ClosedSession[S] | None:
        """The session with this label, no longer in the list (it is shown again; closing it keeps it again)."""
        for closed in self._kept:
            if closed.label == label:
                self._kept.remove(closed)
                return closed
        return None

    def __iter__(self) -> Iterator[ClosedSession[S]]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)
