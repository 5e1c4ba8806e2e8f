"""The starter k8sx.yaml: written from what the app knows, every key explained, and read back by the project file's
own reader as the values it was written from."""

from __future__ import annotations

from pathlib import Path

from tui.models.deploy.pod_template import template_from_form
from tui.models.forward.presets import Preset
from tui.models.project.starter import PLACEHOLDER_REGISTRY, StarterFacts, starter_text
from tui.screens.deploy.forms import TEMPLATE_DEFAULTS
from tui.services.project.project_file import load_project


def written(tmp_path: Path, facts: StarterFacts) -> Path:
    path = tmp_path / "k8sx.yaml"
    path.write_text(starter_text(facts))
    return path


def test_the_last_push_the_build_the_pod_file_and_the_namespace_are_read_back(tmp_path: Path) -> None:
    facts = StarterFacts(
        "walk",
        last_pushed="127.0.0.1:5000/team/walk-prep:0.4@sha256:" + "a" * 64,
        context="image",
        dockerfile="image/Dockerfile",
        pod_file="pod.yml",
        namespace="experiments",
    )
    project = load_project(written(tmp_path, facts))
    assert (project.registry, project.image, project.tag) == ("127.0.0.1:5000", "team/walk-prep", "")
    assert (project.context, project.dockerfile) == ("image", "image/Dockerfile")
    assert (project.pod_file, project.template, project.namespace) == ("pod.yml", {}, "experiments")


def test_every_key_is_explained_in_a_comment(tmp_path: Path) -> None:
    text = starter_text(StarterFacts("walk", template=TEMPLATE_DEFAULTS))
    for line in text.splitlines():
        code = line.split(" # ")[0].strip()
        if code and not code.startswith("#") and not code.endswith(":"):  # a key with a value (not a heading)
            assert " # " in line, line
    assert "# tag:" in text and "# namespace:" in text  # the optional ones, shown commented out


def test_the_templates_fields_become_the_projects_template(tmp_path: Path) -> None:
    form = dict(
        TEMPLATE_DEFAULTS,
        name="prep",
        image="ignored:1",
        command="sh -c 'python prep.py # all'",
        env="EPOCHS=3 MODE='fast run'",
        gpu="1",
        cpu="0.10",
        node_selector="type=real,zone=a",
        tolerations="k8sx.dev/real-node:NoSchedule,gpu=yes:NoExecute",
    )
    project = load_project(written(tmp_path, StarterFacts("walk", template=form)))
    assert project.pod_file == ""
    want = dict(form, image=f"{PLACEHOLDER_REGISTRY}/walk")
    made = template_from_form(project.template).manifests()
    assert made == template_from_form(want).manifests()


def test_nothing_known_still_makes_a_file_the_reader_takes(tmp_path: Path) -> None:
    project = load_project(written(tmp_path, StarterFacts("My Experiment!", template={"name": "exp"})))
    assert (project.registry, project.image) == (PLACEHOLDER_REGISTRY, "my-experiment")
    assert (project.context, project.dockerfile) == (".", "Dockerfile")
    assert project.template["name"] == "exp"


def test_the_commented_forwards_line_is_read_once_uncommented(tmp_path: Path) -> None:
    text = starter_text(StarterFacts("walk", template=TEMPLATE_DEFAULTS))
    commented = next(line for line in text.splitlines() if line.startswith("# forwards:"))
    path = tmp_path / "k8sx.yaml"
    path.write_text(text.replace(commented, commented.removeprefix("# ")))
    assert load_project(path).forwards == (Preset("tensorboard", 6006),)


def test_a_gpu_type_and_spot_from_the_template_are_read_back_from_the_starter(tmp_path: Path) -> None:
    """The template's GPU type and spot tick (the cluster's accelerators) survive the starter k8sx.yaml `g` writes."""
    form = dict(TEMPLATE_DEFAULTS, name="prep", gpu="2", gpu_type="nvidia-a100-80gb", spot="yes")
    project = load_project(written(tmp_path, StarterFacts("walk", template=form)))
    made = template_from_form(project.template).manifests()
    keep_alive = "sh -c \"trap 'exit 0' TERM; sleep infinity & wait\""  # the starter's command when the form has none
    assert made == template_from_form(dict(form, image=f"{PLACEHOLDER_REGISTRY}/walk", command=keep_alive)).manifests()
    spec = made[-1]["spec"]
    assert spec["nodeSelector"] == {
        "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
        "cloud.google.com/gke-spot": "true",
    }
