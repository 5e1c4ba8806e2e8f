"""Log text is data: what a pod logs is made safe to draw in one place (`safe_message`), which keeps the colours
the Logs screen renders and turns every other control character into a visible placeholder; a long line is cut to
the part on screen without splitting a character or a colour, and keeps the colours set before it."""

from __future__ import annotations

import re

import pytest

from tui.models.logs.match import plain_message
from tui.models.logs.safe_text import cut_window, safe_message, safe_text

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        pytest.param(b"a \x1bc b", "a ␛c b", id="ESC c: a full reset"),
        pytest.param(b"a \x1b)0\x0e b \x0f", "a ␛)0␎ b ␏", id="ESC )0 and SO: a charset switch"),
        pytest.param(b"a \x07 b", "a ␇ b", id="BEL"),
        pytest.param(b"abc\x08\x08 b", "abc␈␈ b", id="backspace"),
        pytest.param(b"a \x1b[2J\x1b[H\x1b[10;20H\x1b[5A b", "a ␛[2J␛[H␛[10;20H␛[5A b", id="cursor movement"),
        pytest.param(b"\x1b[?1049h\x1b[?25l", "␛[?1049h␛[?25l", id="private modes: alternate screen, cursor"),
        pytest.param(
            b"\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
            "␛]8;;https://evil.example/␛\\click␛]8;;␛\\",
            id="OSC 8: a hyperlink",
        ),
        pytest.param(b"\x1b]52;c;cm0gLXJmIH4=\x07", "␛]52;c;cm0gLXJmIH4=␇", id="OSC 52: a clipboard write"),
        pytest.param(b"\x1bP1$r0m\x1b\\", "␛P1$r0m␛\\", id="DCS"),
        pytest.param(
            "a \u009b2J \u0085 \u009d0;t\u009c b".encode(), "a \\x9b2J \\x85 \\x9d0;t\\x9c b", id="C1 in UTF-8"
        ),
        pytest.param(b"a \xff\xfe\xc3 b", "a \ufffd\ufffd\ufffd b", id="invalid UTF-8"),
        pytest.param(b"10%\r20%\r30%", "10%␍20%␍30%", id="a lone CR"),
        pytest.param(b"windows line\r\n"[:-1], "windows line", id="a CR ending the line (CRLF)"),
        pytest.param(b"a \x00 b", "a ␀ b", id="NUL"),
        pytest.param(b"a \x7f b", "a ␡ b", id="DEL"),
        pytest.param(b"\x1b", "␛", id="a lone ESC"),
        pytest.param(b"\x1b[31", "␛[31", id="an unfinished colour"),
    ],
)
def test_control_characters_and_escape_sequences_are_shown_as_placeholders(logged: bytes, shown: str) -> None:
    assert safe_message(logged) == shown
    assert not CONTROL.search(safe_message(logged))


def test_the_colours_the_view_renders_are_kept_and_nothing_else_with_them() -> None:
    logged = b"\x1b[31mred\x1b[0m \x1b[1;38;5;208morange\x1b[m \x1b[2Kgone? \x1bc"
    assert safe_message(logged) == "\x1b[31mred\x1b[0m \x1b[1;38;5;208morange\x1b[m ␛[2Kgone? ␛c"


def test_text_drawn_without_parsing_colours_shows_them_as_text_too() -> None:
    """Timestamps and labels are drawn as they are: a colour sequence in them would reach the terminal."""
    assert safe_text("2026\x1b[31m\x1bc", colours=False) == "2026␛[31m␛c"


def test_tabs_become_spaces_to_the_next_stop_not_counting_colours() -> None:
    assert safe_message(b"a\tb\x1b[31mcd\x1b[0m\te") == "a       b\x1b[31mcd\x1b[0m     e"


def test_plain_text_is_returned_as_it_is_and_safe_text_is_idempotent() -> None:
    text = "epoch 3 loss=0.25 ✓ 完了"
    assert safe_text(text) is text
    once = safe_message(b"a\x1bc\x9b\x00\t\x1b[1mb\x1b[0m")
    assert safe_text(once) == once


def test_search_reads_what_is_shown_without_its_colours() -> None:
    """A search matches the text as drawn: colours left out, other sequences kept as the text they are shown as."""
    line = b"2026-11-29T10:00:00.000000000Z \x1b[31mclear\x1b[0m \x1b[2J screen"
    assert plain_message(line) == b"clear \x1b[2J screen"


def test_a_cut_never_starts_inside_a_character_and_keeps_the_colours_set_before_it() -> None:
    data = b"\x1b[1mbold \x1b[32mgreen " + "é".encode() + b"xyz"
    cut = len(data) - 4  # the second byte of é
    assert cut_window(data, cut) == b"\x1b[1m\x1b[32mxyz"


def test_a_cut_inside_a_colour_sequence_starts_after_it() -> None:
    data = b"before \x1b[1;31mred"
    assert cut_window(data, data.index(b"1;31m")) == b"\x1b[1;31mred"
    assert cut_window(data, 0) == data
