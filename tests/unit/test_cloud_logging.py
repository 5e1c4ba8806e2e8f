"""Cloud Logging for a GKE run's log: which contexts are GKE (and their project), the filter and command asked,
the console link, gcloud's JSON answer turned into log lines, and gcloud's failures in words."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support.fake_gcloud import NOT_SIGNED_IN, PERMISSION_DENIED, log_entry
from tui.models.runs.run import Run
from tui.services.logs.cloud_entries import CloudLoggingError, entry_lines, explain_failure, parse_entries
from tui.services.logs.cloud_query import CloudQuery, gke_project

CREATED = datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC).timestamp()
ENDED = datetime(2026, 12, 7, 11, 30, 0, tzinfo=UTC).timestamp()


def a_run(**changes: object) -> Run:
    fields: dict[str, object] = {
        "id": "20261207-1000-abcd", "name": "trainer", "kind": "Pod", "namespace": "experiments",
        "context": "gke_my-proj_europe-west1-b_cluster", "server": "https://34.1.2.3", "created": CREATED,
        "manifest": "", "images": ("busybox",), "pod": "trainer", "phase": "Deleted", "ended": ENDED,
    }  # fmt: skip
    fields.update(changes)
    return Run(**fields)  # type: ignore[arg-type]


def test_a_gke_context_names_its_project(tmp_path: Path) -> None:
    none = [tmp_path / "absent"]
    assert gke_project("gke_my-proj_europe-west1-b_cluster-1", none) == "my-proj"
    assert gke_project("gke_example.com:team-proj_us-central1_ml_cluster", none) == "example.com:team-proj"
    assert gke_project("kind-local", none) == ""
    assert gke_project("", none) == ""


def test_a_renamed_gke_context_is_known_by_its_cluster_in_the_kubeconfig(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncontexts:\n"
        "- name: prod\n  context: {cluster: gke_prod-proj_europe-west4_big, user: me}\n"
        "- name: local\n  context: {cluster: kind-local, user: me}\n"
    )
    assert gke_project("prod", [kubeconfig]) == "prod-proj"
    assert gke_project("local", [kubeconfig]) == ""
    (tmp_path / "broken").write_text("contexts: [: not yaml")
    assert gke_project("prod", [tmp_path / "broken", kubeconfig]) == "prod-proj"


def test_the_filter_names_the_pod_its_container_and_the_runs_time_with_5_minutes_after() -> None:
    query = CloudQuery.of_run(a_run(), "my-proj")
    assert query.filter() == (
        'resource.type="k8s_container" AND resource.labels.namespace_name="experiments" AND '
        'resource.labels.pod_name="trainer" AND timestamp>="2026-12-07T10:00:00Z" AND '
        'timestamp<="2026-12-07T11:35:00Z"'
    )
    main = replace(query, container="main")
    assert 'AND resource.labels.container_name="main" AND timestamp>=' in main.filter()
    assert main.command() == [
        "gcloud", "logging", "read", main.filter(), "--project", "my-proj",
        "--format=json", "--order=asc", "--limit=50000",
    ]  # fmt: skip


def test_a_run_still_going_has_no_end_and_a_job_never_seen_is_found_by_its_job_name() -> None:
    running = CloudQuery.of_run(a_run(ended=None, phase="Running"), "p")
    assert "timestamp<=" not in running.filter()
    job = CloudQuery.of_run(a_run(kind="Job", name="sweep", pod=""), "p")
    assert 'labels."k8s-pod/job-name"="sweep"' in job.filter() and "pod_name" not in job.filter()


def test_names_are_quoted_so_a_quote_in_one_cannot_change_the_filter() -> None:
    query = CloudQuery.of_run(a_run(pod='x" OR "1'), "p")
    assert 'resource.labels.pod_name="x\\" OR \\"1"' in query.filter()


def test_the_console_link_opens_the_logs_explorer_with_the_same_filter_and_range() -> None:
    query = CloudQuery.of_run(a_run(), "my-proj")
    url = query.console_url()
    assert url.startswith("https://console.cloud.google.com/logs/query;query=")
    assert url.endswith("?project=my-proj")
    assert " " not in url and '"' not in url  # all of the filter percent-encoded
    encoded_query = url.split(";query=", 1)[1].split(";", 1)[0]
    assert unquote(encoded_query) == query.filter()
    assert ";timeRange=2026-12-07T10%3A00%3A00Z%2F2026-12-07T11%3A35%3A00Z" in url


def test_text_and_json_payloads_become_lines_with_their_timestamp() -> None:
    entries = [
        log_entry("epoch 1 loss 0.9", "2026-12-07T10:00:01.123456789Z"),
        log_entry("", "2026-12-07T10:00:02Z", json_payload={"message": "from json", "level": "info"}),
        log_entry("", "2026-12-07T10:00:03Z", json_payload={"step": 3}),
        log_entry("two\nlines\n", "2026-12-07T10:00:04Z"),
        {"timestamp": "2026-12-07T10:00:05Z", "protoPayload": {"@type": "audit"}},  # no text: skipped
    ]
    parsed = parse_entries(json.dumps(entries, indent=2).encode())
    assert parsed.lines == [
        b"2026-12-07T10:00:01.123456789Z epoch 1 loss 0.9\n",
        b"2026-12-07T10:00:02Z from json\n",
        b'2026-12-07T10:00:03Z {"step":3}\n',
        b"2026-12-07T10:00:04Z two\n",
        b"2026-12-07T10:00:04Z lines\n",
    ]
    assert (parsed.entries, parsed.skipped) == (5, 1)
    assert parse_entries(b"[]\n").lines == [] and parse_entries(b"").entries == 0


def test_hostile_entries_keep_their_bytes_and_a_bad_timestamp_is_not_taken() -> None:
    assert entry_lines(log_entry("\x1b[31mred\x1b[0m [bold]x[/bold]\x00", "2026-12-07T10:00:00Z")) == [
        b"2026-12-07T10:00:00Z \x1b[31mred\x1b[0m [bold]x[/bold]\x00\n"  # (the Logs screen makes them safe)
    ]
    spoofed = {**log_entry("hi", "2026-12-07T10:00:00Z"), "timestamp": "now and then"}  # the receive time then
    assert entry_lines(spoofed) == [b"2026-12-07T10:00:00Z hi\n"]
    assert entry_lines({**spoofed, "receiveTimestamp": "2026-12-07T10:00:00Z junk"}) == []
    assert entry_lines({"textPayload": "no time"}) == []
    assert entry_lines(["not", "an", "entry"]) == []


def test_an_answer_that_is_not_a_json_list_is_said_in_words() -> None:
    with pytest.raises(CloudLoggingError, match="not a JSON list of log entries: 'Traceback"):
        parse_entries(b"Traceback (most recent call last):\n  File ...")
    with pytest.raises(CloudLoggingError, match="not valid JSON"):
        parse_entries(b'[{"textPayload": "x", "timestamp": "2026-12-07T10:00:00Z"}, {oops}]')
    with pytest.raises(CloudLoggingError) as raised:
        parse_entries(b"\x1b[2J\x1b]0;pwned\x07")
    assert str(raised.value) == "gcloud's answer is not a JSON list of log entries: '\ufffd[2J\ufffd]0;pwned\ufffd'"


def test_an_answer_cut_at_its_limit_keeps_the_whole_entries_before_the_cut() -> None:
    entries = [log_entry(f"line {i}", f"2026-12-07T10:00:{i:02d}Z") for i in range(3)]
    whole = json.dumps(entries, indent=2).encode()
    cut = whole[: whole.index(b'"line 2"') + 3]
    parsed = parse_entries(cut, cut=True)
    assert [line.split(b" ", 1)[1] for line in parsed.lines] == [b"line 0\n", b"line 1\n"]


def test_gclouds_failures_say_what_to_do() -> None:
    query = CloudQuery.of_run(a_run(), "my-proj")
    assert explain_failure(NOT_SIGNED_IN, 1, query) == (
        "gcloud is not signed in: run `gcloud auth login` (gcloud said: (gcloud.logging.read) You do not currently "
        "have an active account selected.)"
    )
    denied = explain_failure(PERMISSION_DENIED, 1, query)
    assert denied.startswith("gcloud's account may not read the logs of project my-proj (it needs the Logs Viewer")
    assert "PERMISSION_DENIED: Permission denied for all log views" in denied
    other = explain_failure("ERROR: (gcloud.logging.read) \x1b[31mboom\x1b[0m\n" + "x" * 5000, 2, query)
    assert other.startswith("gcloud logging read failed (exit code 2): (gcloud.logging.read) \ufffd[31mboom")
    assert "\x1b" not in other and len(other) < 800
    assert explain_failure("", 3, query) == "gcloud logging read failed (exit code 3): exit code 3"
