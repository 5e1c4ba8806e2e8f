"""Set-up shared by the tests of runs' logs (archived by the run follower, or read from Cloud Logging): runs recorded
as the app's recorder records them, a follower for a block, and what `kubectl logs` prints to compare with."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_gcloud import NOT_SIGNED_IN, PERMISSION_DENIED, FakeGcloud, install_fake_gcloud
from tests.support.run_records import write_archive
from tests.support.stack import StackEnv
from tui.models.runs.run import Run
from tui.services.kube.kube import KubeService
from tui.services.runs.follower import RunFollower
from tui.services.runs.log_archive import read_archived
from tui.services.runs.store import RunStore, new_run_id

GKE_CONTEXT = "gke_my-proj_europe-west1-b_cluster"  # a GKE context by its name: project my-proj
# A pod of two containers, as a run's manifest (the Logs screen offers its containers from it).
TWO_CONTAINERS = """\
apiVersion: v1
kind: Pod
metadata: {name: trainer}
spec:
  containers:
  - {name: main, image: busybox}
  - {name: sidecar, image: busybox}
"""


# gcloud's refusals and a bad answer (FakeGcloud.answer's arguments), and how each is said after "Cloud Logging: "
GCLOUD_REFUSALS = pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"stderr": NOT_SIGNED_IN, "code": 1}, "gcloud is not signed in: run `gcloud auth login` (gcloud said: "),
        ({"stderr": PERMISSION_DENIED, "code": 1}, "gcloud's account may not read the logs of project my-proj"),
        ({"stdout": b"\x1b]0;owned\x07<html>502</html>"}, "gcloud's answer is not a JSON list of log entries: '"),
    ],
    ids=["signed-out", "denied", "not-json"],
)
RefusalAnswer = dict[str, Any]


@pytest.fixture
def gcloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGcloud:
    """The stand-in gcloud first on PATH for this test."""
    return install_fake_gcloud(tmp_path, monkeypatch)


@pytest.fixture
def gke_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunStore:
    """Run records of the test's own, and no kubeconfig: a GKE run is known by its context's name alone."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    return RunStore()


def record_run(
    stack: StackEnv, namespace: str, name: str, manifest: str = "", kind: str = "Pod", store: RunStore | None = None
) -> Run:
    """A run of the stack's context recorded as the app's recorder would (in $XDG_STATE_HOME's store, unless
    `store`): what the run follower then follows."""
    kube = KubeService(stack.kubeconfig, namespace=namespace)
    kube.api_client()  # (loads the kubeconfig: its context)
    run = Run(
        id=new_run_id(), name=name, kind=kind, namespace=namespace, context=kube.context or "", server="",
        created=time.time(), manifest=manifest, images=("busybox",),
    )  # fmt: skip
    (store or RunStore()).record(run)
    return run


def gone_gke_run(store: RunStore, context: str = GKE_CONTEXT, run_id: str | None = None) -> Run:
    """A run on a GKE cluster whose pod `trainer` (containers main and sidecar) was deleted an hour after it was
    applied; nothing asks its cluster (the context need not exist)."""
    now = time.time()
    run = Run(
        id=run_id or new_run_id(), name="trainer", kind="Pod", namespace="experiments", context=context,
        server="https://34.1.2.3", created=now - 3600, manifest=TWO_CONTAINERS, images=("busybox",), pod="trainer",
        phase="Deleted", ended=now - 600,
    )  # fmt: skip
    store.record(run)
    return run


def with_gap(store: RunStore, run: Run) -> None:
    """An archive of main's first two lines (`epoch 1`, `epoch 2`) whose stream dropped after them."""
    write_archive(store, run.id, "main", [b"epoch 1", b"epoch 2"])
    gap = "the stream dropped after 12:00:01 and the server no longer had all of the lines since"
    store.set_log(replace(store.logs(run.id)[0], gaps=(gap,)))


@contextlib.contextmanager
def following(kube: KubeService, store: RunStore) -> Iterator[RunFollower]:
    """A follower polling every half second, stopped however the block ends."""
    follower = RunFollower(kube, store, poll_s=0.5)
    follower.start()
    try:
        yield follower
    finally:
        follower.stop()


def kubectl_logs(stack: StackEnv, namespace: str, pod: str, container: str = "main") -> bytes:
    return subprocess.run(
        ["kubectl", "--kubeconfig", stack.kubeconfig, "logs", "-n", namespace, pod, "-c", container],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


def archived_text(store: RunStore, run_id: str, key: str = "main") -> bytes:
    """An archive's lines as `kubectl logs` printed them ("" when there is none)."""
    found = next((a for a in store.logs(run_id) if a.container == key), None)
    return b"".join(read_archived(Path(found.path))) if found else b""
