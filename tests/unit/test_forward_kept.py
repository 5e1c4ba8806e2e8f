"""The kept forwards' file: written whole, read back, anything that is not a forward skipped in words."""

from __future__ import annotations

import json
from pathlib import Path

from tui.models.forward.forward import ForwardSpec
from tui.services.forward.kept import load_kept, save_kept


def test_kept_forwards_are_read_back_as_written(tmp_path: Path) -> None:
    specs = [ForwardSpec("walk", "train", 6006, 16006, experiment="train"), ForwardSpec("ns", "pod", 8888, 8888)]
    save_kept(specs, tmp_path / "state" / "forwards.json")
    assert load_kept(tmp_path / "state" / "forwards.json") == (specs, [])


def test_entries_that_are_not_forwards_are_skipped_in_words(tmp_path: Path) -> None:
    path = tmp_path / "forwards.json"
    good = {"namespace": "n", "pod": "p", "remote_port": 1, "local_port": 2, "address": "127.0.0.1", "experiment": ""}
    path.write_text(json.dumps([good, {**good, "remote_port": 70000}, {**good, "pod": ["x"]}, "junk"]))
    specs, problems = load_kept(path)
    assert specs == [ForwardSpec("n", "p", 1, 2)]
    assert problems == [f"kept forward #{n} in {path} skipped: not a forward" for n in (2, 3, 4)]
    path.write_text("{not json")
    assert load_kept(path)[1][0].startswith(f"kept forwards not read from {path}: ")
    assert load_kept(tmp_path / "none.json") == ([], [])
