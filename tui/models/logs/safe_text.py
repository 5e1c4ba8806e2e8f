"""Log text as the Logs screen may draw it: data, never terminal commands.

Everything a pod logs is hostile input. The view renders SGR colour sequences (`ESC [ … m`, parsed into styles,
never passed on) and nothing else: every other control character is replaced by a visible placeholder — a C0
control by its Unicode control picture (`␛` for ESC, `␇` for BEL, `␀` for NUL), DEL by `␡`, a C1 control
(U+0080 to U+009F) by `\\x9b` — so an escape sequence is shown as the text it is (`␛]52;c;…␇`) and no byte of it
reaches the terminal. Invalid UTF-8 is shown as U+FFFD, tabs as spaces, a CR ending the line (CRLF) is dropped.

A line longer than LONG_LINE_BYTES is drawn a window at a time: only the bytes on screen are read and made safe
(`cut_window`), so a 10 MB line costs what a screenful does.
"""

from __future__ import annotations

import re

SGR = re.compile(r"\x1b\[[0-9;]*m")  # a colour: the only sequence the view renders
SGR_BYTES = re.compile(SGR.pattern.encode())
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A colour (kept, when colours are), the CRs ending a line (dropped), or a control character (a placeholder).
_TOKEN = re.compile(rf"(?P<colour>{SGR.pattern})|(?P<end>\r+$)|[\x00-\x08\x0a-\x1f\x7f-\x9f]")
TAB_STOP = 8

LONG_LINE_BYTES = 16 * 1024
LOOKBACK_BYTES = 4096  # the colours of a long line set this far before the drawn window still apply to it


def placeholder(char: str) -> str:
    """What a control character is shown as."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ␀ … ␟
    if code == 0x7F:
        return "␡"
    return f"\\x{code:02x}"


def _without_colours(match: re.Match[str]) -> str:
    if match.group("colour"):
        return placeholder("\x1b") + match.group()[1:]
    if match.group("end"):
        return ""
    return placeholder(match.group())


def _with_colours(match: re.Match[str]) -> str:
    return match.group() if match.group("colour") else _without_colours(match)


def safe_text(text: str, colours: bool = True) -> str:
    """`text` with nothing a terminal would act on: colour sequences kept (unless `colours` is False, for text
    drawn without parsing them), every other control character a placeholder, tabs expanded. Idempotent."""
    if _UNSAFE.search(text) is None:
        return text
    text = _TOKEN.sub(_with_colours if colours else _without_colours, text)
    return _expand_tabs(text) if "\t" in text else text


def safe_lines(text: str) -> str:
    """Text of several lines a server or pod chose (describe output, events, a termination message), safe to draw:
    each line as `safe_text` without colours, the line breaks kept."""
    return "\n".join(safe_text(line.removesuffix("\r"), colours=False) for line in text.split("\n"))


def safe_message(data: bytes, colours: bool = True) -> str:
    """Bytes a pod logged, as text that is safe to draw (invalid UTF-8 shown as U+FFFD)."""
    return safe_text(data.decode("utf-8", "replace"), colours)


def _expand_tabs(text: str) -> str:
    """Tabs to spaces up to the next stop, counting the characters shown (not the colour sequences)."""
    parts = text.split("\t")
    out = [parts[0]]
    column = len(SGR.sub("", parts[0]))
    for part in parts[1:]:
        pad = TAB_STOP - column % TAB_STOP
        out.append(" " * pad)
        out.append(part)
        column += pad + len(SGR.sub("", part))
    return "".join(out)


def window_bytes(cells: int) -> int:
    """How many bytes of a long line to read to fill `cells` cells: enough for multi-byte characters and for
    colour sequences between them."""
    return cells * 4 + 1024


def cut_window(data: bytes, start: int) -> bytes:
    """Of `data` (a stretch of a long line, read from up to LOOKBACK_BYTES before the drawn part, which begins at
    `start`): the drawn part, from its first whole character (a cut never splits a character or a colour
    sequence), after the colour sequences of the bytes before it (so it keeps the colours set there)."""
    begin = start
    carried: list[bytes] = []
    for match in SGR_BYTES.finditer(data):
        if match.start() >= begin:
            break
        carried.append(match.group())
        begin = max(begin, match.end())
    while begin < min(len(data), start + 3) and 0x80 <= data[begin] < 0xC0:  # a UTF-8 continuation byte
        begin += 1
    return b"".join(carried) + data[begin:]
