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


def test_a_typed_characters_echo_and_what_follows_are_not_left_out() -> None:
    emulator = TerminalEmulator(80, 24, scrollback=100)
    buffer = OutputBuffer(limit=64 << 10, trim=emulator.skip_unseen)
    buffer.add(LINE * 10)
    buffer.keep_echoes([(b"Q", buffer.end)])  # typed now: its echo comes after what was read so far
    buffer.add(flood(6000, mark=b"Q"))  # more than is fed whole: trimmed when taken, not from the echo's line on
    taken = buffer.take()
    assert buffer.left_out > 0 and taken.count(b"Q") == 1
    assert taken.index(b"Q") < len(taken) - len(flood(6000)) // 2  # all that followed it is there


def test_a_slice_is_at_most_the_limit_and_put_back_goes_first_again() -> None:
    buffer = OutputBuffer()
    buffer.add(b"a" * 1000)
    buffer.add(b"b" * 10)
    first = buffer.take(300)
    assert first == b"a" * 300 and buffer.taken_at == 0 and buffer.start == 300
    buffer.put_back(first[100:])
    assert buffer.start == 100 and buffer.take() == b"a" * 900 + b"b" * 10 and buffer.taken_at == 100
