"""Tables that fit the terminal's width, as k9s's do: every column stays on screen, the widest ones give up cells
first (a pod's NAME, its IMAGE, an event's MESSAGE) and are cut with an ellipsis; they widen again with the window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

ELLIPSIS = "…"
NARROWEST = 8  # a cut column keeps this many cells (or its title's width, or all of it when narrower)
SORT_ARROWS = "↑↓"
NAME_SHARE = 5  # the first column keeps 1/NAME_SHARE of the room


@dataclass(frozen=True)
class ColumnHint:
    """How one column is cut, declared beside the table's columns (keyed by title): `least` cells it keeps (default
    NARROWEST), which part of a cut cell stays (both ends by default; "end" for an image's tag, "start" for text)."""

    least: int | None = None
    keep: Literal["both", "start", "end"] = "both"


NO_HINT = ColumnHint()


def hints_of(titles: Sequence[str], hints: Mapping[str, ColumnHint]) -> list[ColumnHint]:
    return [hints.get(title.rstrip(SORT_ARROWS), NO_HINT) for title in titles]


def floors(natural: Sequence[int], titles: Sequence[str], hints: Sequence[ColumnHint], room: int) -> list[int]:
    """How narrow each column may get: its title (and a sort arrow) stays whole, a short column is never cut, and
    the first column, which names the row, keeps a fifth of the room (pods of one sweep differ in their middle)."""
    least = [NARROWEST if hint.least is None else hint.least for hint in hints]
    if least and hints[0].least is None:
        least[0] = max(NARROWEST, room // NAME_SHARE)
    return [
        min(width, max(len(title.rstrip(SORT_ARROWS)) + 1, most))
        for width, title, most in zip(natural, titles, least, strict=True)
    ]


def fit_widths(natural: Sequence[int], lowest: Sequence[int], room: int) -> list[int]:
    """Column widths that add up to at most `room` (the gaps between columns left out). The widest columns shrink
    first, down to a common cap, none below its floor in `lowest`; the cells the cap leaves over go to the capped
    columns from the left. A table that fits keeps its natural widths; one whose floors do not fit gets its floors."""
    if sum(natural) <= room:
        return list(natural)

    def capped(cap: int) -> list[int]:
        return [max(floor, min(width, cap)) for width, floor in zip(natural, lowest, strict=True)]

    low, high = 0, max(natural)  # the widest cap that fits (0 when only the floors remain)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(capped(cap)) <= room:
            low = cap
        else:
            high = cap - 1
    widths = capped(low)
    spare = room - sum(widths)
    for index, width in enumerate(widths):
        if spare > 0 and natural[index] > width == low:
            widths[index] += 1
            spare -= 1
    return widths


def ellipsize(text: str, width: int, keep: Literal["both", "start", "end"] = "both") -> str:
    """`text` in at most `width` cells. Cut in the middle by default, so both a name's start and its distinguishing
    end (a pod's random suffix, an image's tag) stay readable."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    head = {"start": width - 1, "end": 0}.get(keep, width // 2)
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def fit_cells(
    titles: Sequence[str], rows: Sequence[Sequence[str]], room: int, hints: Mapping[str, ColumnHint] | None = None
) -> list[int]:
    """The widths of a table of plain cells (a DataTable's) fitted in `room` cells, what separates columns left out."""
    natural = [max([len(title), *(len(row[column]) for row in rows)]) for column, title in enumerate(titles)]
    return fit_widths(natural, floors(natural, titles, hints_of(titles, hints or {}), room), room)
