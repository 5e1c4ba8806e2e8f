"""A run's page is shown at once with its pulls `checking…`; each pull's state comes when its files are hashed, by
the page's own worker, which stops when the page is left and hashes a page's budget of bytes at most."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from tests.e2e.test_runs_screen import open_runs
from tests.support.app import SIZE, make_app, settle
from tests.support.run_records import make_run
from tests.support.stack import StackEnv
from tests.support.state import own_state, own_state_dir  # noqa: F401 (autouse: this test's own $XDG_STATE_HOME)
from tui.app import K8sxApp
from tui.models.runs.result_state import ResultsState
from tui.models.runs.run import RunResult
from tui.screens.runs import run_page as run_page_module
from tui.screens.runs.run_page import RunPageScreen
from tui.screens.runs.runs import RunsScreen
from tui.services.runs import results as results_module
from tui.services.runs.store import RunStore

RUN_ID = "20261207-1400-eeee"


class SlowHasher:
    """The real hash of each file, once the test lets it go on: the files stand for a pull of many GB."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.go_on = threading.Event()
        self.hashed: list[str] = []
        real = results_module._sha256

        def hashing(path: Path, cancelled: results_module.Cancelled = results_module._never) -> str | None:
            self.hashed.append(path.name)  # begun
            self.go_on.wait(timeout=60)
            return real(path, cancelled)

        monkeypatch.setattr(results_module, "_sha256", hashing)
        self.ended = threading.Event()  # the page's check has returned (a cancelled thread worker runs on till then)
        checks = run_page_module.check_results

        def checking(*args: Any, **kwargs: Any) -> Iterator[ResultsState]:
            try:
                yield from checks(*args, **kwargs)
            finally:
                self.ended.set()

        monkeypatch.setattr(run_page_module, "check_results", checking)


def pulled(store: RunStore, folder: Path, *names: str, at: float = 0.0) -> None:
    """A pull of `names` (100 bytes each) into `folder`, recorded on the run as the app records one."""
    folder.mkdir(parents=True)
    sums = {}
    for name in names:
        data = name.encode().ljust(100, b".")
        (folder / name).write_bytes(data)
        sums[name] = hashlib.sha256(data).hexdigest()
    store.add_result(RunResult(RUN_ID, at or time.time(), str(folder), len(names), 100 * len(names), sums))


def page_text(app: K8sxApp) -> str:
    return str(app.screen.query_one("#run-page-text", Static).render()) if isinstance(app.screen, RunPageScreen) else ""


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    store = RunStore()
    store.record(make_run(RUN_ID, "train", time.time()))
    pulled(store, tmp_path / "first", "a.bin", "b.bin")
    pulled(store, tmp_path / "second", "c.bin")
    return store


async def test_the_page_shows_at_once_checking_then_each_pulls_state(
    stack: StackEnv, store: RunStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowHasher(monkeypatch)
    monkeypatch.setattr(results_module, "CHECK_BUDGET", 250)  # the first pull (200 B) fits, the second not
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        await pilot.press("enter")  # shown while the hashing waits
        await settle(pilot, lambda: "checking… (sha256 of 2 files)" in page_text(app), what="the page, checking")
        assert "checking… (sha256 of 1 file)" in page_text(app)
        slow.go_on.set()
        await settle(pilot, lambda: "still matches (2 files, sha256)" in page_text(app), what="the first pull's state")
        await settle(
            pilot,
            lambda: (
                "not checked: 100B is too large to check (over 50B left of the 250B a run's page checks)"
                in page_text(app)
            ),
            what="the second pull: over the page's budget",
        )
        assert "checking" not in page_text(app) and slow.hashed == ["a.bin", "b.bin"]


async def test_leaving_the_page_stops_its_check_between_files(
    stack: StackEnv, store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowHasher(monkeypatch)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        await pilot.press("enter")
        await settle(pilot, lambda: "checking…" in page_text(app) and bool(slow.hashed), what="hashing a file")
        page = app.screen
        (check,) = [worker for worker in app.workers if worker.node is page and worker.group == "run-page-check"]
        await pilot.press("escape")  # the first file is being hashed: the rest are not
        await settle(pilot, lambda: isinstance(app.screen, RunsScreen) and check.is_cancelled, what="check stopped")
        slow.go_on.set()
        await settle(pilot, slow.ended.is_set, what="the check's thread ended")
        assert slow.hashed == ["a.bin"]
