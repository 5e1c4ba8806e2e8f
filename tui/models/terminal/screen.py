"""The cells of a terminal: pyte's screen, extended to what xterm does and pyte does not.

pyte gives the cursor motions, erase/insert/delete, margins, tab stops and charsets. Added here: an alternate
screen, a scrollback that lines scrolling off the top of the main screen go to, xterm's single saved cursor,
scroll up/down (SU/SD), repeat (REP), and a draw that writes a printable ASCII run in bulk instead of character
by character. The colours (SGR) are in sgr.py, the rows as drawn and as kept in the scrollback in rows.py.
"""

from __future__ import annotations

import copy
import unicodedata
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import pyte
from pyte import modes as mo
from pyte.charsets import LAT1_MAP
from pyte.screens import Char, Cursor, Margins, StaticDefaultDict
from wcwidth import wcwidth

from tui.models.terminal.rows import BLANK, Row, compact_row, row_runs

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
