"""SGR (`CSI ... m`): the colours and text attributes a cell is drawn in, in xterm's names (16, 256 and
truecolor, colon forms too). Its own module because both the emulator and the scrollback's text rows apply it.
"""

from __future__ import annotations

from typing import Any

from pyte.screens import Char

ANSI_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
COLOR_NAMES = (*ANSI_NAMES, *(f"bright_{name}" for name in ANSI_NAMES))


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
