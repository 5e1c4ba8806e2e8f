"""A fan-out as one Indexed Job (F, "As one Indexed Job"): the Job controller of the real stack creates the pods on
kwok nodes, each with its own completion index and the app's labels; they are followed together on the Deploy
screen, their results pulled from the claim they share (kwok finishes a Job's pods at once: the pulls go through
the claim's helper pods), and the finished ones deleted through the Job. Refusals (an invalid Job, an exceeded
quota, a missing namespace) are said as the API says them. The services alone (a Job with no pod yet, the dry run
before a replacement): tests/integration/test_fanout_job_service.py."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, Static

from tests.e2e.test_deploy import follow_text, listed, open_deploy
from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import digests
from tests.support.pods import pod_quota, prep_pod
from tests.support.stack import StackEnv, kubectl, wait_for
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.models.deploy.pod_template import FANOUT_LABEL, JOB_INDEX_KEY, MANAGED_BY_LABEL
from tui.screens.common.cleanup import CleanupQuestion
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.screens.transfer.pull_many import PullManyScreen
from tui.services.kube.kube import KubeService
from tui.services.pods.experiment_pods import ExperimentPods

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder

CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared}
spec: {storageClassName: standard, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


async def start_job_fan_out(pilot: Any, app: K8sxApp, yaml_text: str, count: str = "3") -> None:
    screen = await open_deploy(pilot, app)
    screen.editor.load_text(yaml_text)
    await pilot.press("F")
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the fan-out form")
    form = app.screen
    form.query_one("#field-count", Input).value = count
    form.query_one("#field-job", Checkbox).value = True
    await pilot.press("ctrl+s")


def job_pods(stack: StackEnv, namespace: str) -> list[dict[str, Any]]:
    found = json.loads(
        kubectl(stack, "get", "pods", "-n", namespace, "-l", "batch.kubernetes.io/job-name=prep", "-o", "json")
    )
    items: list[dict[str, Any]] = found["items"]
    return items


async def test_an_indexed_job_of_three_is_followed_as_one_and_its_results_pull_into_three_folders(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    claim_root = tmp_path / "claim"
    out = claim_root / "out"
    (out / "shards").mkdir(parents=True)
    for shard in range(12):
        (out / "shards" / f"{shard:02d}.csv").write_text(f"{shard}\n" * (shard + 1))
    (out / "model.bin").write_bytes(os.urandom(300_000))
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=CLAIM)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await start_job_fan_out(pilot, app, CLAIM + "---\n" + prep_pod(claim_root))
        try:
            await settle(
                pilot,
                lambda: "job prep: 0 active, 3 succeeded, 0 failed (indexes 0-2 done) — Complete" in follow_text(app),
                timeout=120,
                what="the Job complete in the fan-out view",
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {follow_text(app)}") from None
        text = follow_text(app)
        assert "fan-out prep (Indexed Job prep, 3 indexes): 3 pods — 3 Completed" in text
        assert "job/prep created" in text
        pods = job_pods(stack, namespace)
        names = sorted(p["metadata"]["name"] for p in pods)
        for index, name in enumerate(names):  # a line per pod, by index: "  0  prep-0-x7fpj  Completed"
            assert f"{index}  {name}  Completed" in text, (name, text)
        await settle(pilot, lambda: set(listed(app)) == set(names), what="the Job's pods in the app's pod list")

        job = json.loads(kubectl(stack, "get", "job", "prep", "-n", namespace, "-o", "json", "--show-managed-fields"))
        assert (job["spec"]["completionMode"], job["spec"]["completions"], job["spec"]["parallelism"]) == (
            "Indexed",
            3,
            3,
        )
        assert job["metadata"]["labels"][MANAGED_BY_LABEL] == "k8sx-tui"
        assert any(f["manager"] == "k8sx-tui" and f["operation"] == "Apply" for f in job["metadata"]["managedFields"])
        by_index = {int(p["metadata"]["labels"][JOB_INDEX_KEY]): p for p in pods}
        assert sorted(by_index) == [0, 1, 2]
        for index, pod in by_index.items():
            assert pod["metadata"]["name"].startswith(f"prep-{index}-")
            labels = pod["metadata"]["labels"]
            assert (labels[MANAGED_BY_LABEL], labels[FANOUT_LABEL], labels["team"]) == ("k8sx-tui", "prep", "vision")
            container = pod["spec"]["containers"][0]
            # The same spec for every index: Kubernetes expands $(JOB_COMPLETION_INDEX) when the container starts,
            # from the variable declared first (so OUT, declared after it, expands too).
            assert container["args"] == ["--shard", "$(JOB_COMPLETION_INDEX)", "--of", "3"]
            assert [v["name"] for v in container["env"]] == ["JOB_COMPLETION_INDEX", "OUT"]
            assert container["env"][1]["value"] == "/persistent/out/shard-$(JOB_COMPLETION_INDEX)"
            assert (
                container["env"][0]["valueFrom"]["fieldRef"]["fieldPath"] == f"metadata.annotations['{JOB_INDEX_KEY}']"
            )
            assert pod["metadata"]["annotations"][JOB_INDEX_KEY] == str(index)

        # All three marked on the Pods screen, r: each is pulled into results/<pod> (they have finished, so
        # through a helper pod on the claim they share).
        await pilot.press("1")
        await settle(pilot, lambda: "3 pods in namespace" in pods_info(app), what="the pods listed")
        for _ in range(3):
            await pilot.press("space")
        await settle(pilot, lambda: "3 marked" in pods_info(app), what="3 pods marked")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        results = tmp_path / "results"
        app.screen.query_one("#field-remote", Input).value = str(out)
        app.screen.query_one("#field-local", Input).value = str(results)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PullManyScreen) and app.screen.finished, timeout=180)
        screen = app.screen
        summary = str(screen.query_one("#many-summary", Static).content)
        lines = [str(screen.query_one(f"#pod-{index}", Static).content) for index in range(3)]
        assert summary.startswith("3 of 3 pods pulled: 39 files"), (summary, lines)
        await pilot.press("escape")
        assert sorted(p.name for p in results.iterdir()) == names
        for name in names:
            assert digests(results / name) == digests(out), name

        # X on the Deploy screen: the Job has ended, so it goes, with its pods (propagation Background).
        await pilot.press("6")
        await pilot.press("X")
        # The Job's run: its results are pulled, but kwok's logs never end, so the safe clean-up asks about them.
        await settle(pilot, lambda: isinstance(app.screen, CleanupQuestion), what="the clean-up question")
        question = str(app.screen.query_one("#cleanup-question").content)  # type: ignore[attr-defined]
        assert question.startswith(f"Delete 3 finished pods in {namespace}?\n  {names[0]} (Succeeded, job prep)")
        assert "its results were never pulled" not in question, question
        await pilot.press("tab", "tab", "enter")  # Delete anyway
        await settle(pilot, lambda: listed(app) == {}, timeout=60, what="the Job's pods gone from the list")
        await settle(
            pilot,
            lambda: "job prep is gone (deleted)" in follow_text(app) and "3 indexes): no pods" in follow_text(app),
            timeout=60,
            what="the fan-out view says the Job is gone",
        )
    assert kubectl(stack, "get", "job", "prep", "-n", namespace, check=False) == ""
    assert job_pods(stack, namespace) == []


async def test_refusals_are_said_verbatim_an_invalid_job_an_exceeded_quota_and_a_missing_namespace(
    stack: StackEnv, namespace: str
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        # A Job's pods may not restart Always: the API's own words.
        await start_job_fan_out(pilot, app, prep_pod(restart="Always"))
        await settle(pilot, lambda: "job/prep refused" in follow_text(app), what="the refusal")
        assert follow_text(app).startswith(
            "job/prep refused: spec.template.spec.restartPolicy 'Always' is not allowed here (valid values: "
            '"OnFailure", "Never")\n(the API server said: Job.batch "prep" is invalid: '
            'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never")'
        ), follow_text(app)

        # One pod allowed by a quota: the Job starts one, and its controller's refusals show as the Job's warnings.
        pod_quota(stack, namespace, "one-pod", 1)
        await start_job_fan_out(pilot, app, prep_pod())
        await settle(pilot, lambda: "exceeded quota: one-pod" in follow_text(app), timeout=90, what="the quota refusal")
        text = follow_text(app)
        assert "FailedCreate: Error creating: pods " in text and "is forbidden: exceeded quota: one-pod" in text, text
        await settle(pilot, lambda: "job prep: 0 active, 1 succeeded" in follow_text(app), what="index 0 counted")
        assert "fan-out prep (Indexed Job prep, 3 indexes): 1 pod — 1 Completed" in follow_text(app)

    gone = make_app(stack.kubeconfig, stack.docker_host, namespace=f"{namespace}-gone")
    async with gone.run_test(size=SIZE) as pilot:
        await start_job_fan_out(pilot, gone, prep_pod())
        await settle(pilot, lambda: "does not exist" in follow_text(gone), what="the missing namespace")
        assert f"namespace {namespace}-gone does not exist" in follow_text(gone)


def test_a_jobs_pods_are_deleted_through_the_job_only_when_it_would_act_on_them(
    stack: StackEnv, namespace: str
) -> None:
    """A finished pod of a Job still running goes alone (the Job does not replace it); a pod still to run goes with
    its Job (the Job would start it again); a Job that has ended goes with all its pods."""
    pods = ExperimentPods(KubeService(stack.kubeconfig))

    def job(name: str, node_type: str, completions: int, parallelism: int) -> None:
        manifest = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name},
            "spec": {
                "completionMode": "Indexed",
                "completions": completions,
                "parallelism": parallelism,
                "template": {
                    "metadata": {"labels": {MANAGED_BY_LABEL: "k8sx-tui"}},
                    "spec": {
                        "restartPolicy": "Never",
                        "nodeSelector": {"type": node_type},
                        "containers": [{"name": "main", "image": "busybox"}],
                    },
                },
            },
        }
        kubectl(stack, "apply", "-n", namespace, "-f", "-", input=json.dumps(manifest))

    def of_job(name: str) -> list[str]:
        return [p.name for p in pods.pods(namespace) if p.job == name]

    # Pending for ever (no node of that type): "still running" as the leave prompt sees it; deleting it deletes
    # the Job, and no new pod comes.
    job("stuck", "nowhere", 2, 2)
    wait_for(lambda: len(of_job("stuck")) == 2, what="the stuck Job's pods")
    running = [p for p in pods.still_running([namespace]) if p.job == "stuck"]
    assert len(running) == 2
    assert pods.delete(running) == []
    wait_for(lambda: kubectl(stack, "get", "job", "stuck", "-n", namespace, check=False) == "", what="job stuck gone")
    wait_for(lambda: of_job("stuck") == [], what="its pods gone")

    # An ended Job: deleting its finished pods deletes it.
    job("done", "kwok", 2, 2)
    wait_for(lambda: len([p for p in pods.finished(namespace) if p.job == "done"]) == 2, what="job done finished")
    wait_for(
        lambda: (
            "Complete"
            in kubectl(stack, "get", "job", "done", "-n", namespace, "-o", "jsonpath={.status.conditions[*].type}")
        ),
        what="job done Complete",
    )
    assert pods.delete([p for p in pods.finished(namespace) if p.job == "done"]) == []
    wait_for(lambda: kubectl(stack, "get", "job", "done", "-n", namespace, check=False) == "", what="job done gone")
    wait_for(lambda: of_job("done") == [], what="its pods gone")

    # A Job still running (one pod at a time, the next one not created yet, or created): its finished pod goes
    # alone, the Job stays and does not run that index again.
    pod_quota(stack, namespace, "one-pod", 1)
    job("slow", "kwok", 2, 1)
    wait_for(lambda: len([p for p in pods.finished(namespace) if p.job == "slow"]) == 1, what="index 0 finished")
    first = [p for p in pods.finished(namespace) if p.job == "slow"]
    assert pods.delete(first) == []
    assert kubectl(stack, "get", "job", "slow", "-n", namespace, "-o", "name") == "job.batch/slow\n"
    wait_for(
        lambda: (
            "Complete"
            in kubectl(stack, "get", "job", "slow", "-n", namespace, "-o", "jsonpath={.status.conditions[*].type}")
        ),
        timeout=90,
        what="job slow Complete (index 1 ran once the quota had room)",
    )
    left = json.loads(
        kubectl(stack, "get", "pods", "-n", namespace, "-l", "batch.kubernetes.io/job-name=slow", "-o", "json")
    )
    assert [p["metadata"]["labels"][JOB_INDEX_KEY] for p in left["items"]] == ["1"]


@pytest.mark.parametrize("as_job", [True, False], ids=["indexed job", "pods"])
async def test_a_fan_out_started_again_asks_then_replaces_the_earlier_run(
    stack: StackEnv, namespace: str, as_job: bool
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)

    def uids() -> set[str]:
        selector = "batch.kubernetes.io/job-name=prep" if as_job else f"{FANOUT_LABEL}=prep"
        found = kubectl(
            stack, "get", "pods", "-n", namespace, "-l", selector, "-o", "jsonpath={.items[*].metadata.uid}"
        )
        return set(found.split())

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(prep_pod())
        for run, count in enumerate((3, 2)):  # the second run is smaller: every pod of the first still goes
            await pilot.press("F")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the fan-out form")
            app.screen.query_one("#field-count", Input).value = str(count)
            app.screen.query_one("#field-job", Checkbox).value = as_job
            await pilot.press("ctrl+s")
            if run == 1:
                await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
                question = str(app.screen.query_one("#question").content)  # type: ignore[attr-defined]
                earlier = "  job prep (Complete)" if as_job else "  prep-0\n  prep-1\n  prep-2"
                assert question.startswith(f"An earlier fan-out prep is still in {namespace}:\n{earlier}\n"), question
                await pilot.press("tab", "enter")  # Replace (the focus starts on Cancel)
            done = f"job prep: 0 active, {count} succeeded" if as_job else f"{count} pods — {count} Running"
            await settle(pilot, lambda d=done: d in follow_text(app), timeout=120, what=f"run {run} followed")
            if run == 0:
                first = uids()
                assert len(first) == 3
        second = uids()
        assert len(second) == 2 and not second & first, (first, second)
        assert "refused" not in follow_text(app)


async def test_a_replacement_the_api_would_refuse_leaves_the_earlier_run_as_it_was(
    stack: StackEnv, namespace: str
) -> None:
    """Replace checks the new run with a dry run before deleting anything (review finding: it deleted first)."""
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        for run, text in enumerate((prep_pod(), prep_pod().replace("- name: main", "- name: Main_Container"))):
            screen.editor.load_text(text)  # the second: a container name no API server takes (not a DNS label)
            await pilot.press("F")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the fan-out form")
            app.screen.query_one("#field-count", Input).value = "2"
            await pilot.press("ctrl+s")
            if run == 0:
                await settle(pilot, lambda: "2 pods — 2 Running" in follow_text(app), timeout=120, what="run 0")
                first = kubectl(stack, "get", "pods", "-n", namespace, "-o", "jsonpath={.items[*].metadata.uid}")
                continue
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
            await pilot.press("tab", "enter")  # Replace
            await settle(pilot, lambda: "nothing was deleted" in follow_text(app), timeout=60, what="the refusal")
        said = follow_text(app)
    assert "pod/prep-0 refused" in said and "Main_Container" in said, said  # the API's words
    after = kubectl(stack, "get", "pods", "-n", namespace, "-o", "jsonpath={.items[*].metadata.uid}")
    assert sorted(after.split()) == sorted(first.split()) and len(after.split()) == 2, (first, after)
