"""The app's own folders (where pulls land, partial folders) are left out of builds and code syncs."""

from __future__ import annotations

from pathlib import Path

from tui.models.transfer.app_folders import dockerignore_patterns, is_app_folder, results_within
from tui.services.transfer.code_sync import local_digests, skipped


def test_the_results_folder_is_named_relative_to_the_context_when_it_lies_in_it() -> None:
    assert results_within(Path("/p"), Path("/p/results")) == "results"
    assert results_within(Path("/p"), Path("/p/sub/results")) == "sub/results"
    assert results_within(Path("/p/src"), Path("/p/results")) is None
    assert results_within(Path("/p/results"), Path("/p/results")) is None
    assert dockerignore_patterns(Path("/p"), Path("/p/results")) == ["results", "**/.*k8sx-partial-*"]
    assert dockerignore_patterns(Path("/p/src"), Path("/p/results")) == ["**/.*k8sx-partial-*"]


def test_partial_folders_anywhere_and_the_results_folder_are_the_apps() -> None:
    assert is_app_folder("results/exp/m.json", "results")
    assert not is_app_folder("results.py", "results") and not is_app_folder("src/results/x", "results")
    assert is_app_folder(".exp.k8sx-partial-ab12/m.json", None)
    assert is_app_folder("data/.k8sx-partial-0123456789/x.csv", None)
    assert not is_app_folder("k8sx-partial-notes.txt", None)
    assert skipped("results/exp/m.json", "results") and not skipped("train.py", "results")


def test_a_code_folder_is_listed_without_them(tmp_path: Path) -> None:
    for name in ("train.py", "results/exp/m.json", ".exp.k8sx-partial-1/m.json", "pkg/.k8sx-partial-2/x"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    assert sorted(local_digests(tmp_path, "results")) == ["train.py"]
    assert sorted(local_digests(tmp_path)) == ["results/exp/m.json", "train.py"]
