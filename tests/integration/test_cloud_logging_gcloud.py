"""A GKE run's log read from Cloud Logging through `gcloud logging read`, against a stand-in gcloud first on PATH
that answers as the real one does (never the real one): the lines, gcloud missing, not signed in, not allowed,
too slow, stopped, and answers that are huge or not JSON — each in words. No cluster is asked."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.fake_gcloud import NOT_SIGNED_IN, PERMISSION_DENIED, FakeGcloud, log_entry, without_gcloud
from tests.support.run_logs import gcloud, gke_store, gone_gke_run
from tests.support.run_records import write_archive
from tests.support.stack import wait_for
from tui.models.logs.lines import LogChunk, LogRange, LogTarget, StreamEnded, StreamEvent, StreamGap
from tui.services.kube.kube import KubeService
from tui.services.logs import cloud_logging
from tui.services.logs.archived import ArchivedLogSession, NoRunLogs, RunLogs, load_run_logs
from tui.services.logs.cloud_logging import CloudLoggingStream
from tui.services.logs.session import ALL_CONTAINERS, log_targets
from tui.services.runs.store import RunStore

__all__ = ["gcloud", "gke_store"]  # fixtures

NO_CLUSTER = KubeService("/nonexistent/kubeconfig")  # nothing here may ask a cluster: this one would fail


def read_all(run_logs: RunLogs, store: RunStore, choice: str | None = None) -> list[StreamEvent]:
    """Every event of the streams the Logs screen would start for this choice, one after the other."""
    session = ArchivedLogSession(NO_CLUSTER, run_logs, store)
    followed = session.start(log_targets([run_logs.pod], choice), LogRange(None, None), False)
    try:
        return [event for stream, _ in followed for event in stream.events()]
    finally:
        session.stop()


def lines_of(events: list[StreamEvent]) -> list[bytes]:
    return [line for e in events if isinstance(e, LogChunk) for line in e.data.splitlines()]


def words_of(events: list[StreamEvent]) -> list[str]:
    return [e.reason for e in events if isinstance(e, StreamGap | StreamEnded)]


def test_a_gke_run_without_an_archive_is_read_from_cloud_logging(gke_store: RunStore, gcloud: FakeGcloud) -> None:
    run = gone_gke_run(gke_store)
    gcloud.answer([
        log_entry("epoch 1 loss 0.9", "2026-12-07T10:00:01.000000001Z"),
        log_entry("", "2026-12-07T10:00:02Z", json_payload={"message": "saved checkpoint"}),
    ])  # fmt: skip
    run_logs = load_run_logs(gke_store, run.id)
    assert run_logs.label == f"Cloud Logging log of run {run.id} (experiments/trainer)"
    assert run_logs.pod.containers == ("main", "sidecar") and run_logs.pod.default == "main"

    events = read_all(run_logs, gke_store)
    assert lines_of(events) == [
        b"2026-12-07T10:00:01.000000001Z epoch 1 loss 0.9",
        b"2026-12-07T10:00:02Z saved checkpoint",
    ]
    assert words_of(events) == ["read from Cloud Logging (project my-proj), 2 entries"]
    assert run_logs.cloud is not None
    main = replace(run_logs.cloud, container="main")
    assert gcloud.calls == [main.command()[1:]]  # gcloud logging read FILTER --project ... as documented
    assert 'resource.labels.container_name="main"' in gcloud.calls[0][2]


def test_each_container_chosen_is_one_read(gke_store: RunStore, gcloud: FakeGcloud) -> None:
    run = gone_gke_run(gke_store)
    gcloud.answer([log_entry("hello", "2026-12-07T10:00:01Z")])
    read_all(load_run_logs(gke_store, run.id), gke_store, ALL_CONTAINERS)
    assert [call[2].split("container_name=")[1].split(" ")[0] for call in gcloud.calls] == ['"main"', '"sidecar"']


def test_a_renamed_gke_context_is_known_by_its_cluster_in_the_kubeconfig(
    gke_store: RunStore, gcloud: FakeGcloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("contexts:\n- name: prod\n  context: {cluster: gke_prod-proj_europe-west4_big, user: me}\n")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    run_logs = load_run_logs(gke_store, gone_gke_run(gke_store, context="prod").id)
    assert run_logs.cloud is not None and run_logs.cloud.project == "prod-proj"
    read_all(run_logs, gke_store)
    assert gcloud.calls[0][3:5] == ["--project", "prod-proj"]


def test_a_run_of_another_cluster_without_an_archive_still_says_it_has_none(gke_store: RunStore) -> None:
    run = gone_gke_run(gke_store, context="kind-local")
    with pytest.raises(NoRunLogs, match="has no archived log"):
        load_run_logs(gke_store, run.id)


def test_an_archive_with_a_gap_says_cloud_logging_may_have_the_lines(gke_store: RunStore, gcloud: FakeGcloud) -> None:
    run = gone_gke_run(gke_store)
    write_archive(gke_store, run.id, "main", [b"archived line"])
    archive = gke_store.logs(run.id)[0]
    gke_store.set_log(replace(archive, gaps=("the stream dropped after 10:00",)))
    run_logs = load_run_logs(gke_store, run.id)
    assert run_logs.label.startswith("archived log of run")
    events = read_all(run_logs, gke_store)
    assert lines_of(events)[0].endswith(b" archived line")
    gap = next(e.reason for e in events if isinstance(e, StreamGap))
    assert gap.startswith("the stream dropped after 10:00; Cloud Logging may have the lines: ")
    assert "https://console.cloud.google.com/logs/query;query=" in gap and gap.endswith("?project=my-proj")
    assert gcloud.calls == []  # the archive is read; Cloud Logging only offered


def test_gcloud_missing_is_said_with_the_console_link(
    gke_store: RunStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_gcloud(tmp_path, monkeypatch)
    run_logs = load_run_logs(gke_store, gone_gke_run(gke_store).id)
    events = read_all(run_logs, gke_store)
    assert run_logs.cloud is not None
    url = replace(run_logs.cloud, container="main").console_url()
    assert words_of(events) == [
        "Cloud Logging: gcloud is not installed: install the Google Cloud SDK, or read the log in the Cloud "
        f"Console: {url}",
        "Cloud Logging could not be read",
    ]


@pytest.mark.parametrize(
    ("stderr", "words"),
    [
        (NOT_SIGNED_IN, "Cloud Logging: gcloud is not signed in: run `gcloud auth login` (gcloud said: "),
        (PERMISSION_DENIED, "Cloud Logging: gcloud's account may not read the logs of project my-proj"),
    ],
)
def test_gclouds_own_refusals_are_said_in_words(
    gke_store: RunStore, gcloud: FakeGcloud, stderr: str, words: str
) -> None:
    gcloud.answer(stderr=stderr, code=1)
    events = read_all(load_run_logs(gke_store, gone_gke_run(gke_store).id), gke_store)
    assert lines_of(events) == []
    assert words_of(events)[0].startswith(words) and words_of(events)[1] == "Cloud Logging could not be read"


def test_an_answer_that_is_not_json_is_said_and_escape_sequences_are_not_passed_on(
    gke_store: RunStore, gcloud: FakeGcloud
) -> None:
    gcloud.answer(stdout=b"\x1b]0;owned\x07<html>Service Unavailable</html>")
    events = read_all(load_run_logs(gke_store, gone_gke_run(gke_store).id), gke_store)
    assert words_of(events)[0] == (
        "Cloud Logging: gcloud's answer is not a JSON list of log entries: "
        "'\ufffd]0;owned\ufffd<html>Service Unavailable</html>'"
    )


def test_a_huge_answer_is_cut_and_says_so(
    gke_store: RunStore, gcloud: FakeGcloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud_logging, "MAX_OUTPUT", 1024 * 1024)
    gcloud.answer([log_entry(f"{i:06d} " + "x" * 1000, "2026-12-07T10:00:01Z") for i in range(3000)])  # ~5 MiB
    events = read_all(load_run_logs(gke_store, gone_gke_run(gke_store).id), gke_store)
    lines = lines_of(events)
    assert 0 < len(lines) < 3000 and lines[0].startswith(b"2026-12-07T10:00:01Z 000000 xxx")
    gap = words_of(events)[0]
    assert gap.startswith("gcloud's answer was longer than 1 MiB: the entries after are cut; the console has them all")
    assert words_of(events)[1] == f"read from Cloud Logging (project my-proj), {len(lines):,} entries"


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_gcloud_that_does_not_answer_is_killed_and_said(
    gke_store: RunStore, gcloud: FakeGcloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud_logging, "GCLOUD_TIMEOUT_S", 1.0)
    gcloud.answer(sleep=600)
    events = read_all(load_run_logs(gke_store, gone_gke_run(gke_store).id), gke_store)
    assert words_of(events)[0].startswith("Cloud Logging: gcloud logging read did not answer within 1 s: read the log")
    assert pid_gone(gcloud.pid)


def test_stopping_the_stream_kills_gcloud(gke_store: RunStore, gcloud: FakeGcloud) -> None:
    gcloud.answer(sleep=600)
    run_logs = load_run_logs(gke_store, gone_gke_run(gke_store).id)
    assert run_logs.cloud is not None
    stream = CloudLoggingStream(NO_CLUSTER, LogTarget("experiments", "trainer", "main"), 0, run_logs.cloud)
    events: list[StreamEvent] = []
    reader = threading.Thread(target=lambda: events.extend(stream.events()), daemon=True)
    reader.start()
    wait_for(lambda: (gcloud.folder / "pid").exists(), timeout=30, what="gcloud started")
    pid = gcloud.pid
    stream.stop()
    reader.join(timeout=30)
    assert not reader.is_alive() and pid_gone(pid)
    assert words_of(events) == []  # stopped: nothing more to say
