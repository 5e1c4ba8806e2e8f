"""Closed terminal sessions: kept newest first, bounded, each taken out when shown again."""

from __future__ import annotations

from datetime import datetime

from tui.models.terminal.closed_sessions import ClosedSessions
from tui.models.terminal.emulator import TerminalEmulator

NOON = datetime(2026, 12, 7, 12, 0, 0)


def printed(text: str) -> TerminalEmulator:
    emulator = TerminalEmulator(40, 5)
    emulator.feed(text.encode())
    return emulator


def test_the_newest_come_first_and_the_oldest_go_past_the_limit() -> None:
    closed: ClosedSessions[str] = ClosedSessions(keep=3)
    for number in range(1, 6):
        closed.add(f"shell {number}", "exited", printed(f"output {number}"), f"session {number}", NOON)
    assert [c.label for c in closed] == [
        "#5 shell 5 · exited · closed at 12:00:00",
        "#4 shell 4 · exited · closed at 12:00:00",
        "#3 shell 3 · exited · closed at 12:00:00",
    ]
    assert len(closed) == 3 and [c.session for c in closed] == ["session 5", "session 4", "session 3"]


def test_taking_one_shows_it_with_its_output_and_leaves_the_rest() -> None:
    closed: ClosedSessions[str] = ClosedSessions()
    closed.add("same title", "exited", printed("first"), "a", NOON)
    closed.add("same title", "closed while running", printed("second"), "b", NOON)
    label = "#1 same title · exited · closed at 12:00:00"
    taken = closed.take(label)
    assert taken is not None and taken.session == "a" and taken.emulator.display()[0] == "first"
    assert closed.take(label) is None and [c.session for c in closed] == ["b"]
    assert closed.take("typed, not listed") is None


def test_a_session_that_printed_nothing_is_not_kept() -> None:
    closed: ClosedSessions[str] = ClosedSessions()
    closed.add("never started", "no shell in the image", TerminalEmulator(40, 5), "x", NOON)
    assert len(closed) == 0
