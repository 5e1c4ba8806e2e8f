"""The Runs list free of UI: each run's cells in words (status, age, duration), the `/` filter, the rows shown.

The texts here are shared by the Runs screen and `k8sx-tui runs list`, so both say a run's state the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass
class RunRows:
    """The runs as loaded (newest first) with their cells, and which of them the filter lets through."""

    summaries: list[RunSummary]
    cells: list[tuple[str, ...]]
    shown: list[int]  # indexes into summaries, in order
    widths: tuple[int, ...]  # of each column: its longest cell, at most MAX_WIDTH

    @classmethod
    def of(cls, summaries: list[RunSummary], now: float, run_filter: RunFilter) -> RunRows:
        """Made on a worker thread: 10,000 runs cost it a few tens of milliseconds, and the UI none."""
        cells = [summary_cells(summary, now) for summary in summaries]
        widths = tuple(
            min(MAX_WIDTH, max([len(title), *(len(row[column]) for row in cells)]))
            for column, title in enumerate(COLUMNS)
        )
        return cls(summaries, cells, [i for i, row in enumerate(cells) if run_filter.matches(row)], widths)

    def refilter(self, run_filter: RunFilter) -> None:
        self.shown = [i for i, row in enumerate(self.cells) if run_filter.matches(row)]
