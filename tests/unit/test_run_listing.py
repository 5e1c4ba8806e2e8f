"""The Runs list's rows made lazily (tui/models/runs/listing.py): what is drawn and filtered is what making every
row's cells up front gave, hostile names included, and a row's cells are made only when it is drawn or filtered."""

from __future__ import annotations

import time
from dataclasses import astuple

from tests.support.run_records import HOSTILE
from tui.models.runs.listing import COLUMNS, MAX_WIDTH, RunFilter, RunRows, SummaryRecord, summary_cells
from tui.models.runs.run import RunSummary

NOW = 1_800_000_000.0


def record(run_id: str, name: str, created: float, **changes: object) -> SummaryRecord:
    fields = {
        "id": run_id,
        "name": name,
        "kind": "Pod",
        "namespace": "experiments",
        "created": created,
        "phase": "Succeeded",
        "ended": created + 60,
        "image_tag": "0.3",
        "code_label": "abc1234",
        "results": 0,
        "logs": 1,
        "failure": "",
    }
    return astuple(RunSummary(**(fields | changes)))  # type: ignore[arg-type]


RECORDS = [
    record("r-1", HOSTILE, NOW - 5),  # an escape sequence: its placeholder is as wide as it
    record("r-2", "tab\there", NOW - 50, phase="Running", ended=None),  # a tab is drawn as spaces, wider than it
    record("r-3", "c1\x9bcontrol", NOW - 3 * 3600, phase="Failed", failure="main: OOMKilled, exit 137"),
    record("r-4", "x" * 80, NOW - 400 * 86400, results=12, logs=0, code_label="c0ffeec0+dirty"),  # cut at MAX_WIDTH
    record("r-5", "ends-with-cr\r", NOW - 30, image_tag="sha256:abcdef0123456789"),
]


def eager(records: list[SummaryRecord], now: float) -> tuple[list[tuple[str, ...]], tuple[int, ...]]:
    """Every row's cells and the widths they give, as the list was made before it was lazy."""
    cells = [summary_cells(RunSummary(*r), now) for r in records]
    widths = tuple(
        min(MAX_WIDTH, max([len(title), *(len(row[column]) for row in cells)])) for column, title in enumerate(COLUMNS)
    )
    return cells, widths


def test_widths_and_cells_are_those_of_every_row_made_up_front() -> None:
    rows = RunRows(RECORDS, NOW)
    cells, widths = eager(RECORDS, NOW)
    assert rows.widths == widths
    assert [rows.cells(index) for index in range(len(rows))] == cells
    assert "\x1b" not in "".join(cells[0]) and "\x9b" not in "".join(cells[2]) and "\t" not in "".join(cells[1])
    assert list(rows.shown) == [0, 1, 2, 3, 4] and [rows.run_id(i) for i in rows.shown][:2] == ["r-1", "r-2"]
    assert rows.summary(2) == RunSummary(*RECORDS[2]) and rows.phase(1) == "Running"


def test_a_row_s_cells_are_made_when_it_is_drawn_and_all_of_them_for_a_filter() -> None:
    many = [record(f"r-{index:05d}", f"train-{index}", NOW - index) for index in range(10_000)]
    rows = RunRows(many, NOW)
    assert rows.widths == eager(many, NOW)[1]
    assert sum(cells is not None for cells in rows._cells) == 0  # nothing made for 10,000 rows shown
    rows.cells(3)
    assert sum(cells is not None for cells in rows._cells) == 1
    rows.refilter(RunFilter("train-99$"))
    assert [rows.run_id(i) for i in rows.shown] == ["r-00099"]
    rows.refilter(RunFilter(""))
    assert len(rows.shown) == 10_000


def test_a_filter_given_with_the_records_is_applied_at_once() -> None:
    rows = RunRows(RECORDS, NOW, RunFilter("oomkilled|sha256"))
    assert [rows.run_id(i) for i in rows.shown] == ["r-3", "r-5"]
    assert len(rows) == 5  # every run is still there for the next filter


def test_no_runs_gives_the_titles_widths() -> None:
    rows = RunRows([], time.time())
    assert len(rows) == 0 and list(rows.shown) == []
    assert rows.widths == tuple(len(title) for title in COLUMNS)
