"""Where `r` (pull results) and `u` (copy in) look in the pod first: the `paths:` of the project file `k8sx.yaml` in
the working directory (found as the Deploy screen finds it), else the settings. A broken project file is named with
its problems and the settings apply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tui.models.project.project_file import ProjectError
from tui.services.project.project_file import find_project, load_project

SETTINGS = "the settings"


@dataclass(frozen=True)
class PodPaths:
    results: str
    data: str
    results_from: str  # "k8sx.yaml" (of the working directory) or "the settings"
    data_from: str
    problem: str = ""  # why the project file was not used (empty: it was, or there is none)


def pod_paths(folder: Path, results: str, data: str) -> PodPaths:
    """The project's paths where it writes them, else `results` / `data` (the settings)."""
    found = find_project(folder)
    if found is None:
        return PodPaths(results, data, SETTINGS, SETTINGS)
    try:
        project = load_project(found)
    except ProjectError as exc:
        problem = f"{found} is not used for the pod paths (the settings apply):\n" + "\n".join(exc.problems)
        return PodPaths(results, data, SETTINGS, SETTINGS, problem)
    written = _written_paths(found)  # the project fills unwritten ones with its defaults: those must not win
    name = found.name
    return PodPaths(
        project.results_path if "results" in written else results,
        project.data_path if "data" in written else data,
        name if "results" in written else SETTINGS,
        name if "data" in written else SETTINGS,
    )


def _written_paths(path: Path) -> set[str]:
    """Which of `paths.results` / `paths.data` the (already checked) file sets itself."""
    try:
        loaded: Any = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return set()
    paths = loaded.get("paths") if isinstance(loaded, dict) else None
    return {key for key in ("results", "data") if isinstance(paths, dict) and paths.get(key)}
