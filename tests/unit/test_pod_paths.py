"""Which pod folders r and u start at: the project file's where it names them, else the settings."""

from __future__ import annotations

from pathlib import Path

from tui.services.transfer.pod_paths import SETTINGS, pod_paths


def test_no_project_file_means_the_settings(tmp_path: Path) -> None:
    paths = pod_paths(tmp_path, "/s/out", "/s/data")
    assert (paths.results, paths.data, paths.results_from, paths.problem) == ("/s/out", "/s/data", SETTINGS, "")


def test_the_project_wins_only_for_the_paths_it_writes(tmp_path: Path) -> None:
    project = tmp_path / "k8sx.yaml"
    project.write_text("image: a\nregistry: 127.0.0.1:5000\npaths: {results: /persistent/runs}\n")
    paths = pod_paths(tmp_path, "/s/out", "/s/data")
    assert (paths.results, paths.results_from) == ("/persistent/runs", "k8sx.yaml")
    assert (paths.data, paths.data_from) == ("/s/data", SETTINGS)  # not written: its default must not win

    project.write_text("image: a\nregistry: 127.0.0.1:5000\n")
    assert pod_paths(tmp_path, "/s/out", "/s/data").results == "/s/out"


def test_a_broken_project_file_names_its_problems_and_the_settings_apply(tmp_path: Path) -> None:
    (tmp_path / "k8sx.yaml").write_text("paths: {results: /x}\n")
    paths = pod_paths(tmp_path, "/s/out", "/s/data")
    assert paths.results == "/s/out"
    assert "(the settings apply)" in paths.problem and "'image' is needed" in paths.problem
