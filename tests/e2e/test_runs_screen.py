"""The Runs screen (key 9) in the real app: recorded runs newest first, the filter, a run's page with its diff,
its logs on the Logs screen, and an export to a folder; hostile names and manifests are shown, never obeyed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.logs import info as logs_info
from tests.support.logs import shown as logs_shown
from tests.support.run_records import MAIN_LINES, fill_store, make_run
from tests.support.stack import StackEnv
from tests.support.state import own_state, own_state_dir  # noqa: F401 (autouse: this test's own $XDG_STATE_HOME)
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.common.help import HelpScreen
from tui.screens.logs.logs import LogsScreen
from tui.screens.runs.run_page import RunPageScreen
from tui.screens.runs.runs import EMPTY, RunsScreen
from tui.services.runs.store import RunStore
from tui.widgets.run_table import RunTableView

NEWEST_FIRST = ["20261207-1255-cccc", "20261205-1200-bbbb", "20261201-0900-aaaa"]


@pytest.fixture
def store() -> RunStore:
    store = RunStore()  # where the app looks: $XDG_STATE_HOME/k8sx-tui/runs (the test's own)
    fill_store(store, time.time())
    return store


def runs_screen(app: K8sxApp) -> RunsScreen:
    screen = app.get_screen("runs") if app.current_mode != "runs" else app.screen_stack[0]
    assert isinstance(screen, RunsScreen)
    return screen


def drawn(app: K8sxApp) -> list[str]:
    """What the table draws right now, header first."""
    view = runs_screen(app).query_one(RunTableView)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def shown_ids(app: K8sxApp) -> list[str]:
    return runs_screen(app).view.shown_ids()


def info(app: K8sxApp) -> str:
    return str(runs_screen(app).query_one("#runs-info", Static).content)


async def open_runs(pilot: Pilot[Any], app: K8sxApp, count: int) -> None:
    await pilot.press("9")
    await settle(pilot, lambda: app.current_mode == "runs" and len(shown_ids(app)) == count, what=f"{count} runs")


async def test_runs_are_listed_newest_first_filtered_and_safe(stack: StackEnv, store: RunStore) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        assert shown_ids(app) == NEWEST_FIRST and "3 runs" in info(app)
        lines = drawn(app)
        assert lines[0].split()[:4] == ["NAME", "KIND", "NAMESPACE", "STATUS"]
        hostile, failed, old = lines[1:4]
        # The name is drawn as the text it is: markup not parsed, the escape sequence a visible placeholder.
        assert hostile.startswith("[bold]evil␛[31m") and "Running" in hostile
        assert failed.split()[:4] == ["train-big", "Job", "experiments", "Failed"]
        assert "abc1234+dirty" in failed and failed.split()[-3:] == ["1", "2", "20261205-1200-bbbb"]
        assert old.split()[:5] == ["prep-data", "Pod", "experiments", "Succeeded", "6d"]
        assert "#c0ffeec0" in old and " 1m " in old  # the content hash; ran from apply to end: a minute

        await pilot.press("slash", *"train|prep")
        assert shown_ids(app) == NEWEST_FIRST[1:]  # as typed: the rows in hand are filtered, nothing is re-read
        assert "2 of 3 runs" in info(app) and "filter train|prep" in info(app)
        await pilot.press("enter", "escape")
        await settle(pilot, lambda: shown_ids(app) == NEWEST_FIRST, what="the filter cleared")


async def test_a_new_run_appears_while_the_screen_is_shown(stack: StackEnv, store: RunStore) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        store.record(make_run("20261207-1300-dddd", "eval-new", time.time()))
        await settle(pilot, lambda: shown_ids(app)[:1] == ["20261207-1300-dddd"], what="the new run on top")


async def test_enter_opens_the_run_page_with_its_diff_and_hostile_text_shown_as_text(
    stack: StackEnv, store: RunStore
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        await pilot.press("down", "enter")
        await settle(pilot, lambda: isinstance(app.screen, RunPageScreen), what="the run's page")
        text = str(app.screen.query_one("#run-page-text", Static).render())
        assert "Run 20261205-1200-bbbb: Job train-big" in text
        assert "status Failed (main: OOMKilled, exit 137)" in text
        assert "commit abc1234def5678 on main" in text and "+lr = 0.01  # [red]tuned[/red]" in text
        assert "digest 127.0.0.1:5000/exp/train@sha256:" in text and '"LR": "0.01"' in text
        assert "/home/u/results/train-big: 3 files, 2.0kB" in text
        assert "main: 4 lines, complete" in text
        assert app.screen.query_one(VerticalScroll).has_focus
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, RunsScreen), what="back on the list")

        await pilot.press("up", "enter")  # the hostile run: its manifest's markup and escape drawn as text
        await settle(pilot, lambda: isinstance(app.screen, RunPageScreen), what="the hostile run's page")
        page = str(app.screen.query_one("#run-page-text", Static).render())
        assert "[bold]evil␛[31m" in page and "\x1b" not in page
        assert "\x1b" not in str(app.screen.query_one("#heading", Static).render())


async def test_e_exports_the_run_to_the_folder_given(stack: StackEnv, store: RunStore, tmp_path: Path) -> None:
    folder = tmp_path / "kept" / "train-big"
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("mine")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        await pilot.press("down", "e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the folder form")
        box = app.screen.query_one("#field-folder", Input)
        assert box.value.endswith("run-20261205-1200-bbbb")
        box.value = str(tmp_path / "busy")
        await pilot.press("enter")
        problem = app.screen.query_one("#form-problem")
        await settle(
            pilot, lambda: "is not an empty folder" in str(problem.render()), what="a folder with files refused"
        )
        box.value = str(folder)
        await pilot.press("enter")
        await settle(
            pilot, lambda: (folder / "run.json").exists() and (folder / "results.json").exists(), what="export"
        )
        await settle(
            pilot,
            lambda: any("exported to" in n.message for n in app._notifications),
            what="the export said",
        )
    assert (folder / "logs" / "main.log").read_bytes() == b"".join(line + b"\n" for line in MAIN_LINES)
    assert (folder / "code.diff").exists() and (tmp_path / "busy" / "x").read_text() == "mine"


async def test_l_shows_the_archived_log_on_the_logs_screen(stack: StackEnv, store: RunStore) -> None:
    """With the Logs screen's own opener: the run's archived lines, also for a run whose pod is long gone."""
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        await pilot.press("end", "l")  # prep-data: the oldest, one container
        await settle(pilot, lambda: app.current_mode == "logs", what="the Logs screen")
        await settle(pilot, lambda: logs_shown(app)[-1:] == ["prepared 12 shards"], what="the archived line")
        assert "archived log of run 20261201-0900-aaaa" in logs_info(app)


async def test_l_opens_the_run_logs_on_the_logs_screen(
    stack: StackEnv, store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(LogsScreen, "open_run_logs", lambda self, run_id, cloud: opened.append(run_id), raising=False)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        await pilot.press("down", "l")
        await settle(pilot, lambda: app.current_mode == "logs" and opened == ["20261205-1200-bbbb"], what="the logs")

        await pilot.press("9", "up", "enter")  # the same from a run's page
        await settle(pilot, lambda: isinstance(app.screen, RunPageScreen), what="the run's page")
        await pilot.press("l")
        await settle(pilot, lambda: app.current_mode == "logs" and opened[-1:] == ["20261207-1255-cccc"], what="logs")
        await pilot.press("9", "e")  # back on the page: e asks where to export it
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the export form from the page")
        assert app.screen.query_one("#field-folder", Input).value.endswith("run-20261207-1255-cccc")


async def test_l_without_a_run_log_opener_says_so_in_words(
    stack: StackEnv, store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(LogsScreen, "open_run_logs", raising=False)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        await pilot.press("l")
        await settle(
            pilot,
            lambda: any("opening the logs of run 20261207-1255-cccc failed" in n.message for n in app._notifications),
            what="the failure in words",
        )
        assert app.is_running and app.current_mode == "logs"


async def test_no_runs_yet_says_how_runs_get_recorded_and_the_keys_are_in_the_help(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("9")
        await settle(pilot, lambda: app.current_mode == "runs" and runs_screen(app).loaded, what="the runs read")
        empty = runs_screen(app).query_one("#runs-empty", Static)
        await settle(pilot, lambda: empty.has_class("-shown"), what="the empty state")
        assert str(empty.render()) == EMPTY and "Deploy (6)" in EMPTY
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        for binding_id in ("runs.filter", "runs.open", "runs.logs", "runs.export"):
            assert binding_id in text
