"""What the program behind a terminal receives for a key, a paste or a mouse event: xterm's encodings.

Key names are Textual's (`ctrl+c`, `shift+up`, `alt+x`, `f5`, `pageup`), plain strings, so this stays UI-free.
"""

from __future__ import annotations

ESC = "\x1b"

# CSI sequences that take a modifier as `CSI 1;m X` (cursor keys, Home/End, F1-F4) ...
_LETTER_KEYS = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F"}
_SS3_KEYS = {"f1": "P", "f2": "Q", "f3": "R", "f4": "S"}
# ... and those written `CSI n ~` / `CSI n;m ~`.
_TILDE_KEYS = {
    "insert": 2,
    "delete": 3,
    "pageup": 5,
    "pagedown": 6,
    "f5": 15,
    "f6": 17,
    "f7": 18,
    "f8": 19,
    "f9": 20,
    "f10": 21,
    "f11": 23,
    "f12": 24,
}
_SIMPLE = {
    "enter": "\r",
    "tab": "\t",
    "escape": ESC,
    "backspace": "\x7f",
    "space": " ",
    "shift+tab": f"{ESC}[Z",
    "ctrl+@": "\x00",
    "ctrl+space": "\x00",
    "ctrl+backslash": "\x1c",
    "ctrl+right_square_bracket": "\x1d",
    "ctrl+circumflex_accent": "\x1e",
    "ctrl+underscore": "\x1f",
    "ctrl+left_square_bracket": ESC,
    "ctrl+h": "\x08",
}
_MODIFIER_BITS = {"shift": 1, "alt": 2, "meta": 2, "ctrl": 4}


def encode_key(key: str, character: str | None, application_cursor: bool = False) -> bytes:
    """The bytes a key sends; empty when it sends nothing."""
    if key in _SIMPLE:
        return _SIMPLE[key].encode()
    *modifiers, name = key.split("+")
    if name in ("f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24"):
        # Textual names shift+F1..F12 this way (as terminals report them).
        name, modifiers = f"f{int(name[1:]) - 12}", [*modifiers, "shift"]
    bits = sum(_MODIFIER_BITS.get(m, 0) for m in set(modifiers))
    modifier = f";{bits + 1}" if bits else ""
    if name in _LETTER_KEYS:
        letter = _LETTER_KEYS[name]
        if bits:
            return f"{ESC}[1{modifier}{letter}".encode()
        return f"{ESC}{'O' if application_cursor else '['}{letter}".encode()
    if name in _SS3_KEYS:
        letter = _SS3_KEYS[name]
        return f"{ESC}[1{modifier}{letter}".encode() if bits else f"{ESC}O{letter}".encode()
    if name in _TILDE_KEYS:
        return f"{ESC}[{_TILDE_KEYS[name]}{modifier}~".encode()
    prefix = ESC if "alt" in modifiers or "meta" in modifiers else ""
    if "ctrl" in modifiers:
        control = _control_character(name)
        return f"{prefix}{control}".encode() if control else b""
    if name in _SIMPLE:
        return f"{prefix}{_SIMPLE[name]}".encode()
    char = _NAMED_CHARACTERS.get(name) or (name if len(name) == 1 else None) or character
    if not char or not char.isprintable():
        return b""
    if "shift" in modifiers and char.isalpha():
        char = char.upper()
    return f"{prefix}{char}".encode()


def _control_character(name: str) -> str:
    """ctrl+a is 0x01 ... ctrl+z 0x1a; ctrl+@, ctrl+[, ctrl+\\, ctrl+], ctrl+^, ctrl+_ and ctrl+? as on a VT100."""
    char = _NAMED_CHARACTERS.get(name, name)
    if len(char) != 1:
        return ""
    if char.isalpha() and char.isascii():
        return chr(ord(char.lower()) & 0x1F)
    return _CONTROLS.get(char, "")


_CONTROLS = {
    "@": "\x00",
    " ": "\x00",
    "2": "\x00",
    "[": ESC,
    "3": ESC,
    "\\": "\x1c",
    "4": "\x1c",
    "]": "\x1d",
    "5": "\x1d",
    "^": "\x1e",
    "6": "\x1e",
    "_": "\x1f",
    "-": "\x1f",
    "/": "\x1f",
    "7": "\x1f",
    "?": "\x7f",
    "8": "\x7f",
}
_NAMED_CHARACTERS = {
    "space": " ",
    "exclamation_mark": "!",
    "quotation_mark": '"',
    "number_sign": "#",
    "dollar_sign": "$",
    "percent_sign": "%",
    "ampersand": "&",
    "apostrophe": "'",
    "left_parenthesis": "(",
    "right_parenthesis": ")",
    "asterisk": "*",
    "plus": "+",
    "comma": ",",
    "minus": "-",
    "full_stop": ".",
    "slash": "/",
    "colon": ":",
    "semicolon": ";",
    "less_than_sign": "<",
    "equals_sign": "=",
    "greater_than_sign": ">",
    "question_mark": "?",
    "at": "@",
    "left_square_bracket": "[",
    "backslash": "\\",
    "right_square_bracket": "]",
    "circumflex_accent": "^",
    "underscore": "_",
    "grave_accent": "`",
    "left_curly_bracket": "{",
    "vertical_line": "|",
    "right_curly_bracket": "}",
    "tilde": "~",
}


def encode_paste(text: str, bracketed: bool) -> bytes:
    """A paste as typed input: line ends become CR (what Enter sends); in bracketed paste mode it is wrapped so
    the program knows it was pasted (and a shell does not run each line as it arrives)."""
    body = text.replace("\r\n", "\r").replace("\n", "\r")
    if bracketed:
        body = f"{ESC}[200~{body.replace(f'{ESC}[201~', '')}{ESC}[201~"
    return body.encode()


def encode_mouse(
    tracking: int,
    sgr: bool,
    kind: str,
    button: int,
    x: int,
    y: int,
    shift: bool = False,
    meta: bool = False,
    ctrl: bool = False,
) -> bytes:
    """A mouse event as the program asked for it (`tracking` 9/1000/1002/1003, SGR or X10 coordinates).

    kind: "down", "up", "move" (button 0 when none is held) or "scroll" (button 4 up, 5 down). x, y from 0.
    Empty when the mode does not report this event.
    """
    if tracking == 0:
        return b""
    if kind == "move" and (tracking < 1002 or (tracking == 1002 and button == 0)):
        return b""
    if kind == "up" and tracking == 9:
        return b""
    if kind == "scroll":
        code = 64 + (button - 4)
    elif kind == "move":
        code = 32 + (button - 1 if button else 3)
    elif kind == "up" and not sgr:
        code = 3
    else:
        code = max(0, button - 1)
    if tracking != 9:
        code += (4 if shift else 0) + (8 if meta else 0) + (16 if ctrl else 0)
    if sgr:
        return f"{ESC}[<{code};{x + 1};{y + 1}{'m' if kind == 'up' else 'M'}".encode()
    if x > 222 or y > 222:
        return b""  # X10 coordinates end at 223
    return f"{ESC}[M{chr(32 + code)}{chr(33 + x)}{chr(33 + y)}".encode("latin-1")
