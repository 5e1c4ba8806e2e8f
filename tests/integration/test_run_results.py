"""A pull of a run's pod is recorded on the run, against the real API server (kwok runs the pod's tar on this
machine, so the bytes and their sha256 really come through exec): local path, files, bytes and every file's
sha256 as the pull checked it; then whether the local files still match (changed, missing, too large). A pod the
app did not start records nothing; a Job's pod records on the Job's run; a recording that fails never fails the
pull. Through a claim whose pod is gone (real node): tests/integration/test_run_results_real_node.py."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.files import digests
from tests.support.pods import kwok_pod, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.models.runs.result_state import ResultsCheck
from tui.models.runs.run import Run
from tui.services.kube.kube import KubeService
from tui.services.runs.recorder import RunRecorder
from tui.services.runs.result_recorder import ResultRecorder
from tui.services.runs.results import results_state
from tui.services.runs.store import RunStore
from tui.services.transfer.claim_pull import ClaimPull


def results_pod(
    stack: StackEnv, namespace: str, root: Path, name: str = "exp", labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """A Running kwok pod with results under root/out (a nested folder, an empty file); returns its manifest."""
    (root / "out" / "epochs").mkdir(parents=True)
    for epoch in range(12):
        (root / "out" / "epochs" / f"{epoch:02d}.json").write_text(f'{{"epoch": {epoch}}}\n')
    (root / "out" / "model.bin").write_bytes(bytes(range(256)) * 400)
    (root / "out" / "empty").write_bytes(b"")
    text = kwok_pod(name, labels=labels, workdir=root)
    apply(stack, namespace, text)
    wait_pod_phase(stack, namespace, name)
    manifest: dict[str, Any] = next(yaml.safe_load_all(text))
    return manifest


def record_run(stack: StackEnv, store: RunStore, namespace: str, manifest: dict[str, Any]) -> Run:
    """The run as the app's apply records it (its kube context loaded, as the app's is by then)."""
    kube = KubeService(stack.kubeconfig)
    kube.api_client()
    (run,) = RunRecorder(store, kube).record_applied(namespace, [manifest], None)
    assert run.context == "k8sx-local" == kube.context
    return run


def pulls(stack: StackEnv, store: RunStore) -> ClaimPull:
    """What `r` on a pod (one or several marked) calls, recording into `store`."""
    return ClaimPull(KubeService(stack.kubeconfig), results=ResultRecorder(store))


def test_a_pull_of_a_runs_pod_records_its_files_with_their_sha256_and_their_state_follows_the_local_files(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    store = RunStore(tmp_path / "runs")
    root = tmp_path / "pod"
    run = record_run(stack, store, namespace, results_pod(stack, namespace, root))
    local = tmp_path / "results" / "exp"

    summary = pulls(stack, store).pull_results(namespace, "exp", str(root / "out"), local)

    (result,) = store.results(run.id)
    assert result.local_path == str(local)
    assert (result.files, result.bytes) == (14, summary.bytes) and summary.files == 14
    assert result.bytes == sum(p.stat().st_size for p in local.rglob("*") if p.is_file())
    assert result.sha256 == digests(local) == digests(root / "out")  # as arrived, and as the pod has them
    assert results_state(result).check is ResultsCheck.MATCH

    (local / "epochs" / "03.json").write_text('{"epoch": "edited"}\n')
    (local / "empty").unlink()
    (local / "added.txt").write_text("new files do not count")
    changed = results_state(result)
    assert changed.check is ResultsCheck.CHANGED and changed.changed == ("empty", "epochs/03.json")
    assert changed.words == "changed: 2 of 14 files differ or are gone (empty, epochs/03.json)"

    assert results_state(result, limit=1000).check is ResultsCheck.TOO_LARGE  # model.bin alone is 102 kB
    assert "too large to check" in results_state(result, limit=1000).words

    shutil.rmtree(local)
    assert results_state(result).check is ResultsCheck.MISSING

    # A second pull, a single file this time, is a second result on the same run.
    pulls(stack, store).pull_results(namespace, "exp", str(root / "out" / "model.bin"), tmp_path / "model.bin")
    assert [r.files for r in store.results(run.id)] == [14, 1]
    single = store.results(run.id)[1]
    assert single.sha256 == {".": digests(root / "out")["model.bin"]}
    assert results_state(single).check is ResultsCheck.MATCH


def test_a_pull_of_a_pod_the_app_did_not_start_records_nothing(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "other"}, "spec": {"containers": []}}
    other = record_run(stack, store, namespace, pod)
    root = tmp_path / "pod"
    results_pod(stack, namespace, root)  # applied with kubectl: no run
    summary = pulls(stack, store).pull_results(namespace, "exp", str(root / "out"), tmp_path / "local")
    assert summary.files == 14
    assert store.results(other.id) == []
    assert [s.results for s in store.summaries()] == [0]


def test_a_jobs_pod_records_on_the_jobs_run(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train"},
        "spec": {
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}
        },
    }
    run = record_run(stack, store, namespace, job)
    root = tmp_path / "pod"
    # The Job controller's pod, as it labels it (a kwok pod stands in: its tar runs here).
    results_pod(stack, namespace, root, "train-x7k2p", {"batch.kubernetes.io/job-name": "train", "job-name": "train"})
    local = tmp_path / "local"
    pulls(stack, store).pull_results(namespace, "train-x7k2p", str(root / "out"), local)
    (result,) = store.results(run.id)
    assert result.sha256 == digests(local)


def test_a_recording_that_fails_is_logged_and_the_pull_goes_on(
    stack: StackEnv, namespace: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = RunStore(tmp_path / "runs")
    root = tmp_path / "pod"
    run = record_run(stack, store, namespace, results_pod(stack, namespace, root))
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the run records would go")
    local = tmp_path / "local"
    with caplog.at_level(logging.ERROR, logger="tui.services.runs.result_recorder"):
        summary = ClaimPull(KubeService(stack.kubeconfig), results=ResultRecorder(RunStore(blocked))).pull_results(
            namespace, "exp", str(root / "out"), local
        )
    assert summary.files == 14 and digests(local) == digests(root / "out")
    assert summary.note == f"not recorded on its run: [Errno 17] File exists: '{blocked}'"  # said on the done screen
    (record,) = [r for r in caplog.records if "was not recorded" in r.getMessage()]
    assert record.getMessage() == f"the pull of {namespace}/exp into {local} was not recorded on its run"
    assert record.exc_info is not None
    assert store.results(run.id) == []
