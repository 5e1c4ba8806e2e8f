"""The starter k8sx.yaml on the app's local sandbox stack asks for its real node (and says why in a comment); on any
other cluster it is as before; a template's own nodeSelector or tolerations are left alone."""

from __future__ import annotations

from pathlib import Path

from tui.models.deploy.pod_template import template_from_form
from tui.models.project.sandbox import is_sandbox
from tui.models.project.starter import StarterFacts, starter_text
from tui.screens.deploy.forms import TEMPLATE_DEFAULTS
from tui.services.project.project_file import load_project


def read_back(tmp_path: Path, facts: StarterFacts) -> dict[str, str]:
    path = tmp_path / "k8sx.yaml"
    path.write_text(starter_text(facts))
    return load_project(path).template


def test_the_sandbox_context_is_known_by_its_name() -> None:
    assert is_sandbox("k8sx-local")
    assert not is_sandbox("gke_project_europe-west4_train") and not is_sandbox(None)


def test_on_the_sandbox_the_templates_pod_asks_for_the_real_node(tmp_path: Path) -> None:
    template = read_back(tmp_path, StarterFacts("walk", template=TEMPLATE_DEFAULTS, sandbox=True))
    spec = template_from_form({**template, "image": "x"}).manifests()[-1]["spec"]
    assert spec["nodeSelector"] == {"type": "real"}
    assert spec["tolerations"] == [{"key": "k8sx.dev/real-node", "operator": "Exists", "effect": "NoSchedule"}]
    text = starter_text(StarterFacts("walk", template=TEMPLATE_DEFAULTS, sandbox=True))
    assert "# the local sandbox stack (context k8sx-local) runs containers only on its real node," in text


def test_elsewhere_the_starter_is_as_before(tmp_path: Path) -> None:
    template = read_back(tmp_path, StarterFacts("walk", template=TEMPLATE_DEFAULTS))
    assert "node_selector" not in template and "tolerations" not in template
    assert "sandbox" not in starter_text(StarterFacts("walk", template=TEMPLATE_DEFAULTS))


def test_a_templates_own_node_choice_is_kept(tmp_path: Path) -> None:
    own = {**TEMPLATE_DEFAULTS, "node_selector": "type=kwok"}
    template = read_back(tmp_path, StarterFacts("walk", template=own, sandbox=True))
    assert template["node_selector"] == "type=kwok" and "tolerations" not in template


def test_a_pod_file_is_left_as_it_is_with_what_it_needs_in_a_comment(tmp_path: Path) -> None:
    text = starter_text(StarterFacts("walk", pod_file="pod.yml", sandbox=True))
    assert "  # labelled type=real, tainted k8sx.dev/real-node: the file's pod needs nodeSelector: {type: real}" in text
    path = tmp_path / "k8sx.yaml"
    path.write_text(text)
    project = load_project(path)
    assert (project.pod_file, project.template) == ("pod.yml", {})
