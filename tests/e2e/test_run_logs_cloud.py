"""The Logs screen reads a GKE run's log from Cloud Logging when its pod is gone and nothing was archived: through
a stand-in `gcloud` first on PATH (never the real one), with the same search, container choice and save as an
archived log; a missing or signed-out gcloud is said in words. The run's GKE context does not exist: nothing may
need its cluster."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.support.app import SIZE, make_app, settle
from tests.support.fake_gcloud import FakeGcloud, log_entry, without_gcloud
from tests.support.logs import info, lines_held, logs_screen, shown
from tests.support.run_logs import GCLOUD_REFUSALS, GKE_CONTEXT, RefusalAnswer, gcloud, gone_gke_run, with_gap
from tests.support.stack import StackEnv
from tests.support.state import own_state
from tui.models.runs.run import Run
from tui.screens.common.dialogs import ChoiceScreen
from tui.screens.common.help import HelpScreen
from tui.screens.runs.run_page import RunPageScreen
from tui.services.logs.cloud_query import CloudQuery
from tui.services.runs.store import RunStore

__all__ = ["gcloud", "own_state"]  # fixtures


def gapped_gke_run(context: str = GKE_CONTEXT) -> Run:
    """A gone pod's run whose archive has a gap (with_gap)."""
    store = RunStore()
    run = gone_gke_run(store, context)
    with_gap(store, run)
    return run


def main_entries() -> list[dict[str, object]]:
    return [log_entry(f"epoch {i} loss 0.{i:03d}", f"2026-12-07T10:00:{i:02d}.000000001Z") for i in range(50)] + [
        log_entry("", "2026-12-07T10:01:00Z", json_payload={"message": "\x1b[31m[bold]done[/bold]\x1b[0m"})
    ]


async def test_a_gone_gke_pods_log_comes_from_cloud_logging_with_search_containers_and_save(
    stack: StackEnv, namespace: str, tmp_path: Path, gcloud: FakeGcloud
) -> None:
    run = gone_gke_run(RunStore())
    gcloud.answer(main_entries())
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("logs")
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: lines_held(app) == 51, what="the Cloud Logging lines")
        done = "read from Cloud Logging (project my-proj), 51 entries"
        await settle(pilot, lambda: done in info(app), what="where they came from")
        assert f"Cloud Logging log of run {run.id} (experiments/trainer) [main] · 51 lines" in info(app)
        assert shown(app)[-2:] == ["epoch 49 loss 0.049", "[bold]done[/bold]"]  # markup as text, no escapes drawn
        assert len(gcloud.calls) == 1 and gcloud.calls[0][:2] == ["logging", "read"]
        assert 'resource.labels.pod_name="trainer" AND resource.labels.container_name="main"' in gcloud.calls[0][2]

        await pilot.press("slash", *"epoch 42 ", "enter")
        await settle(pilot, lambda: "search 'epoch 42 ': 1/1 hits" in info(app), what="the one hit")
        await pilot.press("escape", "ampersand", *"loss 0.01", "enter")
        await settle(pilot, lambda: "filter 'loss 0.01': 10 lines" in info(app), what="the filter")
        await pilot.press("escape")

        saved = tmp_path / "saved.log"
        await pilot.press("ctrl+s", "ctrl+u", *str(saved), "enter")
        await settle(pilot, lambda: saved.exists() and b"done" in saved.read_bytes(), what="saved")
        assert saved.read_bytes().splitlines()[:2] == [b"epoch 0 loss 0.000", b"epoch 1 loss 0.001"]

        gcloud.answer([log_entry("sidecar says hi", "2026-12-07T10:00:03Z", container="sidecar")])
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the container picker")
        assert list(app.screen.choices) == ["all containers", "main", "sidecar"]  # type: ignore[attr-defined]
        await pilot.press(*"sidecar", "enter")
        await settle(pilot, lambda: shown(app)[:1] == ["sidecar says hi"], what="the sidecar's line")
        assert 'resource.labels.container_name="sidecar"' in gcloud.calls[-1][2]


async def test_gcloud_missing_is_said_with_the_console_link(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_gcloud(tmp_path, monkeypatch)
    run = gone_gke_run(RunStore())
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("logs")
        await pilot.press("w")  # wrap: the whole link on screen
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: "Cloud Logging could not be read" in info(app), what="the failure")
        text = "".join(shown(app)).replace(" ", "")  # (wrapped rows: the spaces where rows break are not drawn)
        words = "⚠ experiments/trainer/main: Cloud Logging: gcloud is not installed: install the Google Cloud SDK, or "
        url = replace(CloudQuery.of_run(run, "my-proj"), container="main").console_url()
        assert text == (words + f"read the log in the Cloud Console: {url}").replace(" ", "")


@GCLOUD_REFUSALS
async def test_gclouds_refusals_and_bad_answers_are_said_in_words(
    stack: StackEnv, namespace: str, gcloud: FakeGcloud, answer: RefusalAnswer, words: str
) -> None:
    gcloud.answer(**answer)
    run = gone_gke_run(RunStore())
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("logs")
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: "Cloud Logging could not be read" in info(app), what="the failure")
        assert shown(app)[0].startswith(f"⚠ experiments/trainer/main: Cloud Logging: {words}")
        assert lines_held(app) == 1  # the words only


async def test_an_archive_with_a_gap_offers_cloud_logging_for_the_missing_lines(
    stack: StackEnv, namespace: str, gcloud: FakeGcloud
) -> None:
    run = gapped_gke_run()
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("logs")
        await pilot.press("w")  # wrap: the whole link on screen
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: "archived log, complete" in info(app), what="the archive read")
        assert f"archived log of run {run.id} (experiments/trainer) [main] · 3 lines · 1 gap" in info(app)
        rows = shown(app)
        assert rows[:2] == ["epoch 1", "epoch 2"]
        url = replace(CloudQuery.of_run(run, "my-proj"), container="main").console_url()
        assert "".join(rows[2:]).replace(" ", "") == (
            "⚠ experiments/trainer/main: the stream dropped after 12:00:01 and the server no longer had all of the "
            f"lines since; Cloud Logging may have the lines: {url}"
        ).replace(" ", "")
        assert gcloud.calls == []  # offered, not asked


async def test_capital_c_switches_an_archive_with_a_gap_to_cloud_logging_and_back(
    stack: StackEnv, namespace: str, gcloud: FakeGcloud
) -> None:
    run = gapped_gke_run()
    gcloud.answer([log_entry(f"epoch {i}", f"2026-12-07T12:00:0{i}Z") for i in range(1, 4)])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("logs")
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: "archived log, complete" in info(app), what="the archive read")
        await pilot.press("question_mark")  # the key is in the help (the Logs screen's footer is full)
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        assert "Cloud Logging" in str(app.screen.query_one("#help-keys", Static).render())
        assert "logs.cloud-logging" in str(app.screen.query_one("#help-keys", Static).render())
        await pilot.press("escape")
        await pilot.press("C")
        await settle(pilot, lambda: "read from Cloud Logging (project my-proj), 3 entries" in info(app), what="cloud")
        assert f"Cloud Logging log of run {run.id} (experiments/trainer) [main] · 3 lines" in info(app)
        assert shown(app) == ["epoch 1", "epoch 2", "epoch 3"] and len(gcloud.calls) == 1  # the lines the gap missed
        await pilot.press("C")  # back to the archive
        await settle(pilot, lambda: f"archived log of run {run.id}" in info(app), what="the archive again")
        await settle(pilot, lambda: "archived log, complete" in info(app), what="the archive read again")
        assert shown(app)[:2] == ["epoch 1", "epoch 2"] and len(gcloud.calls) == 1


async def test_capital_c_on_a_runs_page_opens_its_cloud_logging_log(
    stack: StackEnv, namespace: str, gcloud: FakeGcloud
) -> None:
    run = gapped_gke_run()
    gcloud.answer([log_entry("the missing line", "2026-12-07T12:00:05Z")])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(RunPageScreen(run.id, f"Run {run.id}", "the page", lambda _: None))
        await settle(pilot, lambda: isinstance(app.screen, RunPageScreen), what="the run's page")
        shown_keys = [b.binding.id for b in app.screen.active_bindings.values() if b.binding.show]
        assert "run-page.cloud-logging" in shown_keys  # in the footer
        await pilot.press("C")
        await settle(pilot, lambda: "read from Cloud Logging (project my-proj), 1 entries" in info(app), what="cloud")
        assert shown(app) == ["the missing line"]


async def test_capital_c_for_a_run_outside_gke_says_why_in_words(
    stack: StackEnv, namespace: str, gcloud: FakeGcloud
) -> None:
    run = gapped_gke_run(context="kind-local")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("logs")
        await pilot.press("C")  # no run's log shown yet
        await settle(pilot, lambda: any("open one first" in n.message for n in app._notifications), what="why not")
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: "archived log, complete" in info(app), what="the archive read")
        await pilot.press("C")
        said = f"run {run.id} ran in context 'kind-local', not a GKE cluster's"
        await settle(pilot, lambda: any(said in n.message for n in app._notifications), what="not GKE")
        assert f"archived log of run {run.id}" in info(app) and gcloud.calls == []
