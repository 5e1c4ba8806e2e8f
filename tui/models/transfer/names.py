"""Names from a pod as they may be shown: a hostile archive's names can be kilobytes long or hold control
characters (a terminal's escape sequences), and each is shown on one short line."""

from __future__ import annotations

SHOWN_MAX = 100  # characters of a name shown; a longer one loses its middle
UNDECODABLE = range(0xDC80, 0xDD00)  # bytes that were not UTF-8, kept as surrogates (surrogateescape)


def shown(name: str, limit: int = SHOWN_MAX) -> str:
    """name with control characters and undecodable bytes escaped (`\\x1b`, `\\xff`), shortened in the middle."""
    text = "".join(_char(c) for c in name)
    if len(text) <= limit:
        return text
    tail = limit // 3
    return f"{text[: limit - tail - 1]}…{text[-tail:]}"


def listed(names: list[str], limit: int = 5) -> str:
    """The first `limit` names, shown, and how many more."""
    text = ", ".join(shown(name) for name in names[:limit])
    return f"{text} and {len(names) - limit} more" if len(names) > limit else text


def _char(c: str) -> str:
    if ord(c) in UNDECODABLE:
        return f"\\x{ord(c) - 0xDC00:02x}"
    if c.isprintable():
        return c
    return c.encode("unicode_escape").decode("ascii")
