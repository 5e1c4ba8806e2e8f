"""`k8sx-tui runs logs RUN` for a GKE run reads Cloud Logging through the user's own gcloud — a stand-in first on
PATH that answers as the real one does (never the real one) — when nothing is archived (said on stderr) or when
asked (`--cloud`, for an archive with a gap, which says so); gcloud missing, signed out or denied is said in words
on stderr with exit 1, never a traceback. The installed command, as a script runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_gcloud import FakeGcloud, log_entry, without_gcloud
from tests.support.run_logs import GCLOUD_REFUSALS, RefusalAnswer, gcloud, gke_store, gone_gke_run, with_gap
from tui.services.runs.store import RunStore

__all__ = ["gcloud", "gke_store"]  # fixtures

K8SX_TUI = str(Path(sys.executable).with_name("k8sx-tui"))


def runs(*argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("K8SX_TUI_")}
    return subprocess.run([K8SX_TUI, "runs", *argv], env=env, capture_output=True, timeout=60)


def test_a_gke_run_without_an_archive_is_read_from_cloud_logging_and_says_so(
    gke_store: RunStore, gcloud: FakeGcloud
) -> None:
    run = gone_gke_run(gke_store)
    gcloud.answer([
        log_entry("epoch 1 loss 0.9", "2026-12-07T10:00:01.000000001Z"),
        log_entry("", "2026-12-07T10:00:02Z", json_payload={"message": "\x1b[31mdone\x1b[0m"}),
    ])  # fmt: skip
    done = runs("logs", run.id, "--container", "main")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"epoch 1 loss 0.9\n\x1b[31mdone\x1b[0m\n"  # as the container wrote it, no timestamps
    said = f"run {run.id} has no archived log: reading it from Cloud Logging (project my-proj) with gcloud"
    assert done.stderr.decode() == f"k8sx-tui runs: {said}\n"
    assert len(gcloud.calls) == 1 and gcloud.calls[0][:2] == ["logging", "read"]
    assert 'resource.labels.pod_name="trainer" AND resource.labels.container_name="main"' in gcloud.calls[0][2]
    assert gcloud.calls[0][3:] == ["--project", "my-proj", "--format=json", "--order=asc", "--limit=50000"]

    several = runs("logs", run.id)  # two containers in the manifest: which one?
    assert several.returncode == 2 and b"choose one with --container (main, sidecar)" in several.stderr


def test_an_archive_with_a_gap_says_so_and_cloud_reads_cloud_logging(gke_store: RunStore, gcloud: FakeGcloud) -> None:
    run = gone_gke_run(gke_store)
    with_gap(gke_store, run)
    gcloud.answer([log_entry(f"epoch {i}", f"2026-12-07T12:00:0{i}Z") for i in range(1, 4)])
    archived = runs("logs", run.id, "-c", "main")
    assert archived.returncode == 0 and archived.stdout == b"epoch 1\nepoch 2\n"
    assert archived.stderr.decode().splitlines() == [
        "k8sx-tui runs: lines may be missing: the stream dropped after 12:00:01 and the server no longer had all of "
        "the lines since",
        f"k8sx-tui runs: Cloud Logging may have them: k8sx-tui runs logs {run.id} --cloud",
    ]
    assert gcloud.calls == []  # offered, not asked

    cloud = runs("logs", run.id, "-c", "main", "--cloud")
    assert cloud.returncode == 0, cloud.stderr
    assert (cloud.stdout, cloud.stderr) == (b"epoch 1\nepoch 2\nepoch 3\n", b"")
    assert 'resource.labels.container_name="main"' in gcloud.calls[0][2]


def test_cloud_for_a_run_outside_gke_is_refused_in_words(gke_store: RunStore, gcloud: FakeGcloud) -> None:
    run = gone_gke_run(gke_store, context="kind-local")
    done = runs("logs", run.id, "--cloud")
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode().startswith(f"k8sx-tui runs: run {run.id} ran in context 'kind-local', not a GKE")
    assert gcloud.calls == []


@GCLOUD_REFUSALS
def test_gclouds_refusals_are_said_on_stderr_with_exit_1(
    gke_store: RunStore, gcloud: FakeGcloud, answer: RefusalAnswer, words: str
) -> None:
    gcloud.answer(**answer)
    done = runs("logs", gone_gke_run(gke_store).id, "-c", "main", "--cloud")
    assert done.returncode == 1 and done.stdout == b""
    said = done.stderr.decode()
    assert said.startswith(f"k8sx-tui runs: Cloud Logging: {words}") and "Traceback" not in said
    assert "\x1b" not in said  # gcloud's answer shown, its escape sequences not sent


def test_gcloud_missing_is_said_with_the_console_link(
    gke_store: RunStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_gcloud(tmp_path, monkeypatch)
    run = gone_gke_run(gke_store)
    done = runs("logs", run.id, "-c", "sidecar")
    assert done.returncode == 1 and done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert lines[0].endswith("reading it from Cloud Logging (project my-proj) with gcloud")
    assert lines[1].startswith("k8sx-tui runs: Cloud Logging: gcloud is not installed: install the Google Cloud SDK")
    assert "https://console.cloud.google.com/logs/query;query=" in lines[1] and len(lines) == 2
