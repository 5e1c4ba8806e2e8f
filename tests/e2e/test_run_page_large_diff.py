"""A run recorded with a diff of about 5 MB (the most a run keeps): Enter shows its page, which holds the diff's first
lines and says where the rest is, and the app answers keys (the whole diff laid out as one text held the UI 28 s)."""

from __future__ import annotations

import time

from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.e2e.test_runs_screen import open_runs
from tests.support.app import SIZE, make_app, settle
from tests.support.run_records import make_run
from tests.support.stack import StackEnv
from tests.support.state import own_state, own_state_dir  # noqa: F401 (autouse: this test's own $XDG_STATE_HOME)
from tui.models.runs.page import DIFF_SHOWN_LINES
from tui.models.runs.run import CodeState
from tui.screens.runs.run_page import RunPageScreen
from tui.screens.runs.runs import RunsScreen
from tui.services.runs.store import RunStore

LINES = 100_000
# 100,000 lines of 50 bytes: 5 MB, each numbered; one holds markup and an escape sequence, shown as text.
DIFF = "".join(f"+line {index:06d} [red]x[/red]\x1b[31m {'.' * 18}\n" for index in range(LINES))


async def test_a_5mb_diff_shows_its_first_lines_and_says_where_the_rest_is(stack: StackEnv) -> None:
    store = RunStore()
    code = CodeState(folder="/work/train", commit="abc1234def5678", branch="main", diff=DIFF)
    store.record(make_run("20261207-1400-dddd", "big-diff", time.time(), code=code))
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, RunPageScreen), what="the run's page")
        text = str(app.screen.query_one("#run-page-text", Static).render())
        assert "+line 000000 [red]x[/red]␛[31m" in text and "\x1b" not in text  # hostile text: drawn as text
        assert f"+line {DIFF_SHOWN_LINES - 1:06d}" in text and f"+line {DIFF_SHOWN_LINES:06d}" not in text
        assert f"+line {LINES - 1:06d}" not in text  # not the whole diff in one text
        more = f"… {LINES - DIFF_SHOWN_LINES:,} more lines of the diff (5.0MB in all): `e` exports it whole"
        assert more in text and "k8sx-tui runs show 20261207-1400-dddd" in text

        scroll = app.screen.query_one(VerticalScroll)
        await pilot.press("end")  # the app answers: the page scrolls to its end, where the note is
        await settle(pilot, lambda: scroll.max_scroll_y > 0 and scroll.scroll_y == scroll.max_scroll_y, what="end")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, RunsScreen), what="back on the list")
