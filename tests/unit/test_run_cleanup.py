"""Which pods about to be deleted belong to runs that would lose their logs or results, and why in words."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.support.run_records import make_run
from tui.models.runs.run import ContainerEnd, LogArchive, RunResult
from tui.services.runs.cleanup import PodToDelete, runs_at_risk
from tui.services.runs.store import RunStore

CONTEXT = "kind-local"
ENDS = (ContainerEnd("main", "terminated", 0), ContainerEnd("sidecar", "terminated", 0))


def store_with(tmp_path: Path, **changes: object) -> RunStore:
    store = RunStore(tmp_path / "runs")
    store.record(make_run("20261207-1200-aaaa", "train", 1.0, **({"containers": ENDS} | changes)))
    return store


def log(store: RunStore, container: str, lines: int, complete: bool) -> None:
    store.set_log(LogArchive("20261207-1200-aaaa", container, f"/x/{container}.log.gz", lines, complete=complete))


def test_a_pod_of_no_run_or_of_another_context_is_not_at_risk(tmp_path: Path) -> None:
    store = store_with(tmp_path)
    pods = [PodToDelete("experiments", "other"), PodToDelete("elsewhere", "train")]
    assert runs_at_risk(store, CONTEXT, pods) == []
    assert runs_at_risk(store, "another-context", [PodToDelete("experiments", "train")]) == []


def test_a_finished_pod_names_each_log_not_archived_to_its_end_and_results_never_pulled(tmp_path: Path) -> None:
    store = store_with(tmp_path, phase="Succeeded")
    log(store, "main", 12, complete=True)
    log(store, "sidecar", 3, complete=False)
    [risk] = runs_at_risk(store, CONTEXT, [PodToDelete("experiments", "train")])
    assert risk.finished and risk.unpulled
    assert risk.words() == (
        "experiments/train (run 20261207-1200-aaaa): its logs are not archived to the end (sidecar: 3 lines so far); "
        "its results were never pulled"
    )


def test_a_run_with_complete_logs_and_a_pull_is_safe(tmp_path: Path) -> None:
    store = store_with(tmp_path, phase="Failed")
    log(store, "main", 1, complete=True)
    log(store, "sidecar", 0, complete=True)
    store.add_result(RunResult("20261207-1200-aaaa", 2.0, "/home/u/results/train", 1, 10))
    assert runs_at_risk(store, CONTEXT, [PodToDelete("experiments", "train")]) == []


def test_a_running_pods_begun_log_is_enough_unless_the_app_is_quitting(tmp_path: Path) -> None:
    store = store_with(tmp_path, phase="Running", containers=(ContainerEnd("main", "running"),))
    log(store, "main", 5, complete=False)
    store.add_result(RunResult("20261207-1200-aaaa", 2.0, "/home/u/results/train", 1, 10))
    pod = PodToDelete("experiments", "train")
    assert runs_at_risk(store, CONTEXT, [pod]) == []  # the follower reads the rest once it is deleted
    [risk] = runs_at_risk(store, CONTEXT, [pod], quitting=True)  # nobody would
    assert risk.logs == "its log is not archived to the end (main: 5 lines so far)" and not risk.finished


def test_a_log_never_begun_and_a_jobs_pod_found_by_its_job(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    store.record(replace(make_run("20261207-1200-bbbb", "prep", 1.0, kind="Job"), phase="Running"))
    [risk] = runs_at_risk(store, CONTEXT, [PodToDelete("experiments", "prep-0-x7k2p", job="prep")])
    assert risk.run_id == "20261207-1200-bbbb" and risk.logs == "its log is not archived yet" and risk.unpulled
