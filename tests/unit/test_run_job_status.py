"""A Job's run ends with the Job (its conditions), not with one of its pods; each pod of a Job keeps its own
archive, named `pod/container`, which the Logs screen, the CLI and Cloud Logging read back as that pod's."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.support.run_records import make_run
from tui.models.runs.job_status import by_creation, job_end, run_with_job
from tui.services.logs.cloud_query import CloudQuery, container_query
from tui.services.runs.log_archive import archive_key, key_parts

RUN = make_run("20261207-1200-aaaa", "prep", 1.0, kind="Job", pod="prep-b", phase="Failed", ended=5.0)


def job(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Job", "status": {"conditions": list(conditions)}}


def test_a_failed_pod_does_not_end_the_run_while_the_job_goes_on() -> None:
    retrying = job({"type": "FailureTarget", "status": "False"})
    assert job_end(retrying) is None
    assert (run_with_job(RUN, retrying).phase, run_with_job(RUN, retrying).ended) == ("Running", None)
    assert run_with_job(RUN, None) == RUN  # the Job gone, its pods left: they say how it stands
    assert run_with_job(replace(RUN, phase="Deleted"), retrying).phase == "Deleted"  # (gone is gone)


def test_the_jobs_end_ends_the_run_when_it_says_so() -> None:
    failed = job({"type": "Failed", "status": "True", "lastTransitionTime": "2026-12-07T12:00:00Z"})
    assert job_end(failed) == ("Failed", 1796644800.0)
    done = job({"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"})
    assert run_with_job(replace(RUN, phase="Running", ended=None), done).phase == "Succeeded"
    assert run_with_job(RUN, done).ended == 5.0  # (no time said: the last pod's end stays)


def test_hostile_job_status_is_no_end() -> None:
    for hostile in ({}, {"status": None}, {"status": {"conditions": "x"}}, job({"type": ["Failed"], "status": "True"})):
        assert job_end(hostile) is None


def test_pods_in_the_order_they_were_made() -> None:
    pods = [
        {"metadata": {"name": "prep-b", "creationTimestamp": "2026-12-07T12:00:10Z"}},
        {"metadata": {"name": "prep-a", "creationTimestamp": "2026-12-07T12:00:00Z"}},
        {"metadata": None},
    ]
    assert [(p.get("metadata") or {}).get("name") for p in by_creation(pods)] == [None, "prep-a", "prep-b"]


def test_archive_names_and_the_cloud_logging_question_of_a_jobs_pod() -> None:
    assert archive_key("Pod", "train", "main") == "main" and key_parts("main") == ("", "main")
    assert archive_key("Job", "prep-b", "main") == "prep-b/main" and key_parts("prep-b/main") == ("prep-b", "main")
    query = CloudQuery.of_run(replace(RUN, pod=""), "my-proj")  # a Job whose pod was never seen: by its label
    assert query.job == "prep" and container_query(query, "main").job == "prep"
    one = container_query(query, "prep-a/main")  # one pod's archive: that pod's entries
    assert (one.pod, one.job, one.container) == ("prep-a", "", "main")
    assert 'resource.labels.pod_name="prep-a" AND resource.labels.container_name="main"' in one.filter()
