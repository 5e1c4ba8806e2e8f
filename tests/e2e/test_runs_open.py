"""The Runs screen's first open in the real app: the run records are read once (a second read of 10,000 at the same
time doubled the wait), and the first screenful drawn is the newest runs, every one of them counted."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.app import SIZE, make_app, settle
from tests.support.run_records import make_run
from tests.support.stack import StackEnv
from tests.support.state import own_state, own_state_dir  # noqa: F401 (autouse: this test's own $XDG_STATE_HOME)
from tui.models.runs.listing import RunRows
from tui.screens.runs import runs as runs_module
from tui.screens.runs.runs import RunsScreen
from tui.services.runs.store import RunStore
from tui.widgets.run_table import RunTableView

COUNT = 300  # more than a screenful


async def test_the_first_open_reads_the_runs_once_and_draws_the_newest(
    stack: StackEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RunStore()
    now = time.time()
    for index in range(COUNT):
        store.record(make_run(f"20261207-1200-{index:04d}", f"train-{index}", now - index * 60))
    reads: list[int] = []

    class CountedRows(RunRows):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            reads.append(len(self))

    monkeypatch.setattr(runs_module, "RunRows", CountedRows)
    monkeypatch.setattr(runs_module, "REFRESH_S", 3600.0)  # no periodic re-read during the test
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("9")
        await settle(pilot, lambda: bool(reads), what="the runs read")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        view = screen.query_one(RunTableView)
        await settle(pilot, lambda: len(view.rows) == COUNT, what="the runs in the table")
        await pilot.pause(0.5)  # a second read, had one started with the first, would have ended by now
        assert reads == [COUNT]
        lines = [view.render_line(y).text.split() for y in range(1, view.size.height)]
        assert [line[0] for line in lines] == [f"train-{index}" for index in range(view.size.height - 1)]
        assert lines[2][4] == "2m" and lines[2][-1] == "20261207-1200-0002"  # AGE and ID: the row's own cells
        assert f"{COUNT} runs" in str(screen.query_one("#runs-info").render())

        await pilot.press("end")  # the oldest: all of them are in the table, not only the screenful drawn
        assert view.current is not None and view.current.name == f"train-{COUNT - 1}"
