"""What a run records of a manifest (pure parts of the recorder): requests as the scheduler counts them, the
parameters an experiment is varied by, the images; fresh ids for a fan-out's many runs in one minute; hostile
manifests never raise."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tui.models.deploy.pod_template import INDEX_LABEL, JOB_INDEX_KEY
from tui.services.runs import recorder as module
from tui.services.runs.recorder import RunRecorder, images_of, params_of, requests_of
from tui.services.runs.store import RunStore


def container(name: str, image: str = "", requests: dict[str, Any] | None = None, **rest: Any) -> dict[str, Any]:
    return {"name": name, "image": image, **({"resources": {"requests": requests}} if requests else {}), **rest}


def test_requests_are_summed_over_containers_unless_an_init_container_asks_more() -> None:
    spec = {
        "initContainers": [container("big-init", requests={"memory": "8Gi", "cpu": "100m"})],
        "containers": [
            container("a", requests={"cpu": "250m", "memory": "1Gi", "nvidia.com/gpu": "1"}),
            container("b", requests={"cpu": "1.25", "memory": "500M"}),
            {"name": "c", "resources": {"limits": {"nvidia.com/gpu": 2, "cpu": "2"}}},  # a limit stands for a request
        ],
    }
    assert requests_of(spec) == {"cpu": "3500m", "memory": "8Gi", "gpu": "3"}
    assert requests_of({"containers": [container("a", requests={"cpu": "2", "memory": "1000"})]}) == {
        "cpu": "2",
        "memory": "1k",
    }
    assert requests_of({"containers": [container("a")]}) == {}


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"containers": None},
        {"containers": "x", "initContainers": 3},
        {"containers": [None, 1, "x", {"resources": "lots"}, {"resources": {"requests": ["cpu"]}}]},
        {"containers": [{"resources": {"requests": {"cpu": "many", "memory": "-1Gi", "nvidia.com/gpu": True}}}]},
        {"containers": [{"resources": {"requests": {"cpu": "1" * 100}}}]},
    ],
)
def test_hostile_specs_give_what_can_be_read_and_never_raise(spec: dict[str, Any]) -> None:
    assert requests_of(spec) == {}
    assert images_of(spec) == ()
    params_of({"kind": "Pod", "metadata": "x", "spec": spec}, spec)


def test_images_come_once_each_the_containers_first() -> None:
    spec = {
        "initContainers": [container("fetch", "busybox")],
        "containers": [container("main", "reg/train:1"), container("side", "busybox"), container("no-image")],
    }
    assert images_of(spec) == ("reg/train:1", "busybox")


def test_params_are_command_args_env_and_the_fan_out_index() -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "sweep-2", "labels": {INDEX_LABEL: "2"}},
        "spec": {
            "containers": [
                container(
                    "main",
                    command=["python", "train.py"],
                    args=["--lr", 0.1],
                    env=[
                        {"name": "SEED", "value": "1"},
                        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
                        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                        {"name": "EMPTY"},
                        {"value": "no name"},
                        "junk",
                    ],
                ),
                container("quiet"),
            ]
        },
    }
    assert params_of(pod, pod["spec"]) == {
        "containers": {
            "main": {
                "command": ["python", "train.py"],
                "args": ["--lr", "0.1"],
                "env": {
                    "SEED": "1",
                    "TOKEN": "(from secretKeyRef creds/token)",  # where from: never the secret itself
                    "CPU": "(from resourceFieldRef limits.cpu)",
                    "EMPTY": "",
                },
            }
        },
        "index": 2,
    }
    job_pod = {"kind": "Pod", "metadata": {"annotations": {JOB_INDEX_KEY: "4"}}, "spec": {}}
    assert params_of(job_pod, {}) == {"index": 4}
    job = {"kind": "Job", "metadata": {"name": "grid"}, "spec": {"completions": 8, "completionMode": "Indexed"}}
    assert params_of(job, {}) == {"completions": 8}


class FakeKube:
    context = "kind-k8sx"

    def api_client(self) -> Any:
        return SimpleNamespace(configuration=SimpleNamespace(host="https://127.0.0.1:6443"))


def test_a_fan_outs_runs_get_ids_of_their_own_even_when_the_random_part_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RunStore(tmp_path / "runs")
    ids = itertools.chain(["20261207-1255-aaaa"] * 3, ["20261207-1255-bbbb"] * 3, ["20261207-1255-cccc"])
    monkeypatch.setattr(module, "new_run_id", lambda now: next(ids))
    recorder = RunRecorder(store, FakeKube())  # type: ignore[arg-type]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": []}}
    (earlier,) = recorder.record_applied("ns", [pod], None)
    runs = recorder.record_applied("ns", [pod | {"metadata": {"name": n}} for n in ("b", "c")], None)
    assert [earlier.id, *(r.id for r in runs)] == ["20261207-1255-aaaa", "20261207-1255-bbbb", "20261207-1255-cccc"]
    assert sorted(s.name for s in store.summaries()) == ["a", "b", "c"]  # none written over another
    assert (earlier.context, earlier.server, earlier.code) == ("kind-k8sx", "https://127.0.0.1:6443", None)


def test_claims_and_other_kinds_are_no_runs(tmp_path: Path) -> None:
    recorder = RunRecorder(RunStore(tmp_path), FakeKube())  # type: ignore[arg-type]
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "results"}}
    assert recorder.record_applied("ns", [claim], tmp_path) == []
    assert RunStore(tmp_path).summaries() == []
