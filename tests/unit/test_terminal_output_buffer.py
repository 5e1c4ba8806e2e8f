"""The buffer between a session's reader and the UI: past its limit what would scroll past unseen is left out and
the reader goes on; a typed character's echo is never left out; offsets count the output as read."""

from __future__ import annotations

import threading

from tui.models.terminal.emulator import TerminalEmulator
from tui.services.terminal.session import OutputBuffer

LINE = b"00000000 alpha beta gamma delta epoch loss accuracy tensor\r\n"


def flood(lines: int, mark: bytes = b"") -> bytes:
    return LINE * (lines // 2) + mark + LINE * (lines - lines // 2)


def test_past_the_limit_the_reader_goes_on_and_what_would_scroll_past_is_left_out() -> None:
    emulator = TerminalEmulator(80, 24, scrollback=100)
    buffer = OutputBuffer(limit=64 << 10, trim=emulator.skip_unseen)
    done = threading.Event()

    def reader() -> None:
        for _ in range(100):
            buffer.add(flood(200))  # 1.2 MB in all: far past the limit; nobody takes
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    assert done.wait(10), "the reader waited for the UI"
    assert len(buffer) < 64 << 10 and buffer.left_out > 1 << 20
    assert buffer.end == 100 * len(flood(200)) and buffer.start == buffer.left_out  # offsets as read
    kept = buffer.take()
    assert kept.count(b"\n") >= 100 + 2 * 24  # the scrollback's and the screen's lines are all there


def test_output_that_cannot_be_left_out_makes_the_reader_wait() -> None:
    emulator = TerminalEmulator(80, 24, scrollback=100)
    buffer = OutputBuffer(limit=64 << 10, trim=emulator.skip_unseen)
    moving = flood(2000).replace(b"\r\n", b"\r\n\x1b[1;1H", 1)  # a cursor motion early in it
    buffer.add(moving)
    added = threading.Event()
    threading.Thread(target=lambda: (buffer.add(b"more"), added.set()), daemon=True).start()
    assert not added.wait(0.3) and buffer.left_out == 0
    assert buffer.take() == moving and added.wait(5)


def state(emulator: TerminalEmulator) -> tuple[list[str], list[str], tuple[int, int]]:
    return emulator.display(), emulator.history_text(), emulator.cursor


def test_typed_characters_echoes_stay_and_only_what_would_scroll_past_unseen_goes_around_them() -> None:
    """While echoes wait, output before, between and after them still goes when it would only scroll past: only a
    screen's worth is fed before an echo, and the screen and scrollback end as if every byte had been fed."""
    every, fed = (TerminalEmulator(80, 24, scrollback=100) for _ in range(2))
    buffer = OutputBuffer(limit=64 << 10, trim=fed.skip_unseen)
    buffer.add(LINE * 10)
    buffer.keep_echoes([(b"Q", buffer.end), (b"W", buffer.end)])  # typed now: echoes come after what was read
    output = [LINE * 10, flood(3000, mark=b"Q"), flood(3000, mark=b"W"), flood(3000)]
    done = threading.Event()
    threading.Thread(target=lambda: ([buffer.add(part) for part in output[1:]], done.set()), daemon=True).start()
    assert done.wait(10), "the reader waited for the UI"
    taken = buffer.take()
    assert taken.count(b"Q") == 1 and taken.count(b"W") == 1
    assert taken.index(b"Q") < 2 * len(LINE)  # the echo is not behind the lines that would scroll past after all
    assert taken.index(b"W") - taken.index(b"Q") < 2 * len(LINE)
    assert buffer.left_out > 5000 * len(LINE)  # the reader went on: the last read waits whole, under a slice
    every.feed(b"".join(output))
    fed.feed(taken)
    assert state(fed) == state(every)


def test_a_slice_is_at_most_the_limit_and_put_back_goes_first_again() -> None:
    buffer = OutputBuffer()
    buffer.add(b"a" * 1000)
    buffer.add(b"b" * 10)
    first = buffer.take(300)
    assert first == b"a" * 300 and buffer.taken_at == 0 and buffer.start == 300
    buffer.put_back(first[100:])
    assert buffer.start == 100 and buffer.take() == b"a" * 900 + b"b" * 10 and buffer.taken_at == 100
