"""Whatever a service raises that nobody expected reaches the user in words, leaves the screen answering keys, and
puts its traceback in the diagnostic log, never on screen: in a one-off worker, a long-lived stream worker and a
progress job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.support.app import SIZE, make_app, settle
from tests.support.pods import kwok_pod
from tests.support.stack import StackEnv, kubectl
from tui.app import K8sxApp
from tui.diagnostic_log import start_log, stop_log
from tui.screens.common.base import FailureLine
from tui.screens.common.forms import FormScreen
from tui.screens.common.help import HelpScreen
from tui.screens.transfer.copy_progress import CopyScreen
from tui.services.pods.actions import PodActions
from tui.services.pods.watch import PodWatcher
from tui.services.transfer.claim_pull import ClaimPull


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "state" / "k8sx-tui.log"
    assert start_log(path, "info") is None
    yield path
    stop_log()


def notifications(app: K8sxApp) -> list[str]:
    return [n.message for n in app._notifications]


def on_screen(app: K8sxApp) -> str:
    return app.export_screenshot()


async def answers_keys(pilot: object, app: K8sxApp) -> None:
    """`?` opens the help screen and Esc closes it: the screen still takes keys."""
    await pilot.press("question_mark")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")  # type: ignore[arg-type]
    await pilot.press("escape")  # type: ignore[attr-defined]
    await settle(pilot, lambda: not isinstance(app.screen, HelpScreen), what="back from help")  # type: ignore[arg-type]


def gremlin(*args: object, **kwargs: object) -> object:
    raise RuntimeError("a gremlin in the service")


async def test_a_one_off_worker_that_raises_says_so_and_logs_the_traceback(
    stack: StackEnv, namespace: str, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=kwok_pod("exp"))
    monkeypatch.setattr(PodActions, "describe", gremlin)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in str(app.screen.query_one("#pods-info", Static).content))
        await pilot.press("d")
        await settle(pilot, lambda: any("gremlin" in n for n in notifications(app)), what="the failure in words")
        assert any("RuntimeError: a gremlin in the service" in n for n in notifications(app)), notifications(app)
        assert "Traceback" not in on_screen(app)
        await answers_keys(pilot, app)
    text = log_file.read_text()
    assert "Traceback (most recent call last)" in text and "RuntimeError: a gremlin in the service" in text
    assert "in gremlin" in text  # the frame that raised


async def test_a_stream_worker_that_raises_says_so_on_its_screen_and_in_the_log(
    stack: StackEnv, namespace: str, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def events(self: PodWatcher) -> Iterator[object]:
        raise RuntimeError("the watch fell over")
        yield  # a generator, as the real one is

    monkeypatch.setattr(PodWatcher, "events", events)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        line = app.screen.query_one(FailureLine)
        await settle(pilot, lambda: "fell over" in str(line.content), what="the failure line")
        assert str(line.content) == "follow failed: RuntimeError: the watch fell over"
        assert line.display
        assert any("follow failed: RuntimeError: the watch fell over" in n for n in notifications(app))
        assert "Traceback" not in on_screen(app)
        await answers_keys(pilot, app)
        await pilot.press("2")
        await settle(pilot, lambda: app.current_mode == "logs", what="the Logs screen")
    text = log_file.read_text()
    assert "follow failed: RuntimeError: the watch fell over on PodsScreen" in text
    assert "Traceback (most recent call last)" in text and "in events" in text


async def test_a_progress_job_that_raises_ends_red_in_words_and_can_be_closed(
    stack: StackEnv, namespace: str, tmp_path: Path, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=kwok_pod("exp"))
    monkeypatch.setattr(ClaimPull, "pull_results", gremlin)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in str(app.screen.query_one("#pods-info", Static).content))
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-local").value = str(tmp_path / "results")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, what="the end")
        status = app.screen.query_one("#copy-status", Static)
        assert "RuntimeError: a gremlin in the service" in str(status.content)
        assert status.has_class("-failed")
        assert any("gremlin" in n for n in notifications(app))
        assert "Traceback" not in on_screen(app)
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, CopyScreen), what="Esc closes the ended job")
        await answers_keys(pilot, app)
    text = log_file.read_text()
    assert "Traceback (most recent call last)" in text and "RuntimeError: a gremlin in the service" in text
