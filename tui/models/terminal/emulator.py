"""A terminal emulator for the bytes of a remote shell: xterm's escape sequences onto a `VTScreen`.

Why not pyte's own Stream: it parses one character at a time, reads
`CSI > 4;2 m` (vim's modifyOtherKeys) as underline, draws the inside of DCS strings as text, and has no
alternate screen. Here whole printable runs and whole escape sequences are matched by regular expressions.

Jump scroll: output is fed in batches (one per frame). When a batch holds many plain lines (text, SGR colours,
CR LF), the lines that would scroll off the screen before the batch ends go to the scrollback as text rows
without ever becoming cells; only the last screenful is drawn cell by cell. The result is the screen and
scrollback that feeding every line would give, for a fraction of the work.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from pyte import modes as mo
from pyte.charsets import LAT1_MAP
from pyte.screens import Char
from wcwidth import wcwidth

from tui.models.terminal.backlog import lines_to_keep, skip_scrolled
from tui.models.terminal.rows import BLANK, Row, TextRow
from tui.models.terminal.screen import (
    BRACKETED_PASTE,
    CURSOR_KEYS,
    FOCUS_EVENTS,
    MOUSE_ANY_MOTION,
    MOUSE_BUTTON_MOTION,
    MOUSE_NORMAL,
    MOUSE_SGR,
    MOUSE_X10,
    VTScreen,
)
from tui.models.terminal.sgr import apply_sgr

_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f-\x9f]+")
_CSI = re.compile(r"\[([0-?]*)([ -/]*)([@-~])")
_CSI_PARTIAL = re.compile(r"\[[0-?]*[ -/]*\Z")
_ESC = re.compile(r"([ -/]*)([0-~])")
_ESC_PARTIAL = re.compile(r"[ -/]*\Z")
_STRING_END = re.compile(r"\x07|\x1b\\")
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
# Control characters (ESC too) but CR and LF: where a stretch of plain lines may end.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_STRING = 1 << 20  # an OSC/DCS string longer than this without its terminator is dropped
MAX_PARAM = 9999


def _numbers(params: str) -> list[int]:
    """CSI parameters as numbers; an empty one is 0 (pyte's methods read 0 as the default)."""
    if not params:
        return []
    out = []
    for part in params.split(";"):
        head = part.split(":", 1)[0]
        out.append(min(int(head), MAX_PARAM) if head.isdigit() else 0)
    return out


def visible_width(text: str) -> int:
    """Cells a run of printable text takes (wide characters two, combining ones none)."""
    if text.isascii():
        return len(text)
    return sum(max(0, wcwidth(char)) for char in text)


def _split_plain(text: str, attrs: Char, columns: int) -> list[Row]:
    """Rows of at most `columns` cells for a line without escape sequences, wrapping as the screen does.
    Rows in the default look are plain strings (the cheapest thing to keep)."""
    if text.isascii():
        pieces = [text] if len(text) <= columns else [text[i : i + columns] for i in range(0, len(text), columns)]
    else:
        pieces = []
        start = x = 0
        for i, char in enumerate(text):
            width = wcwidth(char)
            if width <= 0:
                continue
            if x + width > columns:
                pieces.append(text[start:i])
                start, x = i, 0
            x += width
        pieces.append(text[start:])
    if attrs == BLANK:
        return list(pieces)
    return [TextRow(piece, attrs) for piece in pieces]


def _plain_end(text: str, pos: int) -> int:
    """Where the stretch of printable text, SGR sequences, CR and LF starting at pos ends."""
    while True:
        control = _CONTROL.search(text, pos)
        if control is None:
            return len(text)
        start = control.start()
        if text[start] == "\x1b":
            sgr = _SGR.match(text, start)
            if sgr is not None:
                pos = sgr.end()
                continue
        return start


def _split_styled(text: str, attrs: Char, columns: int) -> tuple[list[TextRow], Char]:
    """Rows for a line with SGR sequences, each row starting with the look in force there; and the look after."""
    rows: list[TextRow] = []
    row_parts: list[str] = []
    row_attrs = attrs
    x = 0
    for i, part in enumerate(_SGR.split(text)):
        if i % 2:
            attrs = apply_sgr(attrs, part)
            row_parts.append(f"\x1b[{part}m")
            continue
        while part:
            if x >= columns:  # the row is full and more text follows: wrap
                rows.append(TextRow("".join(row_parts), row_attrs))
                row_parts, row_attrs, x = [], attrs, 0
            room = columns - x
            if part.isascii():
                cut = min(room, len(part))
                width = cut
            else:
                cut = width = 0
                for char in part:
                    char_width = max(0, wcwidth(char))
                    if width + char_width > room:
                        break
                    width += char_width
                    cut += 1
                if cut == 0:  # a wide character in the last column: it goes to the next row
                    x = columns
                    continue
            row_parts.append(part[:cut])
            x += width
            part = part[cut:]
    rows.append(TextRow("".join(row_parts), row_attrs))
    return rows, attrs


def line_rows(line: str, columns: int) -> int:
    """How many screen rows a plain line (text and SGR sequences) takes with wrapping."""
    visible = _SGR.sub("", line) if "\x1b" in line else line
    if visible.isascii():
        return max(1, -(-len(visible) // columns))
    rows, x = 1, 0
    for char in visible:
        width = wcwidth(char)
        if width <= 0:
            continue
        if x + width > columns:
            rows, x = rows + 1, 0
        x += width
    return rows


class TerminalEmulator:
    """Bytes from a program in, a screen, a scrollback and the terminal modes out; replies (cursor position
    reports and the like) go back through `reply`."""

    def __init__(
        self,
        columns: int = 80,
        lines: int = 24,
        scrollback: int = 10_000,
        reply: Callable[[bytes], None] | None = None,
    ) -> None:
        self.screen = VTScreen(columns, lines, scrollback)
        self.screen.reply = self._reply
        self._reply_to: Callable[[bytes], None] = reply or (lambda _data: None)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self.title = ""
        self.bytes_fed = 0
        self.jump_scrolled_lines = 0  # lines that went to the scrollback as text (for tests and the bench)

    def _reply(self, data: str) -> None:
        self._reply_to(data.encode())

    def set_reply(self, reply: Callable[[bytes], None]) -> None:
        self._reply_to = reply

    # ---------------------------------------------------------------- what the widget reads

    @property
    def columns(self) -> int:
        return self.screen.columns

    @property
    def lines(self) -> int:
        return self.screen.lines

    @property
    def cursor(self) -> tuple[int, int]:
        """(x, y) of the cursor, x kept inside the screen (a pending wrap shows on the last column)."""
        return min(self.screen.cursor.x, self.screen.columns - 1), self.screen.cursor.y

    @property
    def cursor_visible(self) -> bool:
        return mo.DECTCEM in self.screen.mode

    @property
    def alternate_screen(self) -> bool:
        return self.screen.alternate

    @property
    def application_cursor_keys(self) -> bool:
        return CURSOR_KEYS in self.screen.mode

    @property
    def bracketed_paste(self) -> bool:
        return BRACKETED_PASTE in self.screen.mode

    @property
    def focus_events(self) -> bool:
        return FOCUS_EVENTS in self.screen.mode

    @property
    def mouse_tracking(self) -> int:
        """0 (off), 9 (X10: presses), 1000 (presses and releases), 1002 (and drags), 1003 (all motion)."""
        mode = self.screen.mode
        for number, flag in ((1003, MOUSE_ANY_MOTION), (1002, MOUSE_BUTTON_MOTION), (1000, MOUSE_NORMAL)):
            if flag in mode:
                return number
        return 9 if MOUSE_X10 in mode else 0

    @property
    def mouse_sgr(self) -> bool:
        return MOUSE_SGR in self.screen.mode

    @property
    def history(self) -> list[Row]:
        return list(self.screen.history)

    @property
    def scrollback(self) -> int:
        """Rows the scrollback holds at most."""
        return self.screen.history.maxlen or 0

    def skip_unseen(self, data: bytes, until: int) -> tuple[bytes, int] | None:
        """Output waiting to be fed without the plain lines that would scroll past the scrollback (none from
        `until` on), and how many bytes were left out; None when none can be. Any thread may ask."""
        return skip_scrolled(data, lines_to_keep(self.lines, self.scrollback), until)

    def take_dirty(self) -> set[int]:
        """Rows changed since the last call."""
        dirty = self.screen.dirty
        self.screen.dirty = set()
        return dirty

    def display(self) -> list[str]:
        """The screen as text, one string per row, trailing blanks dropped."""
        return [self.screen.text_of(self.screen.row(y)) for y in range(self.screen.lines)]

    def history_text(self) -> list[str]:
        return [self.screen.text_of(row) for row in self.screen.history]

    def cell(self, x: int, y: int) -> Char:
        return self.screen.row(y).get(x) or Char(" ")

    def resize(self, columns: int, lines: int) -> None:
        self.screen.resize(lines, columns)

    # ---------------------------------------------------------------- input

    def feed(self, data: bytes) -> None:
        """Output of the program: any amount, split anywhere (inside UTF-8 characters and escape sequences too)."""
        self.bytes_fed += len(data)
        text = self._decoder.decode(data)
        if self._pending:
            text, self._pending = self._pending + text, ""
        if text:
            self._run(text)

    def _run(self, text: str) -> None:
        screen = self.screen
        end = len(text)
        pos = 0
        jump_from = 0  # no jump-scroll attempt before here (what was refused is not looked at again)
        printable = _PRINTABLE.match
        while pos < end:
            match = printable(text, pos)
            if match is not None:
                screen.draw(match.group())
                pos = match.end()
                continue
            char = text[pos]
            if char == "\x1b":
                after = self._escape(text, pos)
                if after < 0:
                    self._pending = text[pos:]
                    return
                pos = after
                continue
            pos += 1
            if char == "\r":
                screen.cursor.x = 0
            elif char == "\n" or char == "\x0b" or char == "\x0c":
                screen.linefeed()
                if pos >= jump_from and self._may_jump():
                    pos, jump_from = self._jump(text, pos)
            elif char == "\x08":
                screen.backspace()
            elif char == "\t":
                screen.tab()
            elif char == "\x07":
                screen.bell()
            elif char == "\x0e":
                screen.shift_out()
            elif char == "\x0f":
                screen.shift_in()

    # ---------------------------------------------------------------- escape sequences

    def _escape(self, text: str, pos: int) -> int:
        """Handle the escape sequence at pos; where it ends, or -1 when the text ends inside it."""
        if pos + 1 >= len(text):
            return -1
        kind = text[pos + 1]
        if kind == "[":
            match = _CSI.match(text, pos + 1)
            if match is None:
                return -1 if _CSI_PARTIAL.match(text, pos + 1) else pos + 2
            self._csi(*match.groups())
            return match.end()
        if kind in "]P_^X":
            found = _STRING_END.search(text, pos + 2)
            if found is None:
                return len(text) if len(text) - pos > MAX_STRING else -1
            if kind == "]":
                self._osc(text[pos + 2 : found.start()])
            return found.end()
        match = _ESC.match(text, pos + 1)
        if match is None:
            return -1 if _ESC_PARTIAL.match(text, pos + 1) else pos + 1
        self._esc(*match.groups())
        return match.end()

    def _esc(self, intermediates: str, final: str) -> None:
        screen = self.screen
        if not intermediates:
            action = {
                "7": screen.save_cursor,
                "8": screen.restore_cursor,
                "D": screen.index,
                "M": screen.reverse_index,
                "H": screen.set_tab_stop,
                "c": screen.reset,
            }.get(final)
            if action is not None:
                action()
            elif final == "E":
                screen.index()
                screen.cursor.x = 0
        elif intermediates in ("(", ")"):
            screen.define_charset(final, intermediates)
        elif intermediates == "#" and final == "8":
            screen.alignment_display()

    def _osc(self, payload: str) -> None:
        code, _, value = payload.partition(";")
        if code in ("0", "2"):
            self.title = value
            self.screen.title = value

    def _csi(self, params: str, intermediates: str, final: str) -> None:
        screen = self.screen
        if intermediates:
            if intermediates == "!" and final == "p":
                screen.soft_reset()
            return  # cursor style (SP q), DECRQM ($p) and the like change nothing on screen
        marker = params[:1]
        if marker in ("?", ">", "=", "<"):
            if marker == "?":
                numbers = _numbers(params[1:])
                if final == "h":
                    screen.set_mode(*numbers, private=True)
                elif final == "l":
                    screen.reset_mode(*numbers, private=True)
                elif final in "JK":
                    self._csi(params[1:], "", final)  # selective erase: erase
            return  # secondary DA, modifyOtherKeys, kitty keyboard queries: not supported, not misread
        if final == "m":
            screen.cursor.attrs = apply_sgr(screen.cursor.attrs, params)
            return
        numbers = _numbers(params)
        first = numbers[0] if numbers else 0
        if final in "Hf":
            screen.cursor_position(first, numbers[1] if len(numbers) > 1 else 0)
        elif final in "G`":
            screen.cursor_to_column(first)
        elif final == "d":
            screen.cursor_to_line(first)
        elif final in "Aa":
            if final == "A":
                screen.cursor_up(first)
            else:
                screen.cursor_forward(first)
        elif final in "BCDEFe":
            {
                "B": screen.cursor_down,
                "C": screen.cursor_forward,
                "D": screen.cursor_back,
                "E": screen.cursor_down1,
                "F": screen.cursor_up1,
                "e": screen.cursor_down,
            }[final](first)
        elif final == "J":
            screen.erase_in_display(first)
        elif final == "K":
            screen.erase_in_line(first)
        elif final == "X":
            screen.erase_characters(first)
        elif final == "@":
            screen.insert_characters(first)
        elif final == "P":
            screen.delete_characters(first)
        elif final == "L":
            screen.insert_lines(first)
        elif final == "M":
            screen.delete_lines(first)
        elif final == "S":
            screen.scroll_up(first)
        elif final == "T" and len(numbers) <= 1:
            screen.scroll_down(first)
        elif final == "b":
            screen.repeat_last(first)
        elif final == "r":
            screen.set_margins(*numbers[:2])
        elif final == "h":
            screen.set_mode(*numbers)
        elif final == "l":
            screen.reset_mode(*numbers)
        elif final == "n":
            screen.report_device_status(first)
        elif final == "c":
            screen.report_device_attributes(first)
        elif final == "g":
            screen.clear_tab_stop(first)
        elif final == "I":
            screen.tab_forward(first)
        elif final == "Z":
            screen.tab_back(first)
        elif final == "s" and not numbers:
            screen.save_cursor()
        elif final == "u" and not numbers:
            screen.restore_cursor()

    # ---------------------------------------------------------------- jump scroll

    def _may_jump(self) -> bool:
        """The state in which plain lines only ever scroll: cursor on a blank bottom row at column 0, whole
        screen scrolling, main screen, wrapping on, no insert or origin mode, the plain character set."""
        screen = self.screen
        cursor = screen.cursor
        return (
            cursor.x == 0
            and cursor.y == screen.lines - 1
            and not screen.alternate
            and screen.margins is None
            and not screen.buffer.get(cursor.y)
            and mo.DECAWM in screen.mode
            and mo.IRM not in screen.mode
            and mo.DECOM not in screen.mode
            and not screen.charset
            and screen.g0_charset is LAT1_MAP
        )

    def _jump(self, text: str, pos: int) -> tuple[int, int]:
        """Lines from pos that would scroll away before the text ends go to the scrollback as text rows.
        Returns where cell-by-cell parsing goes on, and before which position not to try again."""
        screen = self.screen
        lines_on_screen = screen.lines
        columns = screen.columns
        plain_end = _plain_end(text, pos)
        last = text.rfind("\r\n", pos, plain_end)
        if last < 0:
            return pos, plain_end
        region_end = last + 2
        region = text[pos:region_end]
        lines = region.split("\r\n")
        lines.pop()
        retry_at = region_end
        if region.count("\n") != len(lines) or region.count("\r") != len(lines):
            offset = pos
            for i, line in enumerate(lines):  # a bare CR or LF: only the lines before it are plain
                if "\r" in line or "\n" in line:
                    retry_at = offset + len(line) + 2
                    region_end = offset
                    del lines[i:]
                    break
                offset += len(line) + 2
        if len(lines) < 2 * lines_on_screen + 2:
            return pos, retry_at
        if "\x1b" not in region and region.isascii() and max(map(len, lines)) <= columns:
            return self._jump_one_row_lines(lines, region_end), retry_at
        # The tail is parsed as usual and covers the whole screen, so what was on it before does not matter.
        covered = tail_chars = 0
        first_tail = len(lines)
        while first_tail > 0 and covered < lines_on_screen + 1:
            first_tail -= 1
            covered += line_rows(lines[first_tail], columns)
            tail_chars += len(lines[first_tail]) + 2
        tail_start = region_end - tail_chars
        # Only the lines that end up in the scrollback need rows; the looks of the others still count.
        keep = screen.history.maxlen or 0
        kept = kept_chars = 0
        first_kept = first_tail
        while first_kept > 0 and kept < keep:
            first_kept -= 1
            kept += line_rows(lines[first_kept], columns)
            kept_chars += len(lines[first_kept]) + 2
        attrs = screen.cursor.attrs
        skipped_end = tail_start - kept_chars
        if text.find("\x1b", pos, skipped_end) >= 0:
            for match in _SGR.finditer(text, pos, skipped_end):
                attrs = apply_sgr(attrs, match.group(1))
        screen.scroll_screen_into_history()
        rows: list[Row] = []
        for line in lines[first_kept:first_tail]:
            if "\x1b" in line:
                styled, attrs = _split_styled(line, attrs, columns)
                rows.extend(styled)
            else:
                rows.extend(_split_plain(line, attrs, columns))
        screen.add_history_rows(rows)
        screen.history_added += first_kept  # lines that scrolled past the whole scrollback (at least a row each)
        screen.cursor.attrs = attrs
        self.jump_scrolled_lines += first_tail
        return tail_start, retry_at

    def _jump_one_row_lines(self, lines: list[str], region_end: int) -> int:
        """The common case (plain ASCII lines no wider than the screen, one row each), without a loop per line."""
        screen = self.screen
        first_tail = len(lines) - (screen.lines + 1)
        first_kept = max(0, first_tail - (screen.history.maxlen or 0))
        tail = lines[first_tail:]
        tail_start = region_end - sum(map(len, tail)) - 2 * len(tail)
        screen.scroll_screen_into_history()
        kept: list[Row] = list(lines[first_kept:first_tail])
        attrs = screen.cursor.attrs
        screen.add_history_rows(
            kept if attrs == BLANK else [TextRow(line, attrs) for line in lines[first_kept:first_tail]]
        )
        screen.history_added += first_kept
        self.jump_scrolled_lines += first_tail
        return tail_start
