"""Rows as the terminal widget draws them (runs of one look each), and the compact forms a row takes in the
scrollback (its text, or its runs), far smaller than cells. Shared by the screen, which makes them, and the
widget, which draws them, so that drawing needs no screen.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

from pyte.screens import Char

from tui.models.terminal.sgr import apply_sgr

BLANK = Char(" ")

_SGR_IN_TEXT = re.compile(r"\x1b\[([0-9;:]*)m")

AttrKey = tuple[str, str, bool, bool, bool, bool, bool, bool]
"""A cell's look without its character: fg, bg, bold, italics, underscore, strikethrough, reverse, blink."""


class TextRow(NamedTuple):
    """A row of the scrollback kept as text (jump scroll): at most a screen width of printable characters and
    SGR sequences, drawn from `attrs` on. It never becomes cells unless someone scrolls back to it."""

    text: str
    attrs: Char


class RunRow(NamedTuple):
    """A scrollback row that was cells: its runs of one look each (far smaller than the cells)."""

    runs: tuple[tuple[str, AttrKey], ...]


Row = dict[int, Char] | TextRow | RunRow | str
"""A row of cells; or, in the scrollback, a TextRow, a RunRow, or (in the default look) just its text."""
Run = tuple[str, AttrKey, bool]
"""A stretch of one row in one look: text, look, whether the cursor is on it (then the text is one cell)."""


def attr_key(cell: Char) -> AttrKey:
    return (cell.fg, cell.bg, cell.bold, cell.italics, cell.underscore, cell.strikethrough, cell.reverse, cell.blink)


DEFAULT_KEY = attr_key(BLANK)
_DEFAULT_ONLY = {DEFAULT_KEY}
_LOOK = itemgetter(1, 2, 3, 4, 5, 6, 7, 8)  # a cell's AttrKey, as attr_key gives it
_DATA = itemgetter(0)


def row_runs(row: Row, columns: int, cursor_x: int = -1) -> list[Run]:
    """A row as runs of one look each, `columns` cells wide; the cursor's cell (if any) is a run of its own."""
    if isinstance(row, str):
        return [(row, DEFAULT_KEY, False)] if row else []
    if isinstance(row, RunRow):
        return [(text, key, False) for text, key in row.runs]
    if isinstance(row, TextRow):
        return _text_row_runs(row, columns)
    if cursor_x < 0 and row:
        plain = _plain_text(row, columns)
        if plain is not None:
            return [(plain.ljust(columns), DEFAULT_KEY, False)]
    runs: list[Run] = []
    text: list[str] = []
    key = DEFAULT_KEY
    get = row.get
    used = min(columns, max(row, default=-1) + 1, 1 << 16)
    if cursor_x >= used:
        used = min(columns, cursor_x + 1)
    for x in range(used):
        cell = get(x)
        if cell is None:
            char, look = " ", DEFAULT_KEY
        else:
            char = cell.data
            if not char:
                continue  # the second half of a wide character
            look = attr_key(cell)
        if x == cursor_x:
            if text:
                runs.append(("".join(text), key, False))
                text = []
            runs.append((char, look, True))
            continue
        if look != key and text:
            runs.append(("".join(text), key, False))
            text = []
        key = look
        text.append(char)
    if text:
        runs.append(("".join(text), key, False))
    if used < columns:
        runs.append((" " * (columns - used), DEFAULT_KEY, False))
    return runs


def _plain_text(row: dict[int, Char], columns: int) -> str | None:
    """The row's characters if every cell is in the default look (the usual shell line), else None. C-level
    loops only: this runs for every line that scrolls."""
    if not set(map(_LOOK, row.values())) <= _DEFAULT_ONLY:
        return None
    used = min(columns, max(row) + 1)
    cells = map(row.get, range(used), repeat(BLANK, used))
    return "".join(map(_DATA, cells))


def compact_row(row: dict[int, Char] | None, columns: int) -> Row:
    """A row leaving the screen for the scrollback: its text if it is all in the default look, else its runs."""
    if not row:
        return ""
    text = _plain_text(row, columns)
    if text is not None:
        return text.rstrip()
    runs = row_runs(row, columns)
    if all(key == DEFAULT_KEY for _text, key, _cursor in runs):
        return "".join(text for text, _key, _cursor in runs).rstrip()
    if runs and runs[-1][1] == DEFAULT_KEY:
        runs[-1] = (runs[-1][0].rstrip(), DEFAULT_KEY, False)
    return RunRow(tuple((text, key) for text, key, _cursor in runs if text))


def _text_row_runs(row: TextRow, columns: int) -> list[Run]:
    if "\x1b" not in row.text:
        return [(row.text, attr_key(row.attrs), False)] if row.text else []
    runs: list[Run] = []
    attrs = row.attrs
    parts = _SGR_IN_TEXT.split(row.text)
    for i, part in enumerate(parts):
        if i % 2:
            attrs = apply_sgr(attrs, part)
        elif part:
            runs.append((part, attr_key(attrs), False))
    return runs
