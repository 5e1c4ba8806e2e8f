"""The pod list's state, free of UI: every row by key, the filter, the sort, and the visible order.

Updates arrive in batches; a batch that changes neither the order nor the filter's verdict on any row (the
common case: a status flips while sorted by name) replaces rows in place without re-sorting. Usage (metrics-server's
reading) is kept beside the rows, by key: a new reading replaces one dict and re-sorts only when sorted by it.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from tui.models.column_widths import ColumnHint
from tui.models.metrics.figures import percent
from tui.models.metrics.gpu import GpuState
from tui.models.metrics.usage import Usage
from tui.models.pods.row import PodRow


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: Callable[[PodRow], Any]


def _ip_key(row: PodRow) -> tuple[int, int]:
    try:
        return (0, int(ipaddress.ip_address(row.ip)))
    except ValueError:
        return (1, 0)


def _ready_key(row: PodRow) -> tuple[float, int]:
    ready, _, total = row.ready.partition("/")
    try:
        return (int(ready) / max(int(total), 1), int(total))
    except ValueError:
        return (0.0, 0)


def _age_key(row: PodRow) -> float:
    # Youngest first when ascending, like a ticking AGE column read top-down.
    return -(row.created.timestamp() if row.created else 0.0)


COLUMNS: dict[str, Column] = {
    "NAMESPACE": Column("NAMESPACE", lambda r: r.namespace),
    "NAME": Column("NAME", lambda r: r.name),
    "READY": Column("READY", _ready_key),
    "STATUS": Column("STATUS", lambda r: r.status),
    "RESTARTS": Column("RESTARTS", lambda r: r.restarts),
    "AGE": Column("AGE", _age_key),
    "IP": Column("IP", _ip_key),
    "NODE": Column("NODE", lambda r: r.node),
    "IMAGE": Column("IMAGE", lambda r: r.image),
    "GPU": Column("GPU", lambda r: r.gpus),
}

# The columns whose cells are a row's text as it is: their widths are counted (PodTable.longest).
TEXT_COLUMNS: dict[str, Callable[[PodRow], str]] = {
    "NAMESPACE": attrgetter("namespace"),
    "NAME": attrgetter("name"),
    "STATUS": attrgetter("status"),
    "IP": attrgetter("ip"),
    "NODE": attrgetter("node"),
    "IMAGE": attrgetter("image"),
}

# How a column is cut when the table is narrower than its cells: an image keeps its tag, a status its start (a
# Pending reason: "Pending: Insufficient nvidia.com/g…").
FIT_HINTS = {"IMAGE": ColumnHint(keep="end"), "STATUS": ColumnHint(least=30, keep="start")}

Figure = Callable[[PodRow, Usage | None], int | None]


def _cpu(row: PodRow, usage: Usage | None) -> int | None:
    return usage.cpu_m if usage else None


def _memory(row: PodRow, usage: Usage | None) -> int | None:
    return usage.memory if usage else None


# k9s's usage columns: what the pod uses (millicores, bytes), and that as a whole percent of its request or limit.
FIGURES: dict[str, Figure] = {
    "CPU": _cpu,
    "MEM": _memory,
    "%CPU/R": lambda r, u: percent(_cpu(r, u), r.requests.cpu_m),
    "%CPU/L": lambda r, u: percent(_cpu(r, u), r.limits.cpu_m),
    "%MEM/R": lambda r, u: percent(_memory(r, u), r.requests.memory),
    "%MEM/L": lambda r, u: percent(_memory(r, u), r.limits.memory),
}


def _gpu_percent(state: GpuState | None) -> int:
    """GPU%'s order: unknown first when ascending (below 0), an idle GPU as the 0% it is."""
    percent = state.use.percent if state is not None and state.use is not None else None
    return -1 if percent is None else percent


def _vram(state: GpuState | None) -> int:
    used = state.use.memory_used if state is not None and state.use is not None else None
    return -1 if used is None else used


# nvidia-smi's readings (tui/services/metrics/gpu.py), by pod key: GPU% (mean utilisation) and VRAM used.
GPU_FIGURES: dict[str, Callable[[GpuState | None], int]] = {"GPU%": _gpu_percent, "VRAM": _vram}


_REGEX_SYNTAX = re.compile(r"[.^$*+?{}\[\]\\|()]")
_WHOLE_TEXT_ANCHORS = re.compile(r"\\[AZ]|\(\?")  # \A, \Z, (?...): read differently across the joined columns


class LabelSelector:
    """kubectl's equality-based selector: `app=web,tier!=db,gpu` (exists) and `!gpu` (does not exist)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.terms: list[tuple[str, str, str | None]] = []
        for term in filter(None, (t.strip() for t in text.split(","))):
            if "!=" in term:
                key, value = term.split("!=", 1)
                self.terms.append(("!=", key.strip(), value.strip()))
            elif "=" in term:
                key, value = term.split("==", 1) if "==" in term else term.split("=", 1)
                self.terms.append(("=", key.strip(), value.strip()))
            elif term.startswith("!"):
                self.terms.append(("!", term[1:].strip(), None))
            else:
                self.terms.append(("exists", term, None))

    def matches(self, labels: dict[str, str]) -> bool:
        for op, key, value in self.terms:
            if op == "=" and labels.get(key) != value:
                return False
            if op == "!=" and labels.get(key) == value:
                return False
            if op == "exists" and key not in labels:
                return False
            if op == "!" and key in labels:
                return False
        return True


class PodFilter:
    """What the user typed after `/`: a regular expression (or, if it is not one, a plain substring), matched
    case-insensitively against each column (so `$` anchors a name's end); `-l selector` filters by labels;
    `node:NAME` keeps the pods on that node (Enter on the Nodes screen)."""

    def __init__(self, text: str = "") -> None:
        self.text = text.strip()
        self.selector: LabelSelector | None = None
        self.pattern: re.Pattern[str] | None = None
        self.needle: str | None = None  # text without regex syntax: looked for with `in`, not a regex search
        self.rough: re.Pattern[str] | None = None  # the pattern over a row's search_text: rules most rows out at once
        self.node: str | None = None
        self.is_regex = True
        if self.text.startswith("node:"):
            self.node = self.text[5:].strip()
        elif self.text.startswith("-l"):
            self.selector = LabelSelector(self.text[2:].strip())
        elif self.text:
            try:
                self.pattern = re.compile(self.text, re.IGNORECASE)
            except re.error:
                self.is_regex = False
            if not self.is_regex or not _REGEX_SYNTAX.search(self.text):
                self.needle = self.text.lower()
            elif not _WHOLE_TEXT_ANCHORS.search(self.text):
                # A match in one column is a match in the columns one a line (^ and $ at each line's ends).
                self.rough = re.compile(self.text, re.IGNORECASE | re.MULTILINE)

    def __bool__(self) -> bool:
        return bool(self.text)

    def narrows(self, wider: PodFilter) -> bool:
        """Every row this filter keeps, `wider` keeps too (a substring typed further): only its rows need a look."""
        return self.needle is not None and wider.needle is not None and wider.needle in self.needle

    def keep(self, keys: Iterable[str], rows: Mapping[str, PodRow]) -> list[str]:
        """The keys of the rows this filter keeps, in their order. A plain text's test is inlined: a method call a
        row is most of a pass over 100,000 rows (40 ms against 10)."""
        if self.needle is not None:
            needle = self.needle
            return [key for key in keys if needle in rows[key].search_text]
        matches = self.matches
        return [key for key in keys if matches(rows[key])]

    def matches(self, row: PodRow) -> bool:
        if self.node is not None:
            return row.node == self.node
        if self.selector is not None:
            return self.selector.matches(row.labels)
        if self.needle is not None:
            return self.needle in row.search_text
        if self.pattern is None:
            return True
        if self.rough is not None and self.rough.search(row.search_text) is None:
            return False
        search = self.pattern.search
        return any(search(field) is not None for field in row.searched)


class PodTable:
    """Every row by key, the filter, the sort and the visible order. The order of all rows is kept between changes
    that leave it (a filter typed, a status flipped), so a filter is one pass over it rather than a sort; and the
    lengths of the text columns are counted as rows come and go, so the widest cell needs no pass over 100,000."""

    def __init__(self) -> None:
        self.rows: dict[str, PodRow] = {}
        self.view: list[str] = []  # keys of the rows that pass the filter, in sort order
        self.filter = PodFilter()
        self.sort_column = "NAME"
        self.sort_reverse = False
        self.usage: dict[str, Usage] = {}  # by key; empty while metrics are unavailable (the columns say n/a)
        self.gpu: dict[str, GpuState] = {}  # by key: the last nvidia-smi reading of pods that asked for GPUs
        self._order: list[str] | None = None  # every key in sort order; None once a change may have moved one
        self._lengths: dict[str, Counter[int]] = {column: Counter() for column in TEXT_COLUMNS}
        self._gpu_rows = 0  # rows that ask for GPUs (their columns show while there is one)

    # ---------------------------------------------------------------- updates

    def replace_all(self, rows: Iterable[PodRow]) -> None:
        new, held = {row.key: row for row in rows}, self.rows
        if len(held) <= len(new) and all(new.get(key) is row for key, row in held.items()):
            # A list's end, the rows of its pages held already: only its last page's rows go in, as changes.
            self.apply({key: row for key, row in new.items() if key not in held})
            return
        self.rows = new
        self._lengths = {column: Counter() for column in TEXT_COLUMNS}
        self._gpu_rows = 0
        self._count(new.values(), 1)
        self._order = None
        self._rebuild()

    def apply(self, changes: dict[str, PodRow | None]) -> None:
        """Upsert (a row) or remove (None) by key."""
        sort_key, matches, rows = self._sort_key(), self.filter.matches, self.rows
        added: list[PodRow] = []
        arrived: list[PodRow] = []  # every new row (added or replacing one), counted in; `gone` counted out
        gone: list[PodRow] = []
        needs_rebuild = False
        for key, row in changes.items():
            old = rows.get(key)
            if old is not None:
                gone.append(old)
            if row is None:
                if old is not None:
                    del rows[key]
                    self._order = None
                    needs_rebuild = needs_rebuild or matches(old)
                continue
            rows[key] = row
            arrived.append(row)
            if old is None:
                added.append(row)
            elif sort_key(old) != sort_key(row):
                self._order = None
                needs_rebuild = True
            elif matches(old) != matches(row):
                needs_rebuild = True
        self._count(gone, -1)
        self._count(arrived, 1)
        if added and not self._append(added):
            self._order = None
            needs_rebuild = needs_rebuild or any(map(matches, added))
        if needs_rebuild:
            self._rebuild()

    def _append(self, added: list[PodRow]) -> bool:
        """New rows that all sort after the kept order go at its end, without a sort of every row: a list's pages
        come in name order (100,000 pods: 3.7 s of the UI thread re-sorting at each page). False if they do not."""
        if self._order is None:
            return False
        sort_key, reverse = self._sort_key(), self.sort_reverse
        added.sort(key=attrgetter("key"))  # ties in key order, as _rebuild breaks them
        added.sort(key=sort_key, reverse=reverse)
        if self._order:
            last, first = self.rows[self._order[-1]], added[0]
            last_value, first_value = sort_key(last), sort_key(first)
            if last_value == first_value:
                if last.key > first.key:
                    return False
            elif (last_value < first_value) == reverse:
                return False
        keys = [row.key for row in added]
        self._order.extend(keys)
        self.view.extend(self.filter.keep(keys, self.rows) if self.filter else keys)
        return True

    def _count(self, rows: Iterable[PodRow], step: int) -> None:
        rows = list(rows)
        for column, field in TEXT_COLUMNS.items():
            lengths = self._lengths[column]
            if step > 0:
                lengths.update(map(len, map(field, rows)))  # counted in C
                continue
            for length in map(len, map(field, rows)):
                lengths[length] -= 1
                if not lengths[length]:
                    del lengths[length]
        self._gpu_rows += step * sum(1 for row in rows if row.gpus)

    @property
    def any_gpus(self) -> bool:
        """Whether any row asks for GPUs (counted as rows come and go, not a pass over them)."""
        return self._gpu_rows > 0

    def longest(self, column: str) -> int:
        """The widest cell of a text column (TEXT_COLUMNS) over every row, filtered out or not."""
        return max(self._lengths[column], default=0)

    def set_usage(self, usage: dict[str, Usage]) -> bool:
        """A new metrics reading; True when the visible order changed (sorted by a usage column)."""
        self.usage = usage
        if self.sort_column not in FIGURES:
            return False
        before = self.view
        self._order = None
        self._rebuild()
        return self.view != before

    def set_gpu(self, key: str, state: GpuState) -> bool:
        """A pod's GPU reading; True when the visible order changed (sorted by GPU% or VRAM)."""
        if key not in self.rows:
            return False  # gone while nvidia-smi ran
        self.gpu[key] = state
        if self.sort_column not in GPU_FIGURES:
            return False
        before = self.view
        self._order = None
        self._rebuild()
        return self.view != before

    def forget_gone(self) -> None:
        """GPU readings of pods no longer listed are dropped."""
        for key in [key for key in self.gpu if key not in self.rows]:
            del self.gpu[key]

    def figure(self, row: PodRow, column: str) -> int | None:
        """A usage column's value for `row`: None when unknown (no metrics, no request or limit to divide by)."""
        return FIGURES[column](row, self.usage.get(row.key))

    # ---------------------------------------------------------------- filter and sort

    def set_filter(self, text: str) -> None:
        wider, self.filter = self.filter, PodFilter(text)
        if self.filter.narrows(wider):
            self.view = self.filter.keep(self.view, self.rows)
        else:
            self._rebuild()

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        if column not in COLUMNS and column not in FIGURES and column not in GPU_FIGURES:
            raise ValueError(f"no column {column}")
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column, self.sort_reverse = column, reverse
        self._order = None
        self._rebuild()

    def _sort_key(self) -> Callable[[PodRow], Any]:
        if (gpu_figure := GPU_FIGURES.get(self.sort_column)) is not None:
            gpu = self.gpu
            return lambda row: gpu_figure(gpu.get(row.key))
        figure = FIGURES.get(self.sort_column)
        if figure is None:
            return COLUMNS[self.sort_column].sort_key
        usage = self.usage
        # Unknown below 0: last when sorted biggest first, the way one looks for the busiest pods.
        return lambda row: -1 if (value := figure(row, usage.get(row.key))) is None else value

    def _rebuild(self) -> None:
        if self._order is None:
            ordered = sorted(self.rows.values(), key=lambda r: r.key)
            # Ties broken by namespace/name, so equal statuses never shuffle between updates.
            ordered.sort(key=self._sort_key(), reverse=self.sort_reverse)
            self._order = [row.key for row in ordered]
        self.view = self.filter.keep(self._order, self.rows) if self.filter else list(self._order)

    def visible_rows(self, start: int, stop: int) -> list[PodRow]:
        return [self.rows[key] for key in self.view[start:stop]]
