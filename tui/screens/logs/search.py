"""Search and filter of the Logs screen: both run over the whole history (most of it in a temporary file, so the
scan runs in a worker that posts its hits in blocks), keep up with the lines that come in, and n/N move between
the hits."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from tui.models.logs.match import LineSet, LogMatcher
from tui.screens.common.base import AppScreen
from tui.services.logs.history import LogHistory
from tui.widgets.log_view import LogView


@dataclass
class ScanProgress(Message):
    """A block of the history was scanned for a search or filter."""

    hits: LineSet
    found: list[int]
    scanned: int
    done: bool


class LogSearchScreen(AppScreen):
    """The searching and filtering half of LogsScreen (its only subclass), which follows the streams into
    `history` and says what the view shows (`update_info`, `_placeholder`)."""

    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.regex = False
        self.search: LogMatcher | None = None
        self.search_hits: LineSet | None = None
        self.filter: LogMatcher | None = None
        self.filter_rows: LineSet | None = None

    @property
    def history(self) -> LogHistory | None:
        """Every line followed so far (None before the first start)."""
        raise NotImplementedError

    @property
    def view(self) -> LogView:
        return self.query_one("#logs", LogView)

    def update_info(self) -> None:
        raise NotImplementedError

    def _placeholder(self) -> str:
        raise NotImplementedError

    def set_search(self, matcher: LogMatcher | None) -> None:
        self.search = matcher
        self.view.search = matcher
        self.view.current = None
        self.search_hits = self._scan(matcher) if matcher is not None else None
        self.view.redraw()
        self.update_info()

    def set_filter(self, matcher: LogMatcher | None) -> None:
        self.filter = matcher
        self.filter_rows = self._scan(matcher) if matcher is not None else None
        self.view.rows = self.filter_rows.lines() if self.filter_rows is not None else None
        self.view.placeholder = self._placeholder()
        self.view.redraw()
        self.view.set_following(True)
        self.update_info()

    def _restart_scans(self) -> None:
        """A new history: the same search and filter apply to it from its first line."""
        self.search_hits = self._scan(self.search) if self.search is not None else None
        self.filter_rows = self._scan(self.filter) if self.filter is not None else None
        self.view.search = self.search
        self.view.rows = self.filter_rows.lines() if self.filter_rows is not None else None

    def _scan(self, matcher: LogMatcher) -> LineSet:
        size = len(self.history) if self.history is not None else 0
        hits = LineSet(size)
        if size and self.history is not None:
            self.scan_history(self.history, matcher, hits)
        return hits

    @work(thread=True, group="logs-scan", exit_on_error=False)
    def scan_history(self, history: LogHistory, matcher: LogMatcher, hits: LineSet) -> None:
        worker = get_current_worker()
        last_post = 0.0
        found: list[int] = []
        for scanned, block in history.find(matcher, 0, hits.split):
            if worker.is_cancelled or (hits is not self.search_hits and hits is not self.filter_rows):
                return
            found.extend(block)
            if time.monotonic() - last_post > 0.25:
                self.post_message(ScanProgress(hits, found, scanned, done=False))
                found, last_post = [], time.monotonic()
        self.post_message(ScanProgress(hits, found, hits.split, done=True))

    def on_scan_progress(self, message: ScanProgress) -> None:
        hits = message.hits
        if hits is not self.search_hits and hits is not self.filter_rows:
            return  # a search or filter that has since been replaced
        hits.add_scanned(message.found, message.scanned)
        if message.done:
            hits.finish()
        if hits is self.filter_rows:
            self.view.rows = hits.lines()
            self.view.placeholder = self._placeholder()
            self.view.redraw()
        elif hits is self.search_hits and message.done:
            self._first_hit()
        self.update_info()

    def _first_hit(self) -> None:
        """After a search: the latest hit while following, else the first at or below the top of the screen."""
        hits = self.search_hits
        if hits is None or not len(hits):
            if self.search is not None:
                self.notify(f"no line matches {self.search.label}", severity="warning")
            return
        if self.view.following:
            self._go_to_hit(hits.lines()[-1] + 1, -1)
        else:
            self._go_to_hit(self._top_line() - 1, 1)

    def _top_line(self) -> int:
        return self.view.line_at(self.view.visible_lines()[0]) if self.view.row_count else 0

    def action_next_hit(self, direction: int) -> None:
        if self.search is None or self.search_hits is None:
            self.notify("no search: press / first", severity="warning")
            return
        if not len(self.search_hits):
            self.notify(f"no line matches {self.search.label}", severity="warning")
            return
        current = self.view.current
        if current is None:
            current = self._top_line() - (1 if direction > 0 else -1)
        self._go_to_hit(current, direction)

    def _go_to_hit(self, start: int, direction: int) -> None:
        """Show the hit after (direction 1) or before (-1) line `start`; wraps around; skips hits the filter hides."""
        assert self.search_hits is not None
        line, wrapped = self.search_hits.step(start, direction, lambda hit: self.view.row_of(hit) is not None)
        if line is None:
            self.notify("every hit is hidden by the filter", severity="warning")
            return
        self.view.set_current(line)
        self.view.jump_to_line(line)
        if wrapped:
            self.notify("search wrapped around", timeout=2)
        self.update_info()

    def _check_new_lines(self, first: int) -> None:
        assert self.history is not None
        if self.search is not None and self.search_hits is not None:
            for _, found in self.history.find(self.search, first):
                self.search_hits.add_new(found)
        if self.filter is not None and self.filter_rows is not None:
            for _, found in self.history.find(self.filter, first):
                self.filter_rows.add_new(found)
