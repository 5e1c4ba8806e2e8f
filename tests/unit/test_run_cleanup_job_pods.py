"""Safe clean-up of a Job's pod: each pod the Job made keeps its log in an archive of its own (`pod/container`), so
the Job's run is safe once its pods' archives are complete, and at risk while its newest pod's is not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.support.run_records import make_run
from tui.models.runs.run import ContainerEnd, LogArchive, RunResult
from tui.services.runs.cleanup import PodToDelete, runs_at_risk
from tui.services.runs.store import RunStore

RUN_ID = "20261207-1200-aaaa"
POD = PodToDelete("experiments", "prep-b", job="prep", finished=True)


def job_store(tmp_path: Path, *archives: tuple[str, bool]) -> RunStore:
    """A Job's run that retried (pods prep-a, then prep-b), its results pulled, and these archives."""
    store = RunStore(tmp_path / "runs")
    run = make_run(RUN_ID, "prep", 1.0, kind="Job", pod="prep-b", phase="Failed", ended=9.0)
    store.record(replace(run, containers=(ContainerEnd("main", "terminated", 1),)))
    store.add_result(RunResult(RUN_ID, 2.0, "/home/u/results/prep", 1, 10))
    for key, complete in archives:
        store.set_log(LogArchive(RUN_ID, key, f"/x/{key}.log.gz", lines=3, complete=complete))
    return store


def test_a_job_whose_pods_logs_are_all_archived_is_safe(tmp_path: Path) -> None:
    store = job_store(tmp_path, ("prep-a/main", True), ("prep-b/main", True))
    assert runs_at_risk(store, "kind-local", [POD]) == []


def test_a_job_whose_newest_pods_log_is_not_archived_is_at_risk(tmp_path: Path) -> None:
    [risk] = runs_at_risk(store := job_store(tmp_path, ("prep-a/main", True)), "kind-local", [POD])
    assert risk.logs == "its logs are not archived to the end (prep-b/main: not archived)"
    store.set_log(LogArchive(RUN_ID, "prep-b/main", "/x/b.log.gz", lines=3, complete=False))
    [risk] = runs_at_risk(store, "kind-local", [POD])
    assert risk.logs == "its logs are not archived to the end (prep-b/main: 3 lines so far)"
