"""A run recorded by every apply against the real API server: the manifest as sent, its images, parameters and
requests, the context and server, k8sx.yaml and the code (a git checkout with an uncommitted change); then brought
up to date from the pod's JSON as the API sends it. A fan-out is one run per pod with the code read once, an
Indexed Job one run; an unchanged pod applied again is no new run; a recording that fails never fails the apply."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.pods import wait_pod_phase
from tests.support.stack import StackEnv, kubectl, wait_for
from tests.support.state import own_state
from tui.models.deploy.pod_template import INDEX_LABEL, fan_out, indexed_job, with_labels
from tui.models.runs.pod_status import run_with_pod
from tui.services.deploy.apply import AppliedManifests, ApplyFailed, PodApplier
from tui.services.kube.kube import KubeService
from tui.services.runs import recorder as recorder_module
from tui.services.runs.recorder import RunRecorder
from tui.services.runs.store import RunStore
from tui.services.transfer.claim_mounts import ClaimMountStore

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder

PROJECT = "image: train\nregistry: 127.0.0.1:5000/team\nbuild: {context: code}\n"


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, text=True).stdout


def project(tmp_path: Path) -> Path:
    """A project whose build context `code/` is in a git checkout, with train.py changed since the commit and a
    new file not yet added."""
    root = tmp_path / "project"
    (root / "code").mkdir(parents=True)
    (root / "k8sx.yaml").write_text(PROJECT)
    (root / "code" / "train.py").write_text("lr = 0.1\n")
    (root / "README").write_text("outside the build context\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "0")
    git(root, "add", ".")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "first")
    (root / "code" / "train.py").write_text("lr = 0.2\n")
    (root / "code" / "sweep.py").write_text("new\n")
    (root / "README").write_text("changed outside the build context\n")
    return root


def experiment_pod(name: str = "exp") -> dict[str, Any]:
    """A pod for a kwok node: an init container, two containers with args, env and requests."""
    return with_labels(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name},
            "spec": {
                "nodeSelector": {"type": "kwok"},
                "restartPolicy": "Never",
                "initContainers": [{"name": "fetch", "image": "busybox:1.36", "args": ["fetch", "{index}"]}],
                "containers": [
                    {
                        "name": "main",
                        "image": "127.0.0.1:5000/team/train:0.3",
                        "args": ["--lr", "0.2", "--shard", "{index}"],
                        "env": [
                            {"name": "SEED", "value": "7"},
                            {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                        ],
                        "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"nvidia.com/gpu": 1}},
                    },
                    {
                        "name": "side",
                        "image": "busybox:1.36",
                        "resources": {"requests": {"cpu": "1", "memory": "512Mi"}},
                    },
                ],
            },
        },
        name,
    )


def applier(stack: StackEnv, tmp_path: Path, root: Path | None) -> tuple[PodApplier, RunStore]:
    kube = KubeService(stack.kubeconfig)
    store = RunStore(tmp_path / "runs")
    return PodApplier(
        kube, AppliedManifests(tmp_path / "applied"), ClaimMountStore(tmp_path), RunRecorder(store, kube), root
    ), store


def pod_json(stack: StackEnv, namespace: str, name: str) -> dict[str, Any]:
    """The pod as the API sends it (not the client's models turned back into a dict: those rename every field)."""
    loaded: dict[str, Any] = json.loads(kubectl(stack, "get", "pod", name, "-n", namespace, "-o", "json"))
    return loaded


def test_an_applied_pod_is_recorded_with_its_manifest_images_code_and_requests_then_followed_from_its_pod(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = project(tmp_path)
    pods, store = applier(stack, tmp_path, root)
    manifest = experiment_pod()
    assert [str(a) for a in pods.apply(namespace, [manifest])] == ["pod/exp created"]

    (summary,) = store.summaries()
    run = store.get(summary.id)
    assert (run.name, run.kind, run.namespace, run.phase) == ("exp", "Pod", namespace, "Pending")
    kubeconfig = yaml.safe_load(Path(stack.kubeconfig).read_text())
    assert run.context == kubeconfig["current-context"]
    assert run.server == kubeconfig["clusters"][0]["cluster"]["server"]
    assert yaml.safe_load(run.manifest) == manifest  # as sent (it had its apiVersion already)
    assert run.images == ("127.0.0.1:5000/team/train:0.3", "busybox:1.36")
    assert (summary.image_tag, run.project) == ("0.3", PROJECT)
    assert run.requests == {"cpu": "1500m", "memory": "1536Mi", "gpu": "1"}  # a limit stands for its request
    env = {"SEED": "7", "POD": "(from fieldRef metadata.name)"}  # where a value comes from, never a secret's value
    assert run.params["containers"] == {
        "fetch": {"args": ["fetch", "{index}"]},
        "main": {"args": ["--lr", "0.2", "--shard", "{index}"], "env": env},
    }

    code = run.code
    assert code is not None and code.folder == str(root / "code")  # the build context k8sx.yaml names
    assert (code.commit, code.branch) == (git(root, "rev-parse", "HEAD").strip(), "main")
    assert "-lr = 0.1\n+lr = 0.2\n" in code.diff and "README" not in code.diff  # only the build context's changes
    assert code.untracked == ("sweep.py",)
    assert summary.code_label == code.commit[:7] + "+dirty"

    wait_pod_phase(stack, namespace, "exp")
    running = run_with_pod(run, pod_json(stack, namespace, "exp"))
    assert (running.phase, running.pod) == ("Running", "exp")
    assert running.node.startswith("kwok-") and running.started is not None and running.ended is None
    assert [(c.name, c.state) for c in running.containers] == [
        ("fetch", "terminated"), ("main", "running"), ("side", "running"),
    ]  # fmt: skip
    store.record(running)
    assert store.get(run.id[:15]).node == running.node

    # The same pod applied again is the same pod: configured, not a new run.
    assert [str(a) for a in pods.apply(namespace, [manifest])] == ["pod/exp configured"]
    assert [s.id for s in store.summaries()] == [run.id]


def test_a_fan_out_is_one_run_per_pod_with_its_index_and_the_code_read_once(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    pods, store = applier(stack, tmp_path, root)
    reads: list[Path] = []
    real = recorder_module.code_state
    monkeypatch.setattr(recorder_module, "code_state", lambda folder: reads.append(folder) or real(folder))
    pods.apply(namespace, fan_out(experiment_pod("sweep"), 3, "sweep"))
    runs = sorted((store.get(s.id) for s in store.summaries()), key=lambda r: r.name)
    assert [(r.name, r.params["index"]) for r in runs] == [("sweep-0", 0), ("sweep-1", 1), ("sweep-2", 2)]
    assert runs[2].params["containers"]["main"]["args"] == ["--lr", "0.2", "--shard", "2"]
    assert len({r.id for r in runs}) == 3 and reads == [root / "code"]
    assert all(yaml.safe_load(r.manifest)["metadata"]["labels"][INDEX_LABEL] == str(i) for i, r in enumerate(runs))


def test_an_indexed_job_is_one_run_of_kind_job(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    pods, store = applier(stack, tmp_path, project(tmp_path))
    job = indexed_job(experiment_pod("grid"), 4, "grid")
    pods.apply(namespace, [job])
    (summary,) = store.summaries()
    run = store.get(summary.id)
    assert (run.name, run.kind, run.params["completions"]) == ("grid", "Job", 4)
    assert run.images == ("127.0.0.1:5000/team/train:0.3", "busybox:1.36")
    assert yaml.safe_load(run.manifest)["apiVersion"] == "batch/v1"  # filled in as it was sent
    assert run.requests == {"cpu": "1500m", "memory": "1536Mi", "gpu": "1"}


def test_pods_started_before_a_refusal_are_recorded_and_the_refused_one_is_not(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    pods, store = applier(stack, tmp_path, None)  # no project: the working directory's code
    broken = experiment_pod("b-broken")
    broken["spec"]["restartPolicy"] = "Sometimes"
    with pytest.raises(ApplyFailed, match="pod/b-broken refused"):
        pods.apply(namespace, [experiment_pod("a-fine"), broken])
    assert [s.name for s in store.summaries()] == ["a-fine"]
    code = store.get(store.summaries()[0].id).code
    assert code is not None and code.folder == str(Path.cwd()) and len(code.content_hash) == 64


def test_a_recording_that_fails_is_logged_said_beside_the_pod_and_the_apply_goes_on(
    stack: StackEnv, namespace: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the run records would go")
    kube = KubeService(stack.kubeconfig)
    pods = PodApplier(kube, AppliedManifests(tmp_path / "applied"), recorder=RunRecorder(RunStore(blocked), kube))
    with caplog.at_level(logging.ERROR, logger="tui.services.deploy.apply"):
        (applied,) = [str(a) for a in pods.apply(namespace, [experiment_pod()])]
    # Said beside the pod (every screen that applies lists these): its logs and results will not be kept.
    assert applied == f"pod/exp created (not recorded as a run: File exists: {blocked})", applied
    (record,) = [r for r in caplog.records if "was not recorded" in r.getMessage()]
    assert record.getMessage() == "the run of exp was not recorded" and record.exc_info is not None
    wait_for(lambda: kubectl(stack, "get", "pod", "exp", "-n", namespace, check=False) != "", what="pod exp")


def test_without_a_recorder_given_runs_go_to_the_state_folder(stack: StackEnv, namespace: str, own_state: Path) -> None:
    """As the Deploy screen makes its PodApplier: the runs are where `k8sx-tui runs` reads them."""
    PodApplier(KubeService(stack.kubeconfig)).apply(namespace, [experiment_pod()])
    (summary,) = RunStore().summaries()
    assert summary.name == "exp" and RunStore().root.is_relative_to(own_state.parent / "state")
