"""Safe clean-up: deleting a run's pod whose logs are not archived to their end, or whose results were never pulled,
asks first, saying which pod and why: Cancel, pull the results and archive the logs then delete, or delete anyway.
A pod of no run gets the plain confirm it always had."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Label

from tests.e2e.test_deploy import listed, open_deploy, tiny_pod
from tests.e2e.test_deploy_pods import apply_yaml, set_phase
from tests.support.app import SIZE, answer_dialog, make_app, pods_info, settle
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv, kubectl, wait_for
from tui.app import K8sxApp
from tui.backends import Backends
from tui.models.runs.run import ContainerEnd, LogArchive, Run
from tui.screens.common.cleanup import ArchiveThenDeleteScreen, CleanupQuestion
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.leave import LeaveScreen
from tui.screens.transfer.pull_many import PullManyScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.services.pods.experiment_pods import ExperimentPods
from tui.services.runs import follower as run_follower
from tui.services.runs.store import RunStore, new_run_id
from tui.settings import Settings


def record_run(stack: StackEnv, namespace: str, name: str, **changes: object) -> Run:
    """A run of pod `name` as the recorder writes it, in the test's own state folder (where the app looks)."""
    kube = KubeService(stack.kubeconfig, namespace=namespace)
    kube.api_client()  # (loads the kubeconfig: the context is known from here on)
    run = Run(
        id=new_run_id(), name=name, kind="Pod", namespace=namespace, context=kube.context or "", server="",
        created=time.time(), manifest=f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\n", images=("busybox",),
        containers=(ContainerEnd("main", "running"),),
    )  # fmt: skip
    run = replace(run, **changes)  # type: ignore[arg-type]
    RunStore().record(run)
    return run


def pod_gone(stack: StackEnv, namespace: str, name: str) -> bool:
    return (
        kubectl(stack, "get", "pods", "-n", namespace, "-o", "name", "--field-selector", f"metadata.name={name}") == ""
    )


def question(app: K8sxApp) -> str:
    return str(app.screen.query_one("#cleanup-question", Label).content)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's working directory: where results/<pod> lands."""
    work = tmp_path / "experiment"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


async def test_deleting_a_runs_pod_whose_log_and_results_are_not_kept_says_so_and_delete_anyway_deletes(
    stack: StackEnv, namespace: str, tmp_path: Path, folder: Path
) -> None:
    pod_with_root(stack, namespace, tmp_path / "pod", "exp")
    run = record_run(stack, namespace, "exp", phase="Succeeded")  # ended, as far as its record says
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question")
        asked = question(app)
        assert asked.startswith(f"Delete pod {namespace}/exp?"), asked
        assert (
            f"{namespace}/exp (run {run.id}): its log is not archived to the end (main: not archived); "
            "its results were never pulled" in asked
        ), asked
        assert "are pulled into results/exp," in asked, asked  # the folder itself, not a placeholder
        assert app.screen.focused is not None and app.screen.focused.id == "cancel"  # a stray Enter deletes nothing
        assert await answer_dialog(pilot, app, "enter") == "cancel"
        assert not pod_gone(stack, namespace, "exp")

        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question again")
        assert await answer_dialog(pilot, app, "tab", "tab", "enter") == "anyway"
        wait_for(lambda: pod_gone(stack, namespace, "exp"), timeout=30, what="the pod deleted")


async def test_deleting_a_pod_of_no_run_asks_the_plain_question_only(
    stack: StackEnv, namespace: str, tmp_path: Path, folder: Path
) -> None:
    pod_with_root(stack, namespace, tmp_path / "pod", "plain")
    record_run(stack, namespace, "other-pod")  # a run, but of another pod
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete question")
        assert str(app.screen.query_one("#question", Label).content) == f"Delete pod {namespace}/plain?"
        assert await answer_dialog(pilot, app, "tab", "enter") is True
        wait_for(lambda: pod_gone(stack, namespace, "plain"), timeout=30, what="the pod deleted")


async def test_pull_then_delete_pulls_the_results_records_them_on_the_run_and_deletes_the_pod(
    stack: StackEnv, namespace: str, tmp_path: Path, folder: Path
) -> None:
    out = tmp_path / "pod" / "out"
    out.mkdir(parents=True)
    (out / "metrics.json").write_text('{"loss": 0.1}\n')
    pod_with_root(stack, namespace, tmp_path / "pod", "exp")
    run = record_run(stack, namespace, "exp", phase="Running")
    store = RunStore()
    store.set_log(LogArchive(run.id, "main", str(store.folder(run.id) / "main.log.gz"), lines=3, complete=True))
    settings = Settings(results_path=str(out))  # kwok runs the pod's exec'd commands here, on this machine
    app = K8sxApp(
        Backends(KubeService(stack.kubeconfig, namespace=namespace), DockerService(stack.docker_host)),
        settings=settings,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question")
        asked = question(app)
        # Its log is archived: only its results are missing.
        assert f"\n  {namespace}/exp (run {run.id}): its results were never pulled\n" in asked, asked
        await pilot.press("tab", "enter")  # Pull results and archive logs, then delete
        # Pulled in full: the flow goes on to the deletion by itself (no Esc: it reads like cancel).
        await settle(pilot, lambda: not isinstance(app.screen, ArchiveThenDeleteScreen | PullManyScreen), timeout=60)
        wait_for(lambda: pod_gone(stack, namespace, "exp"), timeout=30, what="the pod deleted")
    pulled = folder / "results" / "exp"
    assert (pulled / "metrics.json").read_text() == '{"loss": 0.1}\n'
    results = store.results(run.id)
    assert [(r.local_path, r.files) for r in results] == [(str(pulled), 1)], results


async def test_x_on_deploy_asks_about_a_finished_pod_whose_results_were_never_pulled(
    stack: StackEnv, namespace: str, folder: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await apply_yaml(pilot, app, tiny_pod("done"), "done")  # recorded as a run by the apply
        set_phase(stack, namespace, "done", "Succeeded")
        await settle(pilot, lambda: listed(app).get("done") == "Succeeded", what="done finished")
        run = RunStore().latest_for(app.backends.kube.context or "", namespace, "done")
        assert run is not None
        await pilot.press("X")
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question")
        asked = question(app)
        assert asked.startswith(f"Delete 1 finished pod in {namespace}?\n  done (Succeeded)\n"), asked
        assert f"\n  {namespace}/done (run {run.id}): " in asked and "its results were never pulled" in asked, asked
        assert await answer_dialog(pilot, app, "tab", "tab", "enter") == "anyway"
        wait_for(lambda: pod_gone(stack, namespace, "done"), timeout=30, what="done deleted")


# ---------------------------------------------------------------- the leave prompt (tui/app.py calls delete_then_leave)

MANAGED = {"app.kubernetes.io/managed-by": "k8sx-tui"}


async def test_leaving_with_delete_asks_about_a_runs_pod_cancel_stays_and_delete_anyway_quits(
    stack: StackEnv, namespace: str, tmp_path: Path, folder: Path
) -> None:
    pod_with_root(stack, namespace, tmp_path / "pod", "train", labels=MANAGED)
    run = record_run(stack, namespace, "train", phase="Running")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        await pilot.press("tab", "tab", "enter")  # Delete them, quit
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question")
        asked = question(app)
        assert asked.startswith("Delete 1 pod started from k8sx-tui and quit?\n"), asked
        # Quitting: nobody would read the rest of a running pod's log, so only an archive to the end will do.
        assert f"\n  {namespace}/train (run {run.id}): its log is not archived to the end (main: " in asked, asked
        assert asked.count("its results were never pulled") == 1, asked
        await pilot.press("enter")  # Cancel has the focus: stay
        await settle(pilot, lambda: not isinstance(app.screen, CleanupQuestion), what="the question gone")
        assert app.is_running and not pod_gone(stack, namespace, "train")

        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question again")
        await pilot.press("tab", "tab", "enter")  # Delete them, quit
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question again")
        await pilot.press("tab", "tab", "enter")  # Delete anyway
        await settle(pilot, lambda: not app.is_running, what="the app gone")
    wait_for(lambda: pod_gone(stack, namespace, "train"), timeout=30, what="train deleted")


async def test_a_deletion_that_raises_on_the_way_out_is_said_and_the_app_can_still_quit(
    stack: StackEnv, namespace: str, tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credentials that expired under the app make the deletion itself raise: the quit says why and stays, and
    ctrl+q asks again (before, the flow never ended and ctrl+q did nothing for the rest of the session)."""
    pod_with_root(stack, namespace, tmp_path / "pod", "train", labels=MANAGED)  # a pod of no run: no question

    def expired(self: ExperimentPods, pods: object) -> list[str]:
        raise RuntimeError("the credentials have expired")

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        monkeypatch.setattr(ExperimentPods, "delete", expired)
        await pilot.press("tab", "tab", "enter")  # Delete them, quit
        said = lambda: [n.message for n in app._notifications]  # noqa: E731
        await settle(pilot, lambda: any("the credentials have expired" in m for m in said()), what="the failure said")
        assert any("deleting 1 pod failed: the credentials have expired" in m for m in said()), said()
        assert app.is_running
        monkeypatch.undo()
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question again")
        await pilot.press("tab", "enter")  # Keep them, quit
        await settle(pilot, lambda: not app.is_running, what="the app gone")
    assert not pod_gone(stack, namespace, "train")


async def test_leaving_with_pull_and_archive_pulls_deletes_reads_the_log_to_its_end_then_quits(
    stack: StackEnv, namespace: str, tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_follower, "END_GRACE_S", 1.0)  # (kwok's log streams never end by themselves)
    out = tmp_path / "pod" / "out"
    out.mkdir(parents=True)
    (out / "model.txt").write_text("weights\n")
    pod_with_root(stack, namespace, tmp_path / "pod", "train", labels=MANAGED)
    run = record_run(stack, namespace, "train", phase="Running")
    app = K8sxApp(
        Backends(KubeService(stack.kubeconfig, namespace=namespace), DockerService(stack.docker_host)),
        settings=Settings(results_path=str(out)),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        await pilot.press("tab", "tab", "enter")  # Delete them, quit
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question")
        await pilot.press("tab", "enter")  # Pull results and archive logs, then delete
        await settle(pilot, lambda: not app.is_running, timeout=90, what="the app gone (pulled, archived, deleted)")
    assert pod_gone(stack, namespace, "train")
    store = RunStore()
    assert [(a.container, a.complete) for a in store.logs(run.id)] == [("main", True)]
    assert (folder / "results" / "train" / "model.txt").read_text() == "weights\n"
    assert [r.files for r in store.results(run.id)] == [1]
