"""The Runs screen's `space` (mark), `d` (two runs side by side), `R` (apply a run again: a new name, its images by
digest, recorded as a new run that says which one it repeats) and `r` (the run's pod's results through the app's
pull flow), in the real app against the real stack."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import pytest
from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Label, Static

from tests.e2e.test_runs_screen import drawn, info, open_runs
from tests.support.app import SIZE, make_app, settle
from tests.support.pods import kwok_pod, wait_pod_phase
from tests.support.run_records import HOSTILE, fill_store, make_run
from tests.support.stack import StackEnv, apply, kubectl
from tests.support.state import own_state, own_state_dir  # noqa: F401 (autouse: this test's own $XDG_STATE_HOME)
from tui.app import K8sxApp
from tui.models.runs.rerun import AS_TAGGED, RERUN_OF
from tui.models.runs.run import CodeState, ContainerEnd, Run
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.screens.common.help import HelpScreen
from tui.screens.runs.compare import CompareScreen
from tui.screens.runs.messages import PullRunResults
from tui.screens.runs.runs import RunsScreen
from tui.services.runs.store import RunStore

DIGEST = "sha256:" + "5e" * 32
IMAGE = "127.0.0.1:5000/exp/train:0.3"
OLD_ID = "20261206-0900-aaaa"


def said(app: K8sxApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def compare_text(app: K8sxApp) -> str:
    assert isinstance(app.screen, CompareScreen)
    return app.screen.text.plain


def context_of(stack: StackEnv) -> str:
    return kubectl(stack, "config", "current-context").strip()


def kwok_run(stack: StackEnv, where: str, run_id: str = OLD_ID, name: str = "exp", **changes: Any) -> Run:
    """A finished run of a pod on a kwok node in namespace `where`, as the recorder and the follower would have
    written it."""
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: exp\n  labels: {app.kubernetes.io/managed-by: k8sx-tui}\n"
        f"spec:\n  nodeSelector: {{type: kwok}}\n  containers:\n  - {{name: main, image: '{IMAGE}'}}\n"
    )
    run = make_run(
        run_id,
        name,
        time.time() - 3600,
        context=context_of(stack),
        namespace=where,
        manifest=manifest,
        images=(IMAGE,),
        phase="Succeeded",
        code=CodeState("/work/train", commit="abc1234def", branch="main", diff="+lr = 0.2\n"),
        containers=(ContainerEnd("main", "terminated", 0, "Completed", image_id=f"{IMAGE[:-4]}@{DIGEST}"),),
        digests=(DIGEST,),
    )
    return replace(run, **changes)


def pods(stack: StackEnv, namespace: str, kind: str = "pods") -> dict[str, dict[str, Any]]:
    found = json.loads(kubectl(stack, "get", kind, "-n", namespace, "-o", "json"))
    return {item["metadata"]["name"]: item for item in found["items"]}


# ---------------------------------------------------------------- space and d


async def test_space_marks_runs_and_d_compares_two_side_by_side(stack: StackEnv) -> None:
    fill_store(RunStore(), time.time())  # cccc (hostile, newest), bbbb (failed Job), aaaa (succeeded)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 3)
        await pilot.press("d")  # nothing marked: said how
        await settle(pilot, lambda: any("mark two runs with space" in m for m in said(app)), what="how to mark")
        assert isinstance(app.screen, RunsScreen)

        await pilot.press("down", "space")  # marks train-big; the cursor goes on to prep-data
        lines = drawn(app)
        assert lines[2].startswith("✓ train-big") and lines[3].startswith("  prep-data") and "1 marked" in info(app)
        await pilot.press("d")  # one marked and the cursor on another: those two
        await settle(pilot, lambda: isinstance(app.screen, CompareScreen), what="the comparison")
        heading = str(app.screen.query_one("#heading", Static).render())
        assert heading == "Compare A 20261201-0900-aaaa (prep-data) with B 20261205-1200-bbbb (train-big)"
        text = compare_text(app)
        rows = {line.split("  ")[0]: line for line in text.splitlines()}
        assert "Succeeded" in rows["status"] and "Failed (main: OOMKilled, exit 137)" in rows["status"]
        assert "Pod" in rows["kind"] and "Job" in rows["kind"]
        assert "cpu" in rows and "2" in rows["cpu"] and "memory" in rows
        assert "/work/prep" in rows["folder"] and "/work/train" in rows["folder"]
        assert "uncommitted changes of B: 1 file, +1 -1" in text and "changed in B only: train.py" in text
        assert "main" in rows and "terminated, exit 137, OOMKilled, 1 restart" in rows["main"]
        assert "-  name: prep-data" in text and "+  name: train-big" in text
        styles = {span.style for span in app.screen.text.spans if isinstance(span.style, Style)}
        assert Style(color="green") in styles and Style(color="red") in styles  # the diff's lines in colour
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, RunsScreen), what="back on the list")

        await pilot.press("space")  # prep-data too: two marked
        await pilot.press("home", "space")  # and the hostile one: three
        assert drawn(app)[1].startswith("✓ [bold]evil␛[31m") and "3 marked" in info(app)
        await pilot.press("d")
        await settle(pilot, lambda: any("3 runs are marked: d compares two" in m for m in said(app)), what="3")
        await pilot.press("end", "space", "d")  # unmarks prep-data: the hostile run and train-big
        await settle(pilot, lambda: isinstance(app.screen, CompareScreen), what="the hostile comparison")
        text = compare_text(app)
        assert f"{HOSTILE.replace(chr(27), '␛')}" in text and "\x1b" not in text
        assert "\x1b" not in str(app.screen.query_one("#heading", Static).render())


# ---------------------------------------------------------------- R


async def rerun_confirmed(pilot: Pilot[Any], app: K8sxApp) -> str:
    await pilot.press("R")
    await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the re-run question")
    question = str(app.screen.query_one("#question", Label).render())
    await pilot.press("tab", "enter")  # Cancel has the focus: to Re-run
    return question


async def test_R_applies_the_run_again_by_digest_and_records_a_new_run(stack: StackEnv, namespace: str) -> None:
    store = RunStore()
    old = kwok_run(stack, namespace)
    store.record(old)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        question = await rerun_confirmed(pilot, app)
        assert "as Pod exp-" in question and f"in namespace {namespace} (context {old.context})" in question
        assert f"main: 127.0.0.1:5000/exp/train@{DIGEST}" in question and f"(was applied as {IMAGE})" in question
        await settle(pilot, lambda: any("re-run as pod/exp-" in m for m in said(app)), timeout=60, what="re-run")
        (new_name,) = [name for name in pods(stack, namespace) if name.startswith("exp-")]
        assert new_name in question
        pod = pods(stack, namespace)[new_name]
        assert pod["spec"]["containers"][0]["image"] == f"127.0.0.1:5000/exp/train@{DIGEST}"
        assert pod["metadata"]["annotations"][RERUN_OF] == OLD_ID
        assert pod["metadata"]["annotations"][AS_TAGGED] == f"main={IMAGE}"
        assert pod["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "k8sx-tui"}
        wait_pod_phase(stack, namespace, new_name)  # on a kwok node, as the run was
        await settle(pilot, lambda: len(runs_screen_ids(app)) == 2, what="the new run listed")
        await settle(pilot, lambda: store.get(runs_screen_ids(app)[0]).phase == "Running", what="followed")
    new = store.get(runs_screen_ids_of(store)[0])
    assert (new.name, new.namespace, new.context, new.kind) == (new_name, namespace, old.context, "Pod")
    assert new.params["rerun_of"] == OLD_ID and new.code == old.code  # also after the follower wrote it again
    assert new.images == (f"127.0.0.1:5000/exp/train@{DIGEST}",)


def runs_screen_ids(app: K8sxApp) -> list[str]:
    screen = app.screen_stack[0] if app.current_mode == "runs" else app.get_screen("runs")
    assert isinstance(screen, RunsScreen)
    return screen.view.shown_ids()


def runs_screen_ids_of(store: RunStore) -> list[str]:
    return [summary.id for summary in store.summaries()]


async def test_R_of_a_job_applies_a_job_of_a_new_name_whose_pods_say_what_they_repeat(
    stack: StackEnv, namespace: str
) -> None:
    manifest = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: sweep}\nspec:\n  completions: 1\n  template:\n"
        f"    spec:\n      restartPolicy: Never\n      nodeSelector: {{type: kwok}}\n"
        f"      containers: [{{name: main, image: '{IMAGE}'}}]\n"
    )
    RunStore().record(kwok_run(stack, namespace, kind="Job", name="sweep", manifest=manifest))
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        question = await rerun_confirmed(pilot, app)
        assert "as Job sweep-" in question
        await settle(pilot, lambda: any("re-run as job/sweep-" in m for m in said(app)), timeout=60, what="re-run")
    (job,) = pods(stack, namespace, "jobs").values()
    assert job["metadata"]["name"].startswith("sweep-") and job["metadata"]["annotations"][RERUN_OF] == OLD_ID
    template = job["spec"]["template"]
    assert template["metadata"]["annotations"][RERUN_OF] == OLD_ID
    assert template["spec"]["containers"][0]["image"] == f"127.0.0.1:5000/exp/train@{DIGEST}"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"context": "lab-cluster"}, "ran in kube context lab-cluster, the app is on {context}: switch to lab-cluster"),
        ({"manifest": "kind: [unclosed\n"}, f"the manifest recorded for run {OLD_ID} cannot be read as YAML"),
    ],
)
async def test_R_refuses_in_words_another_context_or_a_manifest_it_cannot_read(
    stack: StackEnv, namespace: str, changes: dict[str, str], words: str
) -> None:
    RunStore().record(kwok_run(stack, namespace, **changes))
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        await pilot.press("R")
        expected = words.format(context=context_of(stack))
        await settle(pilot, lambda: any(expected in m for m in said(app)), what="the refusal in words")
        assert isinstance(app.screen, RunsScreen) and app.is_running
    assert pods(stack, namespace) == {}


async def test_R_refused_by_the_server_is_said_and_nothing_is_recorded(stack: StackEnv, namespace: str) -> None:
    store = RunStore()
    store.record(kwok_run(stack, namespace, namespace=f"{namespace}-gone"))
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        await rerun_confirmed(pilot, app)
        await settle(pilot, lambda: any(f"namespace {namespace}-gone does not exist" in m for m in said(app)))
        assert any(m.startswith(f"run {OLD_ID} not re-run: ") for m in said(app))
    assert len(store.summaries()) == 1


async def test_R_of_a_hostile_name_asks_with_it_drawn_as_text_and_says_the_refusal(
    stack: StackEnv, namespace: str
) -> None:
    RunStore().record(kwok_run(stack, namespace, name=HOSTILE))
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 1)
        question = await rerun_confirmed(pilot, app)
        assert "as Pod [bold]evil␛[31m-" in question and "\x1b" not in question
        await settle(pilot, lambda: any(m.startswith(f"run {OLD_ID} not re-run: ") for m in said(app)))
        refusal = next(m for m in said(app) if m.startswith(f"run {OLD_ID} not re-run: "))
        assert "[bold]evil␛[31m" in refusal and "\x1b" not in refusal and "refused" in refusal
    assert pods(stack, namespace) == {}


# ---------------------------------------------------------------- r


def pull_like_the_app(app: K8sxApp, message: PullRunResults) -> None:
    """The handler tui/app.py is to have (as on_open_copy_in): the pod list's pull flow over the current screen."""
    from tui.screens.transfer.pod_flows import PodTransfers

    settings = app.settings
    PodTransfers(app.screen, app.backends.kube, settings.results_path, settings.data_path).pull([message.pod])


async def test_r_opens_the_pull_of_the_runs_pod_or_says_it_is_gone(
    stack: StackEnv, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[PullRunResults] = []

    def on_pull_run_results(app: K8sxApp, message: PullRunResults) -> None:
        asked.append(message)
        pull_like_the_app(app, message)

    if not hasattr(K8sxApp, "on_pull_run_results"):  # until the app has its own
        monkeypatch.setattr(K8sxApp, "on_pull_run_results", on_pull_run_results, raising=False)
    apply(stack, namespace, kwok_pod("exp"))
    wait_pod_phase(stack, namespace, "exp")
    store = RunStore()
    store.record(kwok_run(stack, namespace, phase="Running"))
    store.record(kwok_run(stack, namespace, "20261206-0800-bbbb", name="gone", pod="gone", created=time.time() - 7200))
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_runs(pilot, app, 2)
        await pilot.press("r")  # exp: its pod is there
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        assert isinstance(app.screen, FormScreen) and app.screen.form_title == f"Pull results from {namespace}/exp"
        assert app.screen.note == ""  # a running pod's results come over exec: no word of a helper pod
        assert not asked or (asked[0].pod.name, asked[0].run_id) == ("exp", OLD_ID)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, RunsScreen), what="back on the list")

        await pilot.press("down", "r")  # gone: said, with where its results may still be
        await settle(
            pilot, lambda: any(f"pod {namespace}/gone of run 20261206-0800-bbbb is gone" in m for m in said(app))
        )
        assert any("claims view (v on the pod list)" in m for m in said(app))
        assert isinstance(app.screen, RunsScreen)


async def test_the_keys_are_in_the_footer_and_the_help(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("9")
        await settle(pilot, lambda: app.current_mode == "runs", what="the runs screen")
        shown = {binding.id for _, binding, enabled, _ in app.screen.active_bindings.values() if binding.show}
        assert {"runs.mark", "runs.compare", "runs.rerun", "runs.pull-results"} <= shown
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        for binding_id in ("runs.mark", "runs.compare", "runs.rerun", "runs.pull-results"):
            assert binding_id in text
