"""The cells of a terminal: pyte's screen, extended to what xterm does and pyte does not.

pyte gives the cursor motions, erase/insert/delete, margins, tab stops and charsets. Added here: xterm's colour
names (16, 256 and truecolor, colon forms too), an alternate screen, a scrollback that lines scrolling off the
top of the main screen go to, xterm's single saved cursor, scroll up/down (SU/SD), repeat (REP), and a draw
that writes a printable ASCII run in bulk instead of character by character.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Callable
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import pyte
from pyte import modes as mo
from pyte.charsets import LAT1_MAP
from pyte.screens import Char, Cursor, Margins, StaticDefaultDict
from wcwidth import wcwidth

BLANK = Char(" ")
ANSI_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
COLOR_NAMES = (*ANSI_NAMES, *(f"bright_{name}" for name in ANSI_NAMES))

# Private modes (pyte keeps them shifted left by 5 in `Screen.mode`).
CURSOR_KEYS = 1 << 5  # DECCKM: arrows send ESC O A
MOUSE_X10 = 9 << 5
MOUSE_NORMAL = 1000 << 5
MOUSE_BUTTON_MOTION = 1002 << 5
MOUSE_ANY_MOTION = 1003 << 5
FOCUS_EVENTS = 1004 << 5
MOUSE_SGR = 1006 << 5
ALT_SCREEN_MODES = frozenset({47, 1047, 1049})
BRACKETED_PASTE = 2004 << 5

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


def _indexed_color(n: int) -> str:
    return COLOR_NAMES[n] if n < 16 else f"color({min(n, 255)})"


def _extended_color(values: list[int], start: int) -> tuple[str | None, int]:
    """38;5;n or 38;2;r;g;b starting at values[start] (the 5 or the 2): the colour and how many values it took."""
    if start >= len(values):
        return None, 0
    if values[start] == 5 and start + 1 < len(values):
        return _indexed_color(values[start + 1]), 2
    if values[start] == 2 and start + 3 < len(values):
        r, g, b = (min(v, 255) for v in values[start + 1 : start + 4])
        return f"#{r:02x}{g:02x}{b:02x}", 4
    return None, len(values) - start


def _colon_color(parts: list[str]) -> str | None:
    """38:5:n, 38:2::r:g:b or 38:2:r:g:b (the ITU forms, colon separated)."""
    numbers = [int(p) if p.isdigit() else 0 for p in parts[1:]]
    if numbers[:1] == [5] and len(numbers) >= 2:
        return _indexed_color(numbers[1])
    if numbers[:1] == [2] and len(numbers) >= 4:
        r, g, b = (min(v, 255) for v in numbers[-3:])
        return f"#{r:02x}{g:02x}{b:02x}"
    return None


def apply_sgr(attrs: Char, params: str) -> Char:
    """The look after `CSI params m`. Unknown attributes are ignored, as terminals do."""
    if not params or params == "0":
        return attrs._replace(**_RESET)
    change: dict[str, Any] = {}
    groups = params.split(";")
    values = [int(g) if g.isdigit() else 0 for g in groups]
    i = 0
    while i < len(values):
        value = values[i]
        if ":" in groups[i]:
            parts = groups[i].split(":")
            head = int(parts[0]) if parts[0].isdigit() else 0
            if head in (38, 48):
                color = _colon_color(parts)
                if color is not None:
                    change["fg" if head == 38 else "bg"] = color
            elif head == 4:
                change["underscore"] = parts[1:2] != ["0"]
            i += 1
            continue
        if value == 0:
            change.update(_RESET)
        elif 30 <= value <= 37:
            change["fg"] = ANSI_NAMES[value - 30]
        elif 40 <= value <= 47:
            change["bg"] = ANSI_NAMES[value - 40]
        elif 90 <= value <= 97:
            change["fg"] = COLOR_NAMES[value - 82]
        elif 100 <= value <= 107:
            change["bg"] = COLOR_NAMES[value - 92]
        elif value in (38, 48, 58):
            color, used = _extended_color(values, i + 1)
            if color is not None and value != 58:
                change["fg" if value == 38 else "bg"] = color
            i += used
        elif value == 39:
            change["fg"] = "default"
        elif value == 49:
            change["bg"] = "default"
        elif value in _FLAGS:
            name, on = _FLAGS[value]
            change[name] = on
        elif value == 22:
            change["bold"] = False
        i += 1
    return attrs._replace(**change) if change else attrs


_RESET: dict[str, Any] = {
    "fg": "default",
    "bg": "default",
    "bold": False,
    "italics": False,
    "underscore": False,
    "strikethrough": False,
    "reverse": False,
    "blink": False,
}
_FLAGS = {
    1: ("bold", True),
    3: ("italics", True),
    4: ("underscore", True),
    5: ("blink", True),
    6: ("blink", True),
    7: ("reverse", True),
    9: ("strikethrough", True),
    21: ("underscore", True),
    23: ("italics", False),
    24: ("underscore", False),
    25: ("blink", False),
    27: ("reverse", False),
    29: ("strikethrough", False),
}


class _CellsOfLook(dict[str, Char]):
    """The cell of each character in one look, made once: drawing a run becomes dict lookups."""

    def __init__(self, attrs: Char) -> None:
        super().__init__()
        self.attrs = attrs

    def __missing__(self, char: str) -> Char:
        cell = self.attrs._replace(data=char)
        self[char] = cell
        return cell


def _new_buffer() -> dict[int, StaticDefaultDict[int, Char]]:
    return defaultdict(lambda: StaticDefaultDict[int, Char](BLANK))


class VTScreen(pyte.Screen):
    """pyte's Screen with an alternate screen, a scrollback, xterm colours and a fast draw."""

    def __init__(self, columns: int, lines: int, scrollback: int = 10_000) -> None:
        self.history: deque[Row] = deque(maxlen=scrollback)
        self.history_added = 0  # rows ever added: a scrolled-back view stays on its rows while more arrive
        self.reply: Callable[[str], None] = lambda _data: None
        self.alternate = False
        self._main_buffer: dict[int, StaticDefaultDict[int, Char]] | None = None
        self._saved: tuple[Cursor, str, str, int, bool, bool] | None = None
        self._alt_saved: tuple[Cursor, str, str, int, bool, bool] | None = None
        self._looks: dict[Char, _CellsOfLook] = {}
        self.last_char = " "
        self.bells = 0
        super().__init__(columns, lines)
        self.buffer = _new_buffer()

    @property
    def default_char(self) -> Char:
        return BLANK

    def reset(self) -> None:
        super().reset()
        self.cursor = Cursor(0, 0, BLANK)
        self.alternate = False
        self._main_buffer = None
        self._saved = None

    # ---------------------------------------------------------------- drawing

    def draw(self, data: str) -> None:
        if self.charset or self.g0_charset is not LAT1_MAP:
            data = data.translate(self.g1_charset if self.charset else self.g0_charset)
        if not data:
            return
        if not data.isascii() or mo.IRM in self.mode:
            self._draw_each(data)
            return
        cursor = self.cursor
        columns = self.columns
        autowrap = mo.DECAWM in self.mode
        look = self._looks.get(cursor.attrs)
        if look is None:
            if len(self._looks) > 512:
                self._looks.clear()
            look = self._looks[cursor.attrs] = _CellsOfLook(cursor.attrs)
        cell_of = look.__getitem__
        pos, end = 0, len(data)
        while pos < end:
            if cursor.x >= columns:
                if autowrap:
                    self.dirty.add(cursor.y)
                    cursor.x = 0
                    self.index()
                else:
                    cursor.x = columns - 1
                    pos = end - 1  # without wrapping, only the last character stays in the last column
            take = min(end - pos, columns - cursor.x)
            line = self.buffer[cursor.y]
            line.update(zip(range(cursor.x, cursor.x + take), map(cell_of, data[pos : pos + take]), strict=True))
            cursor.x += take
            pos += take
            self.dirty.add(cursor.y)
        self.last_char = data[-1]

    def _draw_each(self, data: str) -> None:
        """Wide, combining and non-ASCII characters, and insert mode: one character at a time."""
        cursor = self.cursor
        columns = self.columns
        for char in data:
            width = wcwidth(char)
            if width < 0:
                continue
            line = self.buffer[cursor.y]
            if width == 0:
                if unicodedata.combining(char) and cursor.x > 0:
                    x = min(cursor.x, columns) - 1
                    if not line[x].data and x > 0:
                        x -= 1
                    last = line[x]
                    line[x] = last._replace(data=unicodedata.normalize("NFC", last.data + char))
                    self.dirty.add(cursor.y)
                continue
            if cursor.x >= columns or (width == 2 and cursor.x == columns - 1):
                if mo.DECAWM in self.mode:
                    self.dirty.add(cursor.y)
                    cursor.x = 0
                    self.index()
                    line = self.buffer[cursor.y]
                else:
                    cursor.x = columns - width
            if mo.IRM in self.mode:
                self.insert_characters(width)
            line[cursor.x] = cursor.attrs._replace(data=char)
            if width == 2:
                line[cursor.x + 1] = cursor.attrs._replace(data="")
            cursor.x += width
            self.dirty.add(cursor.y)
            self.last_char = char

    def repeat_last(self, count: int) -> None:
        """REP (CSI n b): ncurses draws horizontal lines with it."""
        self.draw(self.last_char * max(1, min(count, self.columns * self.lines)))

    # ---------------------------------------------------------------- scrolling and the scrollback

    def index(self) -> None:
        top, bottom = self.margins or Margins(0, self.lines - 1)
        cursor = self.cursor
        if cursor.y != bottom:
            if cursor.y < self.lines - 1:
                cursor.y += 1
            return
        buffer = self.buffer
        if top == 0 and not self.alternate:
            self.history.append(compact_row(buffer.get(0), self.columns))
            self.history_added += 1
        for y in range(top, bottom):
            below = buffer.pop(y + 1, None)
            if below is None:
                buffer.pop(y, None)
            else:
                buffer[y] = below
        self.dirty.update(range(top, bottom + 1))

    def scroll_up(self, count: int = 1) -> None:
        """SU: the region's content moves up `count` rows; blank rows come in at the bottom."""
        self._shift_region(max(1, count))

    def scroll_down(self, count: int = 1) -> None:
        """SD: the region's content moves down `count` rows; blank rows come in at the top."""
        self._shift_region(-max(1, count))

    def _shift_region(self, count: int) -> None:
        top, bottom = self.margins or Margins(0, self.lines - 1)
        rows = [self.buffer.get(y) for y in range(top, bottom + 1)]
        height = len(rows)
        count = max(-height, min(height, count))
        blank: list[StaticDefaultDict[int, Char] | None] = [None] * abs(count)
        shifted = rows[count:] + blank if count > 0 else blank + rows[: height + count]
        for offset, row in enumerate(shifted):
            if row is None:
                self.buffer.pop(top + offset, None)
            else:
                self.buffer[top + offset] = row
        self.dirty.update(range(top, bottom + 1))

    def add_history_rows(self, rows: list[Row]) -> None:
        self.history.extend(rows)
        self.history_added += len(rows)

    def scroll_screen_into_history(self) -> None:
        """Jump scroll: every row above the cursor's (bottom, blank) row goes to the scrollback at once, and
        the cursor starts again at the top of an empty screen."""
        self.add_history_rows([compact_row(self.buffer.get(y), self.columns) for y in range(self.lines - 1)])
        self.buffer.clear()
        self.cursor.x = self.cursor.y = 0
        self.dirty.update(range(self.lines))

    def clear_history(self) -> None:
        self.history.clear()

    # ---------------------------------------------------------------- erasing (with the background colour, as xterm)

    def _erase_cell(self) -> Char | None:
        """What erased cells become: nothing (the default) unless a background colour is set."""
        bg = self.cursor.attrs.bg
        return None if bg == "default" else BLANK._replace(bg=bg)

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        self.dirty.add(self.cursor.y)
        x = min(self.cursor.x, self.columns - 1)
        span = {0: range(x, self.columns), 1: range(x + 1), 2: range(self.columns)}.get(how)
        if span is not None:
            self._erase_span(self.buffer[self.cursor.y], span)

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        if how == 3:
            self.clear_history()
            return
        rows = {0: range(self.cursor.y + 1, self.lines), 1: range(self.cursor.y), 2: range(self.lines)}.get(how)
        if rows is None:
            return
        fill = self._erase_cell()
        for y in rows:
            if fill is None:
                self.buffer.pop(y, None)
            else:
                self._erase_span(self.buffer[y], range(self.columns))
        self.dirty.update(rows)
        if how in (0, 1):
            self.erase_in_line(how)

    def erase_characters(self, count: int | None = None) -> None:
        self.dirty.add(self.cursor.y)
        x = min(self.cursor.x, self.columns - 1)
        self._erase_span(self.buffer[self.cursor.y], range(x, min(x + (count or 1), self.columns)))

    def _erase_span(self, line: dict[int, Char], span: range) -> None:
        fill = self._erase_cell()
        if fill is None:
            if span.start == 0 and span.stop >= self.columns:
                line.clear()
            else:
                for x in span:
                    line.pop(x, None)
        else:
            for x in span:
                line[x] = fill

    # ---------------------------------------------------------------- modes, the alternate screen, the saved cursor

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private"):
            for mode in modes:
                if mode in ALT_SCREEN_MODES:
                    self._enter_alternate(save_cursor=mode == 1049)
        super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        super().reset_mode(*modes, **kwargs)
        if kwargs.get("private"):
            for mode in modes:
                if mode in ALT_SCREEN_MODES:
                    self._leave_alternate(restore_cursor=mode == 1049)

    def _enter_alternate(self, save_cursor: bool) -> None:
        if self.alternate:
            return
        if save_cursor:
            self._alt_saved = self._cursor_state()
        self._main_buffer = self.buffer
        self.buffer = _new_buffer()
        self.alternate = True
        self.dirty.update(range(self.lines))

    def _leave_alternate(self, restore_cursor: bool) -> None:
        if not self.alternate:
            return
        self.buffer = self._main_buffer or _new_buffer()
        for y in [y for y in self.buffer if y >= self.lines]:
            del self.buffer[y]
        self._main_buffer = None
        self.alternate = False
        if restore_cursor and self._alt_saved is not None:
            self._restore_state(self._alt_saved)
        self.dirty.update(range(self.lines))

    def _cursor_state(self) -> tuple[Cursor, str, str, int, bool, bool]:
        return (
            copy.copy(self.cursor),
            self.g0_charset,
            self.g1_charset,
            self.charset,
            mo.DECOM in self.mode,
            mo.DECAWM in self.mode,
        )

    def _restore_state(self, state: tuple[Cursor, str, str, int, bool, bool]) -> None:
        cursor, self.g0_charset, self.g1_charset, self.charset, origin, wrap = state
        self.mode.discard(mo.DECOM)
        self.mode.discard(mo.DECAWM)
        if origin:
            self.mode.add(mo.DECOM)
        if wrap:
            self.mode.add(mo.DECAWM)
        self.cursor = copy.copy(cursor)
        self.ensure_hbounds()
        self.ensure_vbounds()

    def save_cursor(self) -> None:
        """DECSC: xterm keeps one saved cursor, which DECRC may restore any number of times."""
        self._saved = self._cursor_state()

    def restore_cursor(self) -> None:
        if self._saved is None:
            self.mode.discard(mo.DECOM)
            self.cursor_position()
        else:
            self._restore_state(self._saved)

    def soft_reset(self) -> None:
        """DECSTR (CSI ! p): modes, margins and the look back to their defaults; the text stays."""
        self.mode.difference_update({mo.IRM, mo.DECOM, CURSOR_KEYS})
        self.mode.update({mo.DECAWM, mo.DECTCEM})
        self.cursor.hidden = False
        self.cursor.attrs = BLANK
        self.margins = None
        self.charset = 0
        self.g0_charset = LAT1_MAP
        self._saved = None

    def tab_forward(self, count: int = 1) -> None:
        for _ in range(max(1, count)):
            self.tab()

    def tab_back(self, count: int = 1) -> None:
        for _ in range(max(1, count)):
            stops = [stop for stop in self.tabstops if stop < self.cursor.x]
            self.cursor.x = max(stops) if stops else 0

    # ---------------------------------------------------------------- reports to the program

    def report_device_status(self, mode: int) -> None:
        if mode == 5:
            self.reply("\x1b[0n")
        elif mode == 6:
            x = min(self.cursor.x, self.columns - 1) + 1
            y = self.cursor.y + 1
            if mo.DECOM in self.mode and self.margins is not None:
                y -= self.margins.top
            self.reply(f"\x1b[{y};{x}R")

    def report_device_attributes(self, mode: int = 0, **kwargs: bool) -> None:
        if mode == 0 and not kwargs.get("private"):
            self.reply("\x1b[?62;22c")  # a VT220 with ANSI colour, as xterm answers

    def write_process_input(self, data: str) -> None:
        self.reply(data)

    def bell(self, *args: Any) -> None:
        self.bells += 1

    # ---------------------------------------------------------------- size

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        """New size. Rows that no longer fit above the cursor go to the scrollback (as xterm); no reflow."""
        lines = max(1, lines or self.lines)
        columns = max(1, columns or self.columns)
        if lines == self.lines and columns == self.columns:
            return
        buffers = [self.buffer] if self._main_buffer is None else [self.buffer, self._main_buffer]
        if lines < self.lines:
            excess = max(0, self.cursor.y - (lines - 1))
            if excess:
                if not self.alternate:
                    self.add_history_rows([compact_row(self.buffer.get(y), self.columns) for y in range(excess)])
                moved = {y - excess: row for y, row in self.buffer.items() if y >= excess}
                self.buffer.clear()
                self.buffer.update(moved)
                self.cursor.y -= excess
            for buffer in buffers:
                for y in [y for y in buffer if y >= lines]:
                    del buffer[y]
        if columns < self.columns:
            for buffer in buffers:
                for line in buffer.values():
                    for x in [x for x in line if x >= columns]:
                        del line[x]
        elif columns > self.columns:
            self.tabstops.update(range((self.columns // 8 + 1) * 8, columns, 8))
        self.lines, self.columns = lines, columns
        self.margins = None
        self.cursor.x = min(self.cursor.x, columns - 1)
        self.cursor.y = min(self.cursor.y, lines - 1)
        self.dirty.update(range(lines))

    # ---------------------------------------------------------------- reading rows back

    def row(self, y: int) -> dict[int, Char]:
        return self.buffer.get(y) or {}

    def text_of(self, row: Row) -> str:
        """A row's characters, trailing blanks dropped (tests and copy)."""
        return "".join(text for text, _key, _cursor in row_runs(row, self.columns)).rstrip()


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
