"""`r` on marked pods in the real app records each pull on its pod's run (kwok runs the pods' tar on this machine):
the Runs screen counts them in RESULTS and a run's page says when, where, how many files and bytes. A pod the app
did not start is pulled as before and recorded nowhere. The services alone: tests/integration/test_run_results.py."""

from __future__ import annotations

from pathlib import Path

import yaml
from textual.widgets import Input, Static

from tests.e2e.test_runs_screen import drawn, open_runs
from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import digests
from tests.support.pods import kwok_pod, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.models.runs.page import when
from tui.models.units import human_bytes
from tui.screens.common.forms import FormScreen
from tui.screens.runs.run_page import RunPageScreen
from tui.screens.transfer.pull_many import PullManyScreen
from tui.services.kube.kube import KubeService
from tui.services.runs.recorder import RunRecorder
from tui.services.runs.store import RunStore


async def test_r_on_marked_pods_records_each_pull_on_its_run(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    manifests = []
    for name in ("exp-a", "exp-b", "stray"):
        out = tmp_path / name / "out"
        out.mkdir(parents=True)
        (out / "metrics.json").write_text(f'{{"pod": "{name}"}}\n')
        (out / "model.bin").write_bytes(name.encode() * 1000)
        text = kwok_pod(name, workdir=tmp_path / name)
        apply(stack, namespace, text)
        manifests.append(next(yaml.safe_load_all(text)))
    for name in ("exp-a", "exp-b", "stray"):
        wait_pod_phase(stack, namespace, name)
    kube = KubeService(stack.kubeconfig)
    kube.api_client()  # loaded, as the app's is when it applies
    store = RunStore()  # where the app records: this test's own $XDG_STATE_HOME
    runs = RunRecorder(store, kube).record_applied(namespace, manifests[:2], None)  # stray: not started by the app
    results = tmp_path / "results"

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "3 pods in namespace" in pods_info(app))
        await pilot.press("space", "space", "space")
        await settle(pilot, lambda: "3 marked" in pods_info(app), what="3 pods marked")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-remote", Input).value = "out"  # each kwok pod's own folder
        app.screen.query_one("#field-local", Input).value = str(results)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PullManyScreen) and app.screen.finished, timeout=120)
        assert str(app.screen.query_one("#many-summary", Static).content).startswith("3 of 3 pods pulled")
        await pilot.press("escape")

        await open_runs(pilot, app, 2)
        rows = {line.split()[0]: line.split() for line in drawn(app)[1:3]}
        assert rows["exp-a"][-3] == "1" and rows["exp-b"][-3] == "1", rows
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, RunPageScreen), what="the run's page")
        name = next(run.name for run in runs if run.id == app.screen.run_id)
        size = sum(path.stat().st_size for path in (results / name).iterdir())
        text = str(app.screen.query_one("#run-page-text", Static).render())
        assert f"Results pulled\n  {when(store.results(app.screen.run_id)[0].at)} {results / name}: 2 files, " in text
        assert f"{results / name}: 2 files, {human_bytes(size)}\n" in text
    for run in runs:
        (result,) = store.results(run.id)
        assert result.sha256 == digests(results / run.name) == digests(tmp_path / run.name / "out")
    assert [s.results for s in store.summaries()] == [1, 1]
