"""The Runs list free of UI: each run's cells in words (status, age, duration), the `/` filter, the rows shown.

The texts here are shared by the Runs screen and `k8sx-tui runs list`, so both say a run's state the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tui.models.logs.safe_text import safe_text
from tui.models.runs.run import Run, RunSummary

MAX_WIDTH = 48
COLUMNS = ("NAME", "KIND", "NAMESPACE", "STATUS", "AGE", "DURATION", "IMAGE", "CODE", "RESULTS", "LOGS", "ID")


def span_text(seconds: float | None) -> str:
    """A duration as kubectl says an age: 45s, 12m, 3h, 5d ("" when unknown)."""
    if seconds is None:
        return ""
    whole = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def status_text(phase: str, failure: str = "") -> str:
    return f"{phase} ({failure})" if failure else phase


def run_status(run: Run) -> str:
    return status_text(run.phase, run.failure)


def summary_cells(summary: RunSummary, now: float) -> tuple[str, ...]:
    """One row of the list, in COLUMNS' order. The duration runs from the apply to the end (or to now). What the
    store holds came from manifests and servers: control characters become visible placeholders."""
    end = summary.ended if summary.ended is not None else now
    cells = (
        summary.name,
        summary.kind,
        summary.namespace,
        status_text(summary.phase, summary.failure),
        span_text(now - summary.created),
        span_text(end - summary.created),
        summary.image_tag,
        summary.code_label,
        str(summary.results) if summary.results else "-",
        str(summary.logs) if summary.logs else "-",
        summary.id,
    )
    return tuple(safe_text(cell, colours=False) for cell in cells)


class RunFilter:
    """What the user typed after `/`, as on the pod list: a regular expression (or, if it is not one, a plain
    substring), case-insensitive, matched against every column of the row."""

    def __init__(self, text: str = "") -> None:
        self.text = text.strip()
        self.pattern: re.Pattern[str] | None = None
        if self.text:
            try:
                self.pattern = re.compile(self.text, re.IGNORECASE)
            except re.error:
                self.pattern = re.compile(re.escape(self.text), re.IGNORECASE)

    def __bool__(self) -> bool:
        return bool(self.text)

    def matches(self, cells: Sequence[str]) -> bool:
        search = self.pattern.search if self.pattern is not None else None
        return search is None or any(search(cell) is not None for cell in cells)


SummaryRecord = tuple[Any, ...]  # one run as the store reads it, in RunSummary's field order
_ID, _NAME, _KIND, _NAMESPACE, _CREATED, _PHASE, _ENDED, _IMAGE, _CODE, _RESULTS, _LOGS, _FAILURE = range(12)


class RunRows:
    """The runs as loaded (newest first) and which of them the filter lets through. A row's cells are made when it
    is drawn or filtered, not before: 10,000 runs show without 110,000 texts made first (the widths are found from
    the records' own fields, the same as the cells' would be)."""

    def __init__(self, records: list[SummaryRecord], now: float, run_filter: RunFilter | None = None) -> None:
        self.records = records
        self.now = now
        self._cells: list[tuple[str, ...] | None] = [None] * len(records)
        self.widths = _widths(records, now)
        self.shown: Sequence[int] = range(len(records))  # indexes into records, in order
        if run_filter:
            self.refilter(run_filter)

    def __len__(self) -> int:
        return len(self.records)

    def run_id(self, index: int) -> str:
        return str(self.records[index][_ID])

    def phase(self, index: int) -> str:
        return str(self.records[index][_PHASE])

    def summary(self, index: int) -> RunSummary:
        return RunSummary(*self.records[index])

    def cells(self, index: int) -> tuple[str, ...]:
        cells = self._cells[index]
        if cells is None:
            cells = self._cells[index] = summary_cells(self.summary(index), self.now)
        return cells

    def refilter(self, run_filter: RunFilter) -> None:
        """Every row's cells are needed here (the first filter makes them; the next ones reuse them)."""
        if not run_filter:
            self.shown = range(len(self.records))
            return
        self.shown = [index for index in range(len(self.records)) if run_filter.matches(self.cells(index))]


def _widths(records: list[SummaryRecord], now: float) -> tuple[int, ...]:
    """Each column's width: its longest cell (what summary_cells would make), at most MAX_WIDTH."""
    texts = [
        _longest([r[_NAME] for r in records]),
        _longest([r[_KIND] for r in records]),
        _longest([r[_NAMESPACE] for r in records]),
        _longest([status_text(r[_PHASE], r[_FAILURE]) for r in records]),
        _span_width(max((now - r[_CREATED] for r in records), default=0)),
        _span_width(max(((now if r[_ENDED] is None else r[_ENDED]) - r[_CREATED] for r in records), default=0)),
        _longest([r[_IMAGE] for r in records]),
        _longest([r[_CODE] for r in records]),
        len(str(max((r[_RESULTS] for r in records), default=0))),  # "-" for none: one, as a single digit
        len(str(max((r[_LOGS] for r in records), default=0))),
        _longest([r[_ID] for r in records]),
    ]
    return tuple(min(MAX_WIDTH, max(len(title), width)) for title, width in zip(COLUMNS, texts, strict=True))


def _longest(texts: list[str]) -> int:
    """The longest text as a cell shows it: a control character's placeholder or a tab may be longer than it, so
    the texts are made safe one by one only when one of them has any (one scan of them all says)."""
    together = "".join(texts)
    if safe_text(together, colours=False) == together:
        return max(map(len, texts), default=0)
    return max((len(safe_text(text, colours=False)) for text in texts), default=0)


def _span_width(longest: float) -> int:
    """The widest span_text of any span up to `longest`: under a day it is at most 3 ("59m"), after that its
    number of days grows with it."""
    return max(3, len(span_text(longest)))
