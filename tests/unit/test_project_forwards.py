"""`forwards:` in k8sx.yaml: read into the project as presets, every bad entry named with its own line; and the
words the loop says about where they listen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.models.forward.forward import ForwardSpec, ForwardStatus, State
from tui.models.forward.presets import Preset, forwarding_text
from tui.models.project.project_file import ProjectError
from tui.services.project.project_file import load_project

HEAD = "image: team/train\nregistry: 127.0.0.1:5000\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k8sx.yaml"
    path.write_text(HEAD + text)
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ProjectError) as caught:
        load_project(write(tmp_path, text))
    return caught.value.problems


def test_forwards_are_read_as_presets(tmp_path: Path) -> None:
    text = "forwards:\n  - {name: tensorboard, port: 6006}\n  - {name: jupyter, port: 8888, local: 18888}\n"
    text += "  - port: 8265\n"
    project = load_project(write(tmp_path, text))
    assert project.forwards == (Preset("tensorboard", 6006), Preset("jupyter", 8888, 18888), Preset("8265", 8265))
    assert load_project(write(tmp_path, "")).forwards == ()  # none: nothing forwarded


def test_each_bad_entry_is_named_with_its_line(tmp_path: Path) -> None:
    text = """\
forwards:
  - {name: tensorboard, port: 6006}
  - {name: again, port: 6006}
  - {name: x, port: "6006"}
  - {name: y, port: 1, local: 70000}
  - {name: z, port: 2, host: 0.0.0.0}
  - tensorboard
  - {name: [a], port: 3}
  - {port: !!python/object/apply:os.system [echo]}
"""
    assert problems(tmp_path, text) == [
        "k8sx.yaml line 5: 'forwards[2]': port 6006 is forwarded already (tensorboard)",
        "k8sx.yaml line 6: 'forwards[3]': port must be a number 1-65535",
        "k8sx.yaml line 7: 'forwards[4]': local must be a number 1-65535",
        "k8sx.yaml line 8: 'forwards[5]': unknown key 'host' (known: local, name, port)",
        "k8sx.yaml line 9: 'forwards[6]': {name: ..., port: ...} is expected",
        "k8sx.yaml line 10: 'forwards[7]': name must be a text value",
        "k8sx.yaml line 11: 'forwards[8]': could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'",
    ]
    assert problems(tmp_path, "forwards: {name: tb, port: 6006}\n") == [
        "k8sx.yaml line 3: 'forwards' must be a list of {name, port}, not a mapping"
    ]


def status(spec: ForwardSpec) -> ForwardStatus:
    return ForwardStatus(1, spec, State.ACTIVE, "", "web", 0, 0, 0, datetime.now(UTC))


def test_the_loop_says_where_each_preset_listens() -> None:
    presets = (Preset("tensorboard", 6006), Preset("jupyter", 8888, 18888), Preset("ray", 8265))
    statuses = [
        status(ForwardSpec("walk", "web", 6006, 6007, experiment="web")),  # 6006 was taken here: the next one
        status(ForwardSpec("walk", "web", 8888, 18888, experiment="web")),
        status(ForwardSpec("walk", "other", 8265, 8265)),  # another pod's: not this project's
    ]
    assert forwarding_text(presets, statuses, "walk/web") == (
        "http://127.0.0.1:6007 → tensorboard, http://127.0.0.1:18888 → jupyter"
    )
    assert forwarding_text(presets, [], "walk/web") == ""
