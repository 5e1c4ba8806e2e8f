"""`forwards:` presets of k8sx.yaml: the good entries kept, every bad one said with where it is."""

from __future__ import annotations

from tui.models.forward.forward import ForwardSpec
from tui.models.forward.presets import Preset, presets_from


def test_presets_are_read_and_bad_entries_said() -> None:
    raw = [
        {"name": "tensorboard", "port": 6006},
        {"name": "jupyter", "port": 8888, "local": 18888},
        {"port": 8265},
        {"name": "x", "port": "6006"},
        {"name": "y", "port": 1, "local": 0},
        {"name": "z", "port": 1, "host": "0.0.0.0"},
        "tensorboard",
    ]
    presets, problems = presets_from(raw)
    assert presets == [Preset("tensorboard", 6006), Preset("jupyter", 8888, 18888), Preset("8265", 8265)]
    assert problems == [
        "forwards[4]: port must be a number 1-65535",
        "forwards[5]: local must be a number 1-65535",
        "forwards[6]: unknown key 'host' (known: local, name, port)",
        "forwards[7]: {name: ..., port: ...} is expected",
    ]
    assert presets_from(None) == ([], [])
    assert presets_from({"port": 1}) == ([], ["forwards: a list of {name, port} is expected"])


def test_a_preset_forwards_the_experiments_pod() -> None:
    assert Preset("jupyter", 8888, 18888).spec("walk", "train-1", "train") == ForwardSpec(
        "walk", "train-1", 8888, 18888, experiment="train"
    )
