"""`R`'s plan, free of I/O: the recorded manifest under a new name, images pinned to the digests the kubelet ran
(the tag kept in an annotation), a Job's pods annotated too; refused in words for another context or a manifest
that cannot be applied."""

from __future__ import annotations

import pytest
import yaml

from tests.support.run_records import make_run
from tui.models.runs.rerun import (
    AS_TAGGED,
    RERUN_OF,
    RerunRefused,
    container_digests,
    pin,
    plan_rerun,
    repository_of,
    rerun_name,
)
from tui.models.runs.run import ContainerEnd

DIGEST = "sha256:" + "ab" * 32
INIT_DIGEST = "sha256:" + "cd" * 32
POD = """apiVersion: v1
kind: Pod
metadata:
  name: exp
  labels: {app.kubernetes.io/managed-by: k8sx-tui}
spec:
  nodeSelector: {type: kwok}
  initContainers: [{name: fetch, image: "busybox:1.36"}]
  containers:
  - {name: main, image: "127.0.0.1:5000/exp/train:0.3"}
  - {name: side, image: "127.0.0.1:5000/exp/side@sha256:%s"}
""" % ("ef" * 32)
JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: sweep}
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: "127.0.0.1:5000/exp/train:0.3"}]
"""


def test_a_pod_gets_a_new_name_its_images_by_digest_and_what_they_were_tagged() -> None:
    run = make_run(
        "20261207-1255-aaaa",
        "exp",
        0,
        context="k8sx-local",
        manifest=POD,
        images=("127.0.0.1:5000/exp/train:0.3",),
        containers=(
            ContainerEnd("fetch", "terminated", 0, image_id=f"docker.io/library/busybox@{INIT_DIGEST}"),
            ContainerEnd("main", "running", image_id=f"docker-pullable://127.0.0.1:5000/exp/train@{DIGEST}"),
            ContainerEnd("side", "running", image_id="sha256:" + "ef" * 32),
        ),
    )
    plan = plan_rerun(run, "k8sx-local", "x7k2")
    assert (plan.name, plan.kind, plan.namespace, plan.run_id) == ("exp-x7k2", "Pod", "experiments", run.id)
    metadata = plan.manifest["metadata"]
    assert metadata["name"] == "exp-x7k2" and metadata["labels"] == {"app.kubernetes.io/managed-by": "k8sx-tui"}
    spec = plan.manifest["spec"]
    assert spec["initContainers"][0]["image"] == f"busybox@{INIT_DIGEST}"
    assert spec["containers"][0]["image"] == f"127.0.0.1:5000/exp/train@{DIGEST}"
    assert spec["containers"][1]["image"] == "127.0.0.1:5000/exp/side@sha256:" + "ef" * 32  # named by digest already
    assert spec["nodeSelector"] == {"type": "kwok"}
    assert metadata["annotations"] == {
        RERUN_OF: run.id,
        AS_TAGGED: "fetch=busybox:1.36\nmain=127.0.0.1:5000/exp/train:0.3",
    }
    question = plan.question()
    assert "as Pod exp-x7k2" in question and "namespace experiments (context k8sx-local)" in question
    assert f"main: 127.0.0.1:5000/exp/train@{DIGEST}\n  by digest (was applied as 127.0.0.1:5000/exp/train:0.3)" in (
        question
    )
    assert yaml.safe_load(run.manifest)["metadata"]["name"] == "exp"  # the record is left as it was


def test_a_job_and_its_pods_are_annotated_and_a_run_without_digests_keeps_its_tags() -> None:
    run = make_run("20261207-1255-bbbb", "sweep", 0, context="k8sx-local", kind="Job", manifest=JOB)
    plan = plan_rerun(run, "k8sx-local", "q9zz")
    assert plan.kind == "Job" and plan.manifest["metadata"]["name"] == "sweep-q9zz"
    assert plan.manifest["metadata"]["annotations"] == {RERUN_OF: run.id}
    assert plan.manifest["spec"]["template"]["metadata"]["annotations"] == {RERUN_OF: run.id}
    assert plan.manifest["spec"]["template"]["spec"]["containers"][0]["image"] == "127.0.0.1:5000/exp/train:0.3"
    assert "(no digest recorded: as tagged)" in plan.question()


def test_one_image_with_one_digest_recorded_but_no_container_seen_is_pinned() -> None:
    run = make_run(
        "20261207-1255-cccc", "exp", 0, context="c", manifest=POD.split("  - {name: side")[0],
        digests=(f"127.0.0.1:5000/exp/train@{DIGEST}",), images=("127.0.0.1:5000/exp/train:0.3",),
    )  # fmt: skip
    assert container_digests(run) == {"fetch": DIGEST, "main": DIGEST}


@pytest.mark.parametrize(
    ("context", "manifest", "words"),
    [
        ("other", POD, "ran in kube context k8sx-local, the app is on other: switch to k8sx-local (c on the pod list)"),
        (None, POD, "the app is on no context"),
        ("k8sx-local", "kind: [unclosed", "cannot be read as YAML"),
        ("k8sx-local", "kind: Service\nmetadata: {name: x}\n", "is not a Pod or a Job (it is 'Service')"),
        ("k8sx-local", "- a list\n", "is not a Pod or a Job (it is 'list')"),
        ("k8sx-local", "kind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n", "has no containers"),
        ("k8sx-local", "kind: Pod\nmetadata: x\nspec: {}\n", "has no metadata or spec"),
    ],
)
def test_refused_in_words(context: str | None, manifest: str, words: str) -> None:
    run = make_run("20261207-1255-dddd", "exp", 0, context="k8sx-local", manifest=manifest)
    with pytest.raises(RerunRefused, match=words.replace("(", r"\(").replace(")", r"\)")):
        plan_rerun(run, context, "abcd")


def test_names_and_references() -> None:
    assert rerun_name("a" * 70, "x7k2") == "a" * 58 + "-x7k2" and len(rerun_name("a" * 70, "x7k2")) == 63
    assert rerun_name("exp-" + "b" * 60, "x7k2").endswith("b-x7k2")
    assert rerun_name("a" * 57 + "-" + "b" * 10, "x7k2") == "a" * 57 + "-x7k2"  # never `--` or a trailing dash
    assert repository_of("host:5000/team/train:0.3") == "host:5000/team/train"
    assert repository_of("host:5000/team/train") == "host:5000/team/train"
    assert pin("host:5000/train:0.3", DIGEST) == f"host:5000/train@{DIGEST}"
    assert pin("host:5000/train:0.3", "") == "host:5000/train:0.3"
