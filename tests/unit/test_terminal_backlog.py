"""Output far ahead of the screen: the plain lines left out are those feeding would scroll past the scrollback, so
the screen, the scrollback and the look that follow are the same (tui/models/terminal/backlog.py)."""

from __future__ import annotations

import random

import pytest

from tui.models.terminal.backlog import lines_to_keep, skip_scrolled
from tui.models.terminal.emulator import TerminalEmulator
from tui.models.terminal.rows import row_runs

COLUMNS, LINES, SCROLLBACK = 40, 10, 50
KEEP = lines_to_keep(LINES, SCROLLBACK)


def state(emulator: TerminalEmulator) -> tuple[object, ...]:
    """Every cell with its look, every scrollback row as drawn, the cursor and the look it writes in."""
    screen = emulator.screen
    cells = [[emulator.cell(x, y) for x in range(COLUMNS)] for y in range(LINES)]
    history = [[(text, key) for text, key, _cursor in row_runs(row, COLUMNS)] for row in screen.history]
    return cells, history, emulator.cursor, screen.cursor.attrs


def fed(*parts: bytes) -> TerminalEmulator:
    emulator = TerminalEmulator(COLUMNS, LINES, scrollback=SCROLLBACK)
    for part in parts:
        emulator.feed(part)
    return emulator


def log_lines(count: int, seed: int = 1, colours: bool = False, wide: bool = False) -> bytes:
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        text = f"{i:06d} " + "word " * rng.randint(0, 20 if wide else 6)  # wide: lines that wrap
        if colours and i % 3 == 0:
            text = f"\x1b[3{i % 8}m{text}\x1b[0m" if i % 2 else f"\x1b[1;4{i % 8}m{text}"
        lines.append(text)
    return "\r\n".join(lines).encode() + b"\r\n"


@pytest.mark.parametrize(
    ("before", "flood"),
    [
        (b"k8sx$ cat big.txt\r\n", log_lines(2000)),
        (b"\x1b[2J\x1b[Hprompt at the top\r\n", log_lines(1500, seed=2, wide=True)),  # wrapped rows, from the top
        (b"k8sx$ x\r\n\x1b[35m", log_lines(1800, seed=3, colours=True)),  # colours all along
        (b"k8sx$ x\r\n", log_lines(900) + b"\x1b[1;33mset in the stretch\r\n" + log_lines(900)),  # and in force after
        (b"\x1b[3;8r\x1b[5;1Hin a scroll region\r\n", log_lines(1200, seed=4)),  # margins set before it
    ],
    ids=["plain", "wrapping from the top", "colours", "a colour set in the stretch", "scroll region"],
)
def test_the_screen_and_scrollback_are_as_if_every_line_had_been_fed(before: bytes, flood: bytes) -> None:
    tail = b"last words \x1b[1mbold"  # an unfinished line and a look, after the flood
    skipped = skip_scrolled(flood + tail, KEEP)
    assert skipped is not None
    kept, left_out = skipped
    assert len(kept) + left_out == len(flood + tail)
    assert kept.count(b"\n") == 1 + KEEP  # the first line, and no more than the lines to keep
    assert state(fed(before, kept)) == state(fed(before, flood, tail))


def test_the_first_line_stays_it_may_finish_what_the_last_feed_left_open() -> None:
    flood = "é".encode() * 3 + b"\r\n" + log_lines(1000)
    first, rest = flood[:1], flood[1:]  # a character split by a read: its second byte opens what waits
    skipped = skip_scrolled(rest, KEEP)
    assert skipped is not None and skipped[0].startswith(rest[: rest.index(b"\r\n") + 2])
    assert state(fed(first, skipped[0])) == state(fed(first, rest))


@pytest.mark.parametrize(
    "odd",
    [b"\x1b[5;5H", b"\x1b[?1049h", b"\x1b]0;title\x07", b"\x0e", b"\x1b(0", b"\x1b[31"],
    ids=["cursor motion", "alternate screen", "title", "shift out", "charset", "unfinished SGR"],
)
def test_nothing_is_left_out_of_a_stretch_holding_more_than_colours(odd: bytes) -> None:
    lines = log_lines(2000).split(b"\r\n")
    lines[500] += odd
    assert skip_scrolled(b"\r\n".join(lines), KEEP) is None


def test_too_few_lines_are_all_fed() -> None:
    assert skip_scrolled(log_lines(KEEP), KEEP) is None
    assert skip_scrolled(b"x" * 100_000, KEEP) is None  # one long line: nothing scrolls off whole


def test_lines_longer_at_the_end_than_on_average_are_kept_whole() -> None:
    flood = log_lines(3000) + b"\r\n".join(b"y" * 500 for _ in range(KEEP)) + b"\r\n"
    skipped = skip_scrolled(flood, KEEP)
    assert skipped is not None
    assert state(fed(skipped[0])) == state(fed(flood))
