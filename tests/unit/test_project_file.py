"""k8sx.yaml: read as written, every problem named with its line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.models.deploy.pod_template import template_from_form
from tui.models.project.project_file import ProjectError
from tui.services.project.project_file import find_project, load_project

GOOD = """\
image: team/train
registry: 127.0.0.1:5000
tag: 0.10
build: {context: src, dockerfile: docker/Dockerfile, args: {PYTHON: "3.11"}}
namespace: experiments
pod:
  template:
    command: sh -c 'python train.py --out /persistent/out'
    env: {EPOCHS: 3, MODE: fast run}
    gpu: 1
    claim: results
    claimSize: 10Gi
    storageClass: standard
    nodeSelector: {type: real}
    tolerations: [{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}]
paths: {results: /persistent/runs}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k8sx.yaml"
    path.write_text(text)
    return path


def test_a_good_project_file_is_read_as_written(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, GOOD))
    assert find_project(tmp_path) == tmp_path / "k8sx.yaml"
    assert project.repository == "127.0.0.1:5000/team/train"
    assert project.tag == "0.10"  # not the number 0.1
    assert project.resolve(project.context) == tmp_path / "src"
    assert (project.dockerfile, project.build_args, project.namespace) == (
        "docker/Dockerfile",
        {"PYTHON": "3.11"},
        "experiments",
    )
    assert (project.data_path, project.results_path) == ("/persistent/data", "/persistent/runs")
    claim, pod = template_from_form(project.template).manifests()
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    container = pod["spec"]["containers"][0]
    assert pod["metadata"]["name"] == "train"  # from the image's name
    assert container["image"] == "127.0.0.1:5000/team/train"
    assert container["command"] == ["sh", "-c", "python train.py --out /persistent/out"]
    assert container["env"] == [{"name": "EPOCHS", "value": "3"}, {"name": "MODE", "value": "fast run"}]
    assert pod["spec"]["tolerations"] == [{"key": "k8sx.dev/real-node", "operator": "Exists", "effect": "NoSchedule"}]
    assert pod["spec"]["nodeSelector"] == {"type": "real"}


def test_every_problem_is_named_with_its_line_and_key(tmp_path: Path) -> None:
    text = """\
imag: team/train
registry: [a, b]
build: {contxt: .}
pod:
  file: pod.yml
  template: {gpu: two, restartPolicy: Sometimes}
"""
    with pytest.raises(ProjectError) as caught:
        load_project(write(tmp_path, text))
    assert caught.value.problems == [
        "k8sx.yaml line 1: unknown key 'imag' (known: build, forwards, image, namespace, paths, pod, registry, tag)",
        "k8sx.yaml line 2: 'registry' must be a text value, not a list",
        "k8sx.yaml line 3: unknown key 'build.contxt' (known in build: args, context, dockerfile)",
        "k8sx.yaml line 6: 'pod.template.gpu' must be a whole number, not 'two'",
        "k8sx.yaml: 'image' is needed",
        "k8sx.yaml line 5: 'pod' takes a file or a template, not both",
    ]


def test_a_template_value_the_pod_cannot_take_points_at_its_key(tmp_path: Path) -> None:
    text = "image: train\nregistry: 127.0.0.1:5000\npod:\n  template:\n    gpu: 1\n    restartPolicy: Sometimes\n"
    with pytest.raises(ProjectError, match=r"k8sx.yaml line 6: pod.template.restart_policy: 'Sometimes': one of"):
        load_project(write(tmp_path, text))


def test_broken_yaml_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"k8sx.yaml line 2, column 12: invalid YAML"):
        load_project(write(tmp_path, "image: a\nregistry: b: c\n"))
    with pytest.raises(ProjectError, match=r"cannot read .*nowhere.yaml: No such file"):
        load_project(tmp_path / "nowhere.yaml")
    with pytest.raises(ProjectError, match="must be a mapping of keys, not a list"):
        load_project(write(tmp_path, "- image\n"))


def test_the_loop_tags_one_up_from_the_last_push_of_the_same_image(tmp_path: Path) -> None:
    from tui.services.deploy.loop import next_tag

    project = load_project(write(tmp_path, "image: team/train\nregistry: 127.0.0.1:5000\n"))
    assert next_tag(project, None) == "0.1"
    assert next_tag(project, "127.0.0.1:5000/team/train:0.9@sha256:" + "a" * 64) == "0.10"
    assert next_tag(project, "127.0.0.1:5000/team/other:0.9") == "0.1"
    fixed = load_project(write(tmp_path, "image: team/train\nregistry: 127.0.0.1:5000\ntag: v7\n"))
    assert next_tag(fixed, "127.0.0.1:5000/team/train:0.9") == "v7"
