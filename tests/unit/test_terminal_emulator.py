"""The terminal emulator on its own: what a program's bytes do to the screen, cell by cell."""

from __future__ import annotations

import random

import pytest

from tui.models.terminal.emulator import TerminalEmulator, line_rows
from tui.models.terminal.rows import BLANK, RunRow, TextRow, attr_key, row_runs


def term(columns: int = 20, lines: int = 5, scrollback: int = 100) -> tuple[TerminalEmulator, list[bytes]]:
    replies: list[bytes] = []
    return TerminalEmulator(columns, lines, scrollback, reply=replies.append), replies


def test_text_wraps_at_the_right_edge_and_a_full_line_does_not_add_a_blank_one() -> None:
    t, _ = term(10, 4)
    t.feed(b"0123456789abc\r\n0123456789\r\nnext")
    assert t.display() == ["0123456789", "abc", "0123456789", "next"]
    assert t.cursor == (4, 3)


def test_colours_16_256_truecolor_and_the_colon_forms() -> None:
    t, _ = term()
    t.feed(b"\x1b[31ma\x1b[92mb\x1b[38;5;208mc\x1b[38;5;3md\x1b[38;2;1;2;3me\x1b[48:2::4:5:6mf\x1b[38:5:99mg\x1b[0mh")
    looks = [(t.cell(x, 0).data, t.cell(x, 0).fg, t.cell(x, 0).bg) for x in range(8)]
    assert looks == [
        ("a", "red", "default"),
        ("b", "bright_green", "default"),
        ("c", "color(208)", "default"),
        ("d", "yellow", "default"),
        ("e", "#010203", "default"),
        ("f", "#010203", "#040506"),
        ("g", "color(99)", "#040506"),
        ("h", "default", "default"),
    ]


def test_bold_underline_reverse_italic_strike_on_and_off() -> None:
    t, _ = term()
    t.feed(b"\x1b[1;4;7;3;9mX\x1b[22;24mY\x1b[27;23;29mZ")
    x, y, z = (t.cell(i, 0) for i in range(3))
    assert (x.bold, x.underscore, x.reverse, x.italics, x.strikethrough) == (True, True, True, True, True)
    assert (y.bold, y.underscore, y.reverse, y.italics) == (False, False, True, True)
    assert (z.reverse, z.italics, z.strikethrough) == (False, False, False)


def test_sequences_vim_and_ncurses_send_are_not_misread() -> None:
    t, _ = term()
    # modifyOtherKeys (CSI > 4;2 m) is not SGR 4 (underline); DCS and OSC strings are not text; cursor style ignored
    t.feed(b"\x1b[>4;2m\x1bP+q544e\x1b\\\x1b]11;?\x07\x1b[2 q\x1b[?12;25hok")
    assert t.display()[0] == "ok"
    assert not t.cell(0, 0).underscore


def test_an_escape_sequence_or_a_character_split_between_reads_still_works() -> None:
    t, _ = term()
    data = "\x1b[31mé€\x1b]0;title\x07\x1b[1mB".encode()
    for i in range(len(data)):
        t.feed(data[i : i + 1])
    assert t.display()[0] == "é€B"
    assert t.cell(0, 0).fg == "red" and t.cell(2, 0).bold and t.title == "title"


def test_cursor_motions_and_erase() -> None:
    t, _ = term(10, 4)
    t.feed(b"aaaaaaaaaa\r\nbbbbbbbbbb\r\ncccccccccc")
    t.feed(b"\x1b[2;3H\x1b[K")  # erase to the end of row 2 from column 3
    t.feed(b"\x1b[1;5H\x1b[1K")  # erase row 1 up to column 5
    t.feed(b"\x1b[3;8H\x1b[2P")  # delete two characters
    t.feed(b"\x1b[4;1HX\x1b[A\x1b[2CY")
    assert t.display() == ["     aaaaa", "bb", "cccYcccc", "X"]
    assert t.cursor == (4, 2)


def test_the_cursor_position_report_goes_back_to_the_program() -> None:
    t, replies = term()
    t.feed(b"\x1b[3;7H\x1b[6n\x1b[5n\x1b[c")
    assert replies == [b"\x1b[3;7R", b"\x1b[0n", b"\x1b[?62;22c"]


def test_the_alternate_screen_keeps_the_main_screen_and_cursor() -> None:
    t, _ = term(10, 3)
    t.feed(b"shell$ vi\r\n")
    t.feed(b"\x1b[?1049h\x1b[H\x1b[2Jeditor\x1b[3;1H~")
    assert t.alternate_screen and t.display() == ["editor", "", "~"]
    t.feed(b"\x1b[?1049l")
    assert not t.alternate_screen and t.display() == ["shell$ vi", "", ""]
    assert t.cursor == (0, 1)
    assert t.history_text() == []  # nothing of the editor went to the scrollback


def test_a_scroll_region_scrolls_only_its_rows_and_keeps_the_scrollback_out_of_it() -> None:
    t, _ = term(10, 5)
    t.feed(b"top\r\n1\r\n2\r\n3\r\nbottom")
    t.feed(b"\x1b[2;4r\x1b[4;1H\r\nnew")  # region rows 2-4; a line feed on row 4 scrolls rows 2-4
    assert t.display() == ["top", "2", "3", "new", "bottom"]
    assert t.history_text() == []
    t.feed(b"\x1b[2;1H\x1bM")  # reverse index at the region's top: a blank row comes in
    assert t.display() == ["top", "", "2", "3", "bottom"]
    t.feed(b"\x1b[r\x1b[3S")  # scroll up (SU) over the whole screen
    assert t.display() == ["3", "bottom", "", "", ""]


def test_lines_scrolling_off_the_top_go_to_the_scrollback() -> None:
    t, _ = term(10, 3, scrollback=4)
    t.feed(b"".join(f"line {i}\r\n".encode() for i in range(8)))
    assert t.display() == ["line 6", "line 7", ""]
    assert t.history_text() == ["line 2", "line 3", "line 4", "line 5"]  # the oldest beyond 4 are dropped
    t.feed(b"\x1b[3J")
    assert t.history_text() == []


def test_a_row_keeps_its_colours_in_the_scrollback_in_a_compact_form() -> None:
    t, _ = term(10, 2)
    t.feed(b"ab\x1b[31mred\x1b[0m\r\nplain\r\nnext\r\n")
    colourful, plain = t.screen.history
    assert isinstance(colourful, RunRow) and plain == "plain"  # no longer a dict of cells
    red = attr_key(BLANK._replace(fg="red"))
    assert [(text, key) for text, key, _ in row_runs(colourful, 10)] == [("ab", attr_key(BLANK)), ("red", red)]


def test_modes_the_widget_needs_to_know() -> None:
    t, _ = term()
    assert not (t.bracketed_paste or t.application_cursor_keys or t.mouse_tracking or t.focus_events)
    t.feed(b"\x1b[?2004h\x1b[?1h\x1b[?1002h\x1b[?1006h\x1b[?1004h\x1b[?25l")
    assert t.bracketed_paste and t.application_cursor_keys and t.focus_events and t.mouse_sgr
    assert t.mouse_tracking == 1002 and not t.cursor_visible
    t.feed(b"\x1b[?2004l\x1b[?1l\x1b[?1002l\x1b[?25h")
    assert not (t.bracketed_paste or t.application_cursor_keys or t.mouse_tracking) and t.cursor_visible


def test_wide_characters_take_two_cells_and_wrap_whole() -> None:
    t, _ = term(5, 3)
    t.feed("ab中文".encode())
    assert t.display() == ["ab中", "文", ""]
    assert t.cell(2, 0).data == "中" and t.cell(3, 0).data == ""


def test_line_drawing_characters_repeat_and_background_colour_erase() -> None:
    t, _ = term(10, 3)
    t.feed(b"\x1b(0lqqk\x1b(B\r\n-\x1b[4b\r\n\x1b[44m\x1b[K")
    assert t.display()[:2] == ["┌──┐", "-----"]
    assert all(t.cell(x, 2).bg == "blue" for x in range(10))


def test_a_smaller_screen_pushes_rows_above_the_cursor_to_the_scrollback() -> None:
    t, _ = term(10, 4)
    t.feed(b"one\r\ntwo\r\nthree\r\nfour")
    t.resize(8, 2)
    assert t.display() == ["three", "four"] and t.history_text() == ["one", "two"]
    assert t.cursor == (4, 1) and (t.columns, t.lines) == (8, 2)


STYLED_WORDS = ["alpha", "beta", "\x1b[31mred\x1b[0m", "\x1b[1;44mbold on blue", "\x1b[22;49m", "x" * 37, "中文", "é"]
PLAIN_WORDS = ["alpha", "beta", "gamma"]  # ASCII lines no wider than the screen: the one-row-per-line shortcut


def _plain_lines(count: int, seed: int, words: list[str] = STYLED_WORDS) -> bytes:
    rng = random.Random(seed)
    lines = [f"{i:05d} " + " ".join(rng.choice(words) for _ in range(rng.randint(0, 9))) for i in range(count)]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(
    ("columns", "lines", "words"),
    [(40, 10, STYLED_WORDS), (80, 24, STYLED_WORDS), (13, 3, STYLED_WORDS), (80, 24, PLAIN_WORDS), (9, 4, PLAIN_WORDS)],
)
def test_jump_scroll_gives_the_screen_and_scrollback_that_line_by_line_feeding_gives(
    columns: int, lines: int, words: list[str]
) -> None:
    data = _plain_lines(2000, seed=columns, words=words)
    whole, _ = term(columns, lines, scrollback=700)
    piecewise, _ = term(columns, lines, scrollback=700)
    for t in (whole, piecewise):
        t.feed(b"$ prompt with \x1b[33mcolour\r\n")
    whole.feed(data)
    for i in range(0, len(data), 41):  # small pieces: never enough lines in one for a jump
        piecewise.feed(data[i : i + 41])
    assert whole.jump_scrolled_lines > 1000 and piecewise.jump_scrolled_lines == 0
    assert whole.display() == piecewise.display()
    assert whole.history_text() == piecewise.history_text()
    assert whole.screen.cursor.attrs == piecewise.screen.cursor.attrs

    def looks(t: TerminalEmulator) -> list[list[tuple[str, object]]]:
        rows = []
        for row in t.screen.history:
            cells = [(char, key) for text, key, _ in row_runs(row, columns) for char in text]
            rows.append([cell for cell in cells if cell[0] != " "])
        return rows

    assert looks(whole) == looks(piecewise)
    assert any(isinstance(row, TextRow | str) for row in whole.screen.history)


def test_jump_scroll_stops_where_the_output_is_not_plain_lines() -> None:
    t, _ = term(20, 4)
    t.feed(b"".join(f"{i}\r\n".encode() for i in range(100)) + b"\x1b[2J\x1b[Hcleared" + b"\r\nafter\r\n")
    assert t.display() == ["cleared", "after", "", ""]
    assert t.history_text() == [str(i) for i in range(97)]  # what had scrolled off before the screen was cleared


def test_row_runs_group_cells_by_look_and_mark_the_cursor() -> None:
    t, _ = term(8, 2)
    t.feed(b"ab\x1b[31mcd\x1b[0m")
    runs = row_runs(t.screen.row(0), 8, cursor_x=3)
    red = attr_key(BLANK._replace(fg="red"))
    assert runs == [
        ("ab", attr_key(BLANK), False),
        ("c", red, False),
        ("d", red, True),
        ("    ", attr_key(BLANK), False),
    ]


def test_line_rows_counts_wrapped_rows_like_the_screen() -> None:
    assert [line_rows(text, 4) for text in ("", "abcd", "abcde", "\x1b[31mabcd\x1b[0m", "中文中")] == [1, 1, 2, 1, 2]
