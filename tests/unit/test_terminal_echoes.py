"""Where a frame's feed stops so a typed character's echo is seen during a flood (tui/models/terminal/echoes.py)."""

from __future__ import annotations

from tui.models.terminal.echoes import ECHO_WAIT_S, EchoWatch


def test_the_feed_stops_right_after_the_echo_of_a_typed_character() -> None:
    watch = EchoWatch()
    watch.typed(b"Q", offset=100, now=0.0)
    flood = b"x" * 150 + b"Q" + b"y" * 1000  # output from offset 50 on: the echo is at 200
    assert watch.cut(flood, offset=50, now=0.1) == 151
    assert len(watch) == 0 and watch.cut(flood, offset=50, now=0.1) is None  # one frame per echo


def test_output_read_before_the_key_was_sent_is_not_its_echo() -> None:
    watch = EchoWatch()
    watch.typed(b"a", offset=1000, now=0.0)
    assert watch.cut(b"alpha " * 100, offset=0, now=0.1) is None  # all of it read before the key
    assert watch.cut(b"bbbb a bbbb", offset=1000, now=0.1) == 6


def test_keys_whose_echo_is_anything_or_nothing_are_not_watched() -> None:
    watch = EchoWatch()
    for data in (b"\r", b" ", b"\x1b[A", b"\x03", b"\x1b[200~two words\x1b[201~", b"ab"):
        watch.typed(data, offset=0, now=0.0)
    assert len(watch) == 0
    watch.typed("é".encode(), offset=0, now=0.0)
    assert watch.cut("café".encode(), offset=0, now=0.0) == len("café".encode())


def test_an_echo_that_never_comes_is_given_up() -> None:
    watch = EchoWatch()
    watch.typed(b"Q", offset=0, now=0.0)  # e.g. a password prompt: no echo
    assert watch.cut(b"no capitals here", offset=0, now=0.5) is None and len(watch) == 1
    assert watch.cut(b"a later Q", offset=16, now=ECHO_WAIT_S + 0.1) is None and len(watch) == 0


def test_a_key_whose_echo_does_not_come_holds_up_no_later_one() -> None:
    watch = EchoWatch()
    watch.typed(b"j", offset=0, now=0.0)  # e.g. vim: j moves the cursor, nothing is echoed
    watch.typed(b"Q", offset=10, now=0.1)
    assert watch.cut(b"x" * 20 + b"Q" + b"x" * 20, offset=0, now=0.2) == 21 and len(watch) == 1
